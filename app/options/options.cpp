#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <cmath>
#include <iostream>
#include <map>
#include <sstream>

#include "options/options.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/grf/sampler.h"
#include "topomask/io/load.h"

namespace topomask::opt {

void addCommonOptions(CLI::App& sub, CommonOptions& o) {
  sub.add_option("--graph", o.graph, graphKindTable().list())->capture_default_str();
  sub.add_option("--k", o.k, "kNN size")->capture_default_str();
  sub.add_option("--radius", o.radius, "radius graph (default 1.5 x mean NN distance)");
  sub.add_option("--patch", o.patch, "patch size in pixels")->capture_default_str();
  sub.add_option("--weights", o.weights, edgeWeightsTable().list())->capture_default_str();
  sub.add_option("--norm", o.norm, normalisationTable().list())->capture_default_str();
  sub.add_option("--sigma", o.sigma, "scale: W = sigma * normalised(A)")->capture_default_str();
  sub.add_option("--kernel", o.kernel, maskPresetTable().list())->capture_default_str();
  sub.add_option("--beta", o.beta, "mask parameter beta")->capture_default_str();
  sub.add_option("--p", o.p, "p of the p-step random walk kernel")->capture_default_str();
  sub.add_option("--alpha", o.alpha, "comma-separated alpha_0..alpha_K for --kernel custom");
  sub.add_option("--f", o.f, "comma-separated f_0..f_K for --kernel custom (alpha = f * f), or a file holding them");
  sub.add_option("--walkers", o.walkers, "walkers per node")->capture_default_str();
  sub.add_option("--p-halt", o.pHalt, "halting probability")->capture_default_str();
  sub.add_option("--max-len", o.maxLen, "walk length cap (0 = none)")->capture_default_str();
  sub.add_option("--sampling", o.sampling, samplingTable().list())->capture_default_str();
  sub.add_option("--ensembles", o.ensembles, ensembleTable().list())->capture_default_str();
  sub.add_option("--seed", o.seed, "random seed")->capture_default_str();
  sub.add_option("--threads", o.threads, "threads (0 = all cores)")->capture_default_str();
  sub.add_option("--memory-limit", o.memoryLimit, "memory budget for predicted allocations, e.g. 8G (default: the memory available)");
  sub.add_flag("--json", o.json, "print JSON instead of text");
}

std::vector<double> parseNumberList(const std::string& text, const std::string& option) {
  std::vector<double> out;
  std::stringstream ss(text);
  std::string item;
  while (std::getline(ss, item, ',')) {
    std::size_t used = 0;
    double v = 0;
    try {
      v = std::stod(item, &used);
    } catch (...) {
      used = 0;
    }
    while (used < item.size() && std::isspace(static_cast<unsigned char>(item[used]))) ++used;
    if (item.empty() || used != item.size() || !std::isfinite(v))
      throw usageError(option + ": '" + item + "' is not a finite number");
    out.push_back(v);
  }
  if (out.empty()) throw usageError(option + ": expected a comma-separated list of numbers");
  return out;
}

std::vector<std::int64_t> parseIntegerList(const std::string& text, const std::string& option) {
  std::vector<std::int64_t> out;
  for (double v : parseNumberList(text, option)) {
    if (v != std::floor(v) || v < 0 || v > 9e15) throw usageError(option + ": '" + std::to_string(v) + "' is not a non-negative integer");
    out.push_back(static_cast<std::int64_t>(v));
  }
  return out;
}

NodeRange parseNodeRange(const std::string& text, std::int64_t nodes, const std::string& option) {
  const std::size_t colon = text.find(':');
  auto number = [&](const std::string& part, const char* which) {
    const bool digits = !part.empty() && part.size() <= 15 &&
                        std::all_of(part.begin(), part.end(), [](char c) { return c >= '0' && c <= '9'; });
    if (!digits)
      throw usageError(option + " '" + text + "': " + which + " must be a non-negative integer (expected A:B, rows A..B-1)");
    return static_cast<std::int64_t>(std::stoll(part));
  };
  if (colon == std::string::npos || text.find(':', colon + 1) != std::string::npos)
    throw usageError(option + " '" + text + "': expected A:B (rows A..B-1, 0 <= A < B <= N)");
  NodeRange r;
  r.begin = number(text.substr(0, colon), "A");
  r.end = number(text.substr(colon + 1), "B");
  if (r.begin >= r.end)
    throw usageError(option + " '" + text + "': A must be less than B (rows A..B-1)");
  if (r.end > nodes)
    throw usageError(option + " '" + text + "': B must be at most the number of nodes (the graph has " +
                     std::to_string(nodes) + ")");
  return r;
}

namespace {
// Runs the engine's validation and words its parameter error (Error::where(): the engine's name for
// the parameter) as this front end names it: the command line's flag or the Python keyword.
template <class Validate>
void validateWorded(Validate&& validate, Wording wording) {
  try {
    validate();
  } catch (const Error& e) {
    static const std::map<std::string, std::pair<const char*, const char*>> names = {
        {"k", {"--k", "k"}},           {"patch", {"--patch", "patch"}},       {"radius", {"--radius", "radius"}},
        {"sigma", {"--sigma", "sigma"}}, {"threads", {"--threads", "threads"}}, {"beta", {"--beta", "beta"}},
        {"p", {"--p", "p"}},           {"walkers", {"--walkers", "walkers"}}, {"p_halt", {"--p-halt", "p_halt"}},
        {"max_length", {"--max-len", "max_len"}}};
    const auto it = names.find(e.where());
    if (it == names.end()) throw;
    throw Error(e.cause(), wording == Wording::Flags ? it->second.first : it->second.second, e.kind());
  }
}
}  // namespace

GraphOptions toGraphOptions(const CommonOptions& o, Wording wording) {
  GraphOptions g;
  g.kind = parseGraphKind(o.graph);
  g.k = o.k;
  g.radius = o.radius;
  g.patch = o.patch;
  g.weights = parseEdgeWeights(o.weights);
  g.normalisation = parseNormalisation(o.norm);
  g.sigma = o.sigma;
  g.threads = o.threads;
  g.memoryLimit = o.memoryLimit.empty() ? 0 : parseByteSize(o.memoryLimit, "--memory-limit");
  validateWorded([&] { validateGraphOptions(g); }, wording);
  return g;
}

// --f / --alpha: a comma-separated list, or the name of a file holding one (as `fit --out-f` writes).
static std::vector<double> parseCoefficients(const std::string& text, const std::string& option) {
  try {
    return parseNumberList(text, option);
  } catch (const Error&) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(text, ec)) throw;
    if (std::filesystem::file_size(text, ec) > (std::uintmax_t{1} << 20))
      throw usageError(option + " " + text + ": the coefficient file is larger than 1 MiB");
    std::ifstream in(text);
    std::stringstream content;
    content << in.rdbuf();
    std::string list = content.str();
    list.erase(std::remove_if(list.begin(), list.end(), [](unsigned char c) { return std::isspace(c); }), list.end());
    return parseNumberList(list, option + " " + text);
  }
}

MaskSpec toMaskSpec(const CommonOptions& o, Wording wording) {
  MaskSpec m;
  m.beta = o.beta;
  m.p = o.p;
  if (o.kernel == "custom") {
    if (!o.alpha.empty() && !o.f.empty()) throw usageError("--kernel custom takes --alpha or --f, not both");
    if (!o.f.empty()) {
      m.preset = MaskPreset::CustomF;
      m.f = parseCoefficients(o.f, "--f");
    } else if (!o.alpha.empty()) {
      m.preset = MaskPreset::Custom;
      m.alpha = parseCoefficients(o.alpha, "--alpha");
    } else {
      throw usageError("--kernel custom needs --alpha or --f");
    }
  } else {
    m.preset = parseMaskPreset(o.kernel);
  }
  validateWorded([&] { (void)MaskFunction(m); }, wording);  // the engine's rules (beta finite, p in range, ...)
  return m;
}

GrfOptions toGrfOptions(const CommonOptions& o, Wording wording) {
  GrfOptions g;
  g.walkers = o.walkers;
  g.pHalt = o.pHalt;
  g.maxLength = o.maxLen;
  g.sampling = parseSampling(o.sampling);
  g.ensemble = parseEnsemble(o.ensembles);
  g.seed = o.seed;
  g.threads = o.threads;
  g.memoryLimit = o.memoryLimit.empty() ? 0 : parseByteSize(o.memoryLimit, "--memory-limit");
  checkGrfOptions(g, wording);
  return g;
}

void checkGrfOptions(const GrfOptions& options, Wording wording) {
  validateWorded([&] { validateGrfOptions(options); }, wording);
}

void validateCommonOptions(const CommonOptions& o, Wording wording) {
  (void)toGraphOptions(o, wording);
  (void)toMaskSpec(o, wording);
  (void)toGrfOptions(o, wording);
}

void addTokenFileOptions(CLI::App& sub, TokenFileOption& tokens) {
  sub.add_option("--tokens", tokens.file,
                 "a model's own tokens: .npz with arrays q, k, v (N x d, or H x N x d for H heads; numpy.savez)");
  sub.add_option("--head", tokens.head, "with --tokens: the head to use, 0..H-1")->capture_default_str();
}

void checkTokenFileOptions(const TokenFileOption& tokens) {
  if (tokens.head < 0) throw usageError("--head " + std::to_string(tokens.head) + ": heads are numbered from 0");
  if (tokens.head != 0 && tokens.file.empty()) throw usageError("--head applies with --tokens FILE.npz only");
}

void checkDenseCapOption(std::int64_t cap, const std::string& option) {
  if (cap < 1 || cap > kMaxDenseNodes)
    throw usageError(option + " must be between 1 and " + std::to_string(kMaxDenseNodes) +
                     " (dense N x N matrices; larger graphs use rows of chosen nodes)");
}

LoadedGraph loadGraph(const std::string& path, const CommonOptions& options) {
  using Clock = std::chrono::steady_clock;
  validateCommonOptions(options);  // usage errors before any IO, for every shared option
  const GraphOptions graphOptions = toGraphOptions(options);
  LoadedGraph out;
  auto t0 = Clock::now();
  // "demo" names the built-in demo scene unless a file of that name exists.
  LoadOptions loadOptions;
  loadOptions.memoryLimit = graphOptions.memoryLimit;
  out.scene = path == "demo" && !std::filesystem::exists(path) ? makeDemoScene() : loadScene(path, loadOptions);
  auto t1 = Clock::now();
  out.graph = buildGraph(out.scene, graphOptions);
  auto t2 = Clock::now();
  out.loadSeconds = std::chrono::duration<double>(t1 - t0).count();
  out.graphSeconds = std::chrono::duration<double>(t2 - t1).count();
  return out;
}

}  // namespace topomask::opt
