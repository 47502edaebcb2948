#include "render/shader_source.h"

#include <algorithm>
#include <sstream>
#include <stdexcept>

namespace topomask::render {

std::string_view shaderSource(std::string_view program, std::string_view stage) {
  const std::string wanted = std::string(program) + "." + std::string(stage);
  for (const EmbeddedShader& shader : embeddedShaders())
    if (shader.fileName == wanted) return shader.source;
  return {};
}

namespace {

// Declarations "<qualifier> <type> <name>;" at the start of a line (layout(...) prefixes allowed).
void collect(std::string_view source, const std::string& qualifier, std::vector<ShaderVariable>& out) {
  std::istringstream lines{std::string(source)};
  std::string line;
  while (std::getline(lines, line)) {
    std::istringstream words(line);
    std::string word;
    words >> word;
    if (word.rfind("layout", 0) == 0) {
      while (words >> word && word.find(')') == std::string::npos) {
      }
      words >> word;
    }
    if (word == "flat" || word == "smooth") words >> word;
    if (word != qualifier) continue;
    ShaderVariable v;
    words >> v.type >> v.name;
    if (v.name.empty() || v.name.back() != ';') continue;  // a block or an array of a stage: skip
    v.name.pop_back();
    if (v.name.find('[') != std::string::npos) continue;
    const bool known = std::any_of(out.begin(), out.end(), [&](const ShaderVariable& e) { return e.name == v.name; });
    if (!known) out.push_back(v);
  }
}

}  // namespace

ProgramInterface programInterface(std::string_view program) {
  const std::string_view vert = shaderSource(program, "vert");
  const std::string_view frag = shaderSource(program, "frag");
  if (vert.empty() || frag.empty()) throw std::runtime_error("no shader program '" + std::string(program) + "'");
  ProgramInterface result;
  collect(vert, "in", result.attributes);
  collect(vert, "uniform", result.uniforms);
  collect(shaderSource(program, "geom"), "uniform", result.uniforms);
  collect(frag, "uniform", result.uniforms);
  return result;
}

}  // namespace topomask::render
