#include "render/null_renderer.h"

#include <algorithm>
#include <stdexcept>

namespace topomask::render {

BufferHandle NullRenderer::createVertexBuffer(std::span<const float> data, int components) {
  Buffer b;
  b.components = components;
  b.elements = data.size();
  if (components < 1 || data.size() % static_cast<std::size_t>(components) != 0)
    problem("buffer", "vertex data of " + std::to_string(data.size()) + " floats is not a multiple of " +
                          std::to_string(components));
  buffers_[next_] = b;
  return BufferHandle{next_++};
}

BufferHandle NullRenderer::createIndexBuffer(std::span<const std::uint32_t> data) {
  Buffer b;
  b.index = true;
  b.elements = data.size();
  for (std::uint32_t i : data) b.maxIndex = std::max(b.maxIndex, i);
  buffers_[next_] = b;
  return BufferHandle{next_++};
}

void NullRenderer::updateVertexBuffer(BufferHandle buffer, std::span<const float> data) {
  auto it = buffers_.find(buffer.id);
  if (it == buffers_.end() || it->second.index) {
    problem("buffer", "update of an unknown vertex buffer");
    return;
  }
  if (data.size() % static_cast<std::size_t>(it->second.components) != 0) problem("buffer", "update size not a multiple of components");
  it->second.elements = data.size();
}

void NullRenderer::destroy(BufferHandle buffer) {
  if (buffer && buffers_.erase(buffer.id) == 0) problem("buffer", "destroying an unknown buffer");
}

TextureHandle NullRenderer::createTexture(int width, int height, TextureFormat, TextureFilter, const void*) {
  if (width < 1 || height < 1) problem("texture", "empty texture");
  textures_[next_] = width * height;
  return TextureHandle{next_++};
}

void NullRenderer::updateTexture(TextureHandle texture, int width, int height, const void*) {
  if (!textures_.count(texture.id)) problem("texture", "update of an unknown texture");
  textures_[texture.id] = width * height;
}

void NullRenderer::destroy(TextureHandle texture) {
  if (texture && textures_.erase(texture.id) == 0) problem("texture", "destroying an unknown texture");
}

void NullRenderer::begin(Target, int width, int height) {
  if (inFrame_) problem("frame", "begin without end");
  if (width < 1 || height < 1) problem("frame", "empty target");
  inFrame_ = true;
  width_ = width;
  height_ = height;
}

void NullRenderer::clear(const Rect&, const Eigen::Vector4f&) {
  if (!inFrame_) problem("frame", "clear outside begin/end");
}

void NullRenderer::setViewport(const Rect& rect) {
  if (!inFrame_) problem("frame", "viewport outside begin/end");
  if (rect.width < 1 || rect.height < 1 || rect.x < 0 || rect.y < 0 || rect.x + rect.width > width_ ||
      rect.y + rect.height > height_)
    problem("frame", "viewport outside the target");
}

void NullRenderer::setScissor(const Rect& rect) {
  if (!inFrame_) problem("frame", "scissor outside begin/end");
  if (rect.width < 1 || rect.height < 1 || rect.x < 0 || rect.y < 0 || rect.x + rect.width > width_ ||
      rect.y + rect.height > height_)
    problem("frame", "scissor outside the target");
}

void NullRenderer::end() {
  if (!inFrame_) problem("frame", "end without begin");
  inFrame_ = false;
}

std::vector<std::uint8_t> NullRenderer::readColor() {
  return std::vector<std::uint8_t>(static_cast<std::size_t>(width_) * height_ * 4, 0);
}

std::uint32_t NullRenderer::readPick(int, int) { return 0; }

const ProgramInterface& NullRenderer::interfaceOf(const std::string& program) {
  auto it = programs_.find(program);
  if (it == programs_.end()) it = programs_.emplace(program, programInterface(program)).first;
  return it->second;
}

namespace {

bool typeMatches(const std::string& glsl, const UniformValue& value) {
  switch (value.index()) {
    case 0: return glsl == "int" || glsl == "bool";
    case 1: return glsl == "float";
    case 2: return glsl == "vec2";
    case 3: return glsl == "vec3";
    case 4: return glsl == "vec4";
    case 5: return glsl == "mat4";
  }
  return false;
}

int componentsOf(const std::string& glsl) {
  if (glsl == "float") return 1;
  if (glsl == "vec2") return 2;
  if (glsl == "vec3") return 3;
  if (glsl == "vec4") return 4;
  return 0;
}

}  // namespace

void NullRenderer::draw(const DrawCall& call) {
  const std::string& name = call.program;
  drawLog_.push_back(name);
  if (!inFrame_) problem(name, "draw outside begin/end");
  const ProgramInterface* iface = nullptr;
  try {
    iface = &interfaceOf(name);
  } catch (const std::exception& e) {
    problem(name, e.what());
    return;
  }
  // Uniforms: every declared one set exactly once with the right type; samplers bound.
  for (const ShaderVariable& u : iface->uniforms) {
    const bool sampler = u.type.rfind("sampler", 0) == 0;
    if (sampler) {
      auto it = std::find_if(call.textures.begin(), call.textures.end(), [&](const auto& t) { return t.first == u.name; });
      if (it == call.textures.end()) problem(name, "sampler " + u.name + " not bound");
      else if (!textures_.count(it->second.id)) problem(name, "sampler " + u.name + " bound to a dead texture");
      continue;
    }
    int seen = 0;
    for (const auto& [n, value] : call.uniforms)
      if (n == u.name) {
        ++seen;
        if (!typeMatches(u.type, value)) problem(name, "uniform " + u.name + " has the wrong type (" + u.type + ")");
      }
    if (seen == 0) problem(name, "uniform " + u.name + " not set");
    if (seen > 1) problem(name, "uniform " + u.name + " set twice");
  }
  for (const auto& [n, value] : call.uniforms) {
    (void)value;
    if (std::none_of(iface->uniforms.begin(), iface->uniforms.end(), [&](const ShaderVariable& u) { return u.name == n; }))
      problem(name, "uniform " + n + " is not declared by the shader");
  }
  for (const auto& t : call.textures)
    if (std::none_of(iface->uniforms.begin(), iface->uniforms.end(), [&](const ShaderVariable& u) { return u.name == t.first; }))
      problem(name, "sampler " + t.first + " is not declared by the shader");
  // Attributes: all present, right width, equal vertex counts.
  std::int64_t vertices = -1;  // the fewest vertices any attribute provides
  for (const ShaderVariable& a : iface->attributes) {
    auto it = std::find_if(call.attributes.begin(), call.attributes.end(), [&](const Attribute& x) { return x.name == a.name; });
    if (it == call.attributes.end()) {
      problem(name, "attribute " + a.name + " missing");
      continue;
    }
    auto b = buffers_.find(it->buffer.id);
    if (b == buffers_.end() || b->second.index) {
      problem(name, "attribute " + a.name + " uses an unknown buffer");
      continue;
    }
    if (it->components != componentsOf(a.type) || b->second.components != it->components)
      problem(name, "attribute " + a.name + " has " + std::to_string(it->components) + " components, shader wants " + a.type);
    const auto n = static_cast<std::int64_t>(b->second.elements / static_cast<std::size_t>(std::max(1, b->second.components)));
    if (vertices >= 0 && n != vertices)
      problem(name, "attribute " + a.name + " has " + std::to_string(n) + " vertices, others " + std::to_string(vertices));
    vertices = vertices < 0 ? n : std::min(vertices, n);
  }
  for (const Attribute& a : call.attributes)
    if (std::none_of(iface->attributes.begin(), iface->attributes.end(), [&](const ShaderVariable& v) { return v.name == a.name; }))
      problem(name, "attribute " + a.name + " is not declared by the shader");
  if (call.count < 0) problem(name, "negative count");
  if (call.indices) {
    auto b = buffers_.find(call.indices.id);
    if (b == buffers_.end() || !b->second.index) {
      problem(name, "unknown index buffer");
    } else {
      if (static_cast<std::size_t>(call.count) > b->second.elements) problem(name, "count exceeds the index buffer");
      if (b->second.elements > 0 && vertices >= 0 && static_cast<std::int64_t>(b->second.maxIndex) >= vertices)
        problem(name, "index " + std::to_string(b->second.maxIndex) + " out of range of " + std::to_string(vertices) + " vertices");
    }
  } else if (vertices >= 0 && call.count > vertices) {
    problem(name, "count " + std::to_string(call.count) + " exceeds " + std::to_string(vertices) + " vertices");
  }
  const int per = call.primitive == Primitive::Triangles ? 3 : call.primitive == Primitive::Lines ? 2 : 1;
  if (call.count % per != 0) problem(name, "count is not a multiple of the primitive size");
}

}  // namespace topomask::render
