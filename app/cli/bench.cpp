// topomask bench: time and peak memory of each attention algorithm against N on generated graphs.
//
// Each (N, method) runs in its own forked child process, which generates the graph, the tokens and
// whatever the method needs (GRF features, the mask operator, M_hat) once, then times only the method.
// peak_rss_mb is the child's peak resident set (getrusage ru_maxrss via wait4): the memory needed to
// run that method at that N from scratch, inputs included. baseline_rss_mb (a child that does
// nothing) is what every child inherits from the command itself.
//
// Methods (isBenchMethod): grf_features (sampling Phi), the GRF-masked method (O(N) linear attention, features
// given), exact_masked (propagation, mask operator construction included), linear (unmasked),
// dense (masked softmax with the same GRF estimate materialised as an N x N float matrix; N <=
// --dense-max; its materialisation is timed separately as materialise_seconds), mask_row (one exact
// mask row of the centre node), toeplitz_fft (grid4 only). With --graph path and no explicit options
// the paper's cost-versus-N settings are used (n = 4 walkers, p_halt = 0.5, d = m = 8); on other
// graphs n = 16, p_halt = 0.1, d = m = 16. Each child repeats its method --repeat times (N <=
// --repeat-max) and reports the fastest run.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli.h"
#include "topomask/core/budget.h"
#include "topomask/attention/attention.h"
#include "topomask/attention/methods.h"
#include "topomask/core/error.h"
#include "topomask/core/parallel.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask::cli {
namespace {

// What bench times: three measurements of its own (sampling the features; the quadratic baseline
// `dense`, masked softmax on the GRF estimate materialised as N x N floats; one exact mask row), and
// the registry's attention methods that are not dense, under their registry names.
constexpr const char* kBenchOnly[] = {"grf_features", "dense", "mask_row"};
bool isBenchOnly(const std::string& name) {
  return std::find(std::begin(kBenchOnly), std::end(kBenchOnly), name) != std::end(kBenchOnly);
}
bool isBenchMethod(const std::string& name) {
  if (isBenchOnly(name)) return true;
  for (const AttentionMethodInfo& m : attentionMethods())
    if (name == m.name) return !m.dense;
  return false;
}
// The default --methods: grf_features, then GRF-masked, exact-masked, linear, dense, mask_row, Toeplitz.
std::string defaultBenchMethods() {
  const std::string grf = attentionMethodName(AttentionMethod::GrfMasked);
  const std::string exact = attentionMethodName(AttentionMethod::ExactMasked);
  const std::string linear = attentionMethodName(AttentionMethod::Linear);
  const std::string toeplitz = attentionMethodName(AttentionMethod::ToeplitzFft);
  return "grf_features," + grf + "," + exact + "," + linear + ",dense,mask_row," + toeplitz;
}

struct BenchOptions {
  CommonOptions common;
  std::string sizes;
  std::string methods = defaultBenchMethods();
  std::string kernelMap = "relu";
  int d = 0;  // 0: the defaults of the graph kind (see the header)
  int m = 0;
  std::int64_t denseMax = 16384;
  int repeat = 3;               // runs per (N, method) up to repeatMax nodes; the fastest is kept
  std::int64_t repeatMax = 65536;
  bool walkersGiven = false;
  bool pHaltGiven = false;
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Setting {
  std::string graph;  // path, grid4, mesh, knn
  int d = 16;
  int m = 16;
  GrfOptions grf;
  FeatureMap map;
  GraphOptions graphOptions;
  MaskSpec mask;
};

Graph makeGraph(const Setting& s, std::int64_t n) {
  GraphOptions go = s.graphOptions;
  const int h = std::max(1, static_cast<int>(std::floor(std::sqrt(static_cast<double>(n)))));
  const int w = static_cast<int>(std::max<std::int64_t>(1, n / h));
  if (s.graph == "path") {
    go.kind = GraphKind::Auto;
    return buildGraph(makePathScene(n), go);
  }
  if (s.graph == "grid4") {
    go.kind = GraphKind::Grid4;
    return buildGraph(makeImageScene(w, h, 0), go);
  }
  if (s.graph == "mesh") {
    go.kind = GraphKind::Mesh;
    return buildGraph(makeSheetMeshScene(w, h), go);
  }
  go.kind = GraphKind::Knn;
  return buildGraph(makePointScene(n, 0), go);
}

std::int64_t centreNode(const Graph& g) {
  if (g.gridWidth > 0) return static_cast<std::int64_t>(g.gridHeight / 2) * g.gridWidth + g.gridWidth / 2;
  return g.nodeCount() / 2;
}

// Runs one method `repeat` times in this (child) process on inputs built once (the graph, the tokens
// and whatever the method needs: GRF features, the mask operator, M_hat), timing only the method, and
// returns its JSON record: `seconds` is the fastest call (the estimate least disturbed by other load,
// and the steady state of a session that calls the method again), `first_call_seconds` the first one,
// which also pays for memory the process has not touched before; extras come from the fastest call.
nlohmann::json runMethod(const Setting& s, std::int64_t n, const std::string& method, int threads, int repeat) {
  nlohmann::json r;
  repeat = std::max(repeat, 1);
  r["repeats"] = repeat;
  double best = -1.0, first = -1.0;
  // Calls `once` repeat times; `once` returns its seconds and may fill `extra`.
  auto timeCalls = [&](auto&& once) {
    for (int k = 0; k < repeat; ++k) {
      nlohmann::json extra = nlohmann::json::object();
      const double t = once(extra);
      if (k == 0) first = t;
      if (best < 0 || t < best) {
        best = t;
        for (auto it = extra.begin(); it != extra.end(); ++it) r[it.key()] = it.value();
      }
    }
    r["seconds"] = best;
    r["first_call_seconds"] = first;
  };
  if (method == "noop") {
    timeCalls([](nlohmann::json&) { return 0.0; });
    return r;
  }
  const Graph g = makeGraph(s, n);
  r["n_actual"] = g.nodeCount();
  const MaskFunction fn(s.mask);
  TokenOptions to;
  to.headDim = s.d;
  to.seed = s.grf.seed;
  AttentionInputs in;
  {
    const Tokens tokens = makeTokens(g, to);
    in = makeAttentionInputs(tokens, s.map, threads);
  }
  if (method != "dense") {  // only softmax reads Q and K
    in.queries.resize(0, 0);
    in.keys.resize(0, 0);
  }
  AttentionOptions ao;
  ao.threads = threads;
  ao.received = false;
  ao.gridWidth = g.gridWidth;
  MaskOperatorOptions mo;
  mo.threads = threads;
  if (method == "grf_features") {
    timeCalls([&](nlohmann::json& x) {
      const GrfFeatures f = sampleFeatures(g, fn, s.grf);
      x["nnz_per_row"] = f.query().meanNonZerosPerRow();
      x["feature_mb"] = static_cast<double>(f.query().bytes() + (f.keyIsQuery() ? 0 : f.key().bytes())) / 1048576.0;
      return f.seconds;
    });
  } else if (method == "dense") {
    const GrfFeatures f = sampleFeatures(g, fn, s.grf);
    const auto t0 = std::chrono::steady_clock::now();
    const Eigen::MatrixXf mhat = grfDenseEstimateFloat(viewOf(f.query()), viewOf(f.key()), threads);
    r["materialise_seconds"] = since(t0);
    r["kernel"] = "softmax, multiplicative mask M_hat (N x N float)";
    timeCalls([&](nlohmann::json& x) {
      const AttentionOutput out = denseAttention(in, DenseKernel::Softmax, mhat, ao);
      x["guarded_rows"] = out.guardedRows;
      return out.seconds;
    });
  } else if (method == "mask_row") {
    const MaskOperator op(g, fn, mo);
    r["terms"] = op.terms();
    timeCalls([&](nlohmann::json& x) {
      const auto t0 = std::chrono::steady_clock::now();
      const Eigen::VectorXd row = op.row(centreNode(g));
      const double t = since(t0);
      x["row_nonzeros"] = (row.array() != 0.0).count();
      return t;
    });
  } else {
    // A method of the engine's registry: its mask is built before the timed calls, except the exact
    // mask operator, whose construction is part of exact_masked's cost.
    const AttentionMethod am = parseAttentionMethod(method);
    const AttentionMethodInfo& info = attentionMethodInfo(am);
    AttentionMasks masks;
    GrfFeatures f;
    ToeplitzMask t;
    if (info.mask == MaskSource::Grf) {
      f = sampleFeatures(g, fn, s.grf);
      r["features_seconds"] = f.seconds;
      r["nnz_per_row"] = f.query().meanNonZerosPerRow();
      masks.grf = &f;
    } else if (info.mask == MaskSource::Toeplitz) {
      const MaskOperator op(g, fn, mo);
      t = gridToeplitzMask(g, op, 1e-9);
      r["radius"] = {t.radiusX, t.radiusY};
      masks.toeplitz = &t;
    }
    if (info.mask == MaskSource::Exact) {
      timeCalls([&](nlohmann::json& x) {
        const auto t0 = std::chrono::steady_clock::now();
        const MaskOperator op(g, fn, mo);
        masks.exact = &op;
        const AttentionOutput out = runAttentionMethod(am, in, masks, ao);
        masks.exact = nullptr;
        x["terms"] = op.terms();
        return since(t0);
      });
    } else {
      timeCalls([&](nlohmann::json& x) {
        const AttentionOutput out = runAttentionMethod(am, in, masks, ao);
        if (info.mask == MaskSource::Grf) x["guarded_rows"] = out.guardedRows;
        return out.seconds;
      });
    }
  }
  return r;
}

// Forks, runs the method in the child, and returns its record with peak_rss_mb.
nlohmann::json runInChild(const Setting& s, std::int64_t n, const std::string& method, int threads, int repeat) {
  int fds[2];
  if (pipe(fds) != 0) throw Error("bench: cannot create a pipe");
  std::cout.flush();
  std::cerr.flush();
  const pid_t pid = fork();
  if (pid < 0) throw Error("bench: cannot fork");
  if (pid == 0) {
    close(fds[0]);
    std::string text;
    int code = 0;
    try {
      text = runMethod(s, n, method, threads, repeat).dump();
    } catch (const std::exception& e) {
      text = nlohmann::json{{"error", e.what()}}.dump();
      code = 1;
    }
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t k = write(fds[1], p, left);
      if (k <= 0) break;
      p += k;
      left -= static_cast<std::size_t>(k);
    }
    close(fds[1]);
    _exit(code);
  }
  close(fds[1]);
  std::string text;
  char buf[4096];
  ssize_t k;
  while ((k = read(fds[0], buf, sizeof buf)) > 0) text.append(buf, static_cast<std::size_t>(k));
  close(fds[0]);
  int status = 0;
  struct rusage usage {};
  wait4(pid, &status, 0, &usage);
  nlohmann::json r;
  if (!text.empty()) r = nlohmann::json::parse(text, nullptr, false);
  if (r.is_discarded() || !r.is_object()) r = nlohmann::json::object();
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (!r.contains("error"))
      r["error"] = WIFSIGNALED(status) ? "killed by signal " + std::to_string(WTERMSIG(status)) : "failed";
  }
  r["peak_rss_mb"] = static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
  return r;
}

int run(const BenchOptions& o) {
  Setting s;
  s.graph = o.common.graph == "auto" ? "path" : o.common.graph;
  if (s.graph != "path" && s.graph != "grid4" && s.graph != "mesh" && s.graph != "knn")
    throw usageError("--graph: bench generates path, grid4, mesh or knn graphs, not '" + s.graph + "'");
  const bool paper = s.graph == "path";
  s.graphOptions = toGraphOptions([&] {
    CommonOptions c = o.common;
    c.graph = "auto";
    return c;
  }());
  s.mask = toMaskSpec(o.common);
  s.grf = toGrfOptions(o.common);
  if (!o.walkersGiven) s.grf.walkers = paper ? 4 : 16;
  if (!o.pHaltGiven) s.grf.pHalt = paper ? 0.5 : 0.1;
  if (o.d > kMaxHeadDimension || o.m > kMaxFeatureMapSize)
    throw usageError("--d must be at most " + std::to_string(kMaxHeadDimension) + " and --m at most " +
                     std::to_string(kMaxFeatureMapSize));
  s.d = o.d > 0 ? o.d : (paper ? 8 : 16);
  s.map.kind = parseFeatureMapKind(o.kernelMap);
  s.map.features = o.m > 0 ? o.m : s.d;
  s.map.seed = o.common.seed;
  s.m = featureCount(s.map, s.d);
  checkGrfOptions(s.grf);

  std::vector<std::int64_t> sizes;
  if (o.sizes.empty()) {
    for (std::int64_t n = 64; n <= (1 << 20); n *= 4) sizes.push_back(n);
  } else {
    sizes = parseIntegerList(o.sizes, "--sizes");
  }
  for (auto n : sizes) {
    if (n < 4 || n > (1 << 24)) throw usageError("--sizes: every size must be between 4 and 16777216 (2^24)");
    checkGrfCost(n, MaskFunction(s.mask), s.grf);  // every size's sampling fits, before the first child
    checkAttentionCost(n, s.m, s.d, s.grf.memoryLimit);
  }
  std::vector<std::string> methods;
  {
    std::stringstream ss(o.methods);
    std::string item;
    while (std::getline(ss, item, ',')) {
      if (!isBenchMethod(item)) throw usageError("--methods: unknown method '" + item + "'");
      if (!isBenchOnly(item) && attentionMethodInfo(parseAttentionMethod(item)).gridOnly && s.graph != "grid4")
        continue;
      methods.push_back(item);
    }
  }

  const double baseline = runInChild(s, 4, "noop", o.common.threads, 1)["peak_rss_mb"].get<double>();
  nlohmann::json rows = nlohmann::json::array();
  if (!o.common.json)
    std::cout << "bench on generated " << s.graph << " graphs: " << s.grf.walkers << " walkers, p_halt "
              << s.grf.pHalt << ", d = " << s.d << ", m = " << s.m << ", phi = " << featureMapName(s.map.kind)
              << ", threads " << resolveThreads(o.common.threads) << " (baseline RSS " << std::setprecision(4)
              << baseline << " MB)\n"
              << std::left << std::setw(10) << "  n" << std::setw(14) << "method" << std::setw(14) << "seconds"
              << std::setw(14) << "first_call_s" << "peak_rss_mb\n";
  for (std::int64_t n : sizes)
    for (const auto& method : methods) {
      if (method == "dense" && n > o.denseMax) continue;
      nlohmann::json r = runInChild(s, n, method, o.common.threads, n <= o.repeatMax ? o.repeat : 1);
      r["n"] = n;
      r["method"] = method;
      if (!r.contains("seconds")) r["seconds"] = nullptr;
      if (!o.common.json) {
        std::cout << "  " << std::setw(8) << n << std::setw(14) << method;
        for (const char* key : {"seconds", "first_call_seconds"}) {
          if (r.contains(key) && r[key].is_number())
            std::cout << std::setw(14) << std::setprecision(4) << r[key].get<double>();
          else
            std::cout << std::setw(14) << "-";
        }
        std::cout << std::setprecision(5) << r["peak_rss_mb"].get<double>();
        if (r.contains("error")) std::cout << "  error: " << r["error"].get<std::string>();
        std::cout << std::endl;
      }
      rows.push_back(r);
    }

  // Summary: linear scaling of the GRF-masked method (time ratio for 16x more nodes), dense/grf ratios, crossover.
  const std::string grfName = attentionMethodName(AttentionMethod::GrfMasked);
  auto seconds = [&](std::int64_t n, const std::string& m) -> double {
    for (const auto& r : rows)
      if (r["n"] == n && r["method"] == m && r["seconds"].is_number()) return r["seconds"].get<double>();
    return -1.0;
  };
  nlohmann::json summary = nlohmann::json::object();
  nlohmann::json scaling = nlohmann::json::array();
  for (std::int64_t n : sizes) {
    const double a = seconds(n, grfName), b = seconds(16 * n, grfName);
    if (a > 0 && b > 0) scaling.push_back({{"n", n}, {"n_16x", 16 * n}, {"time_ratio", b / a}});
  }
  summary[grfName + "_16x_scaling"] = scaling;
  nlohmann::json ratios = nlohmann::json::array();
  std::int64_t crossover = -1;
  bool denseFasterSeen = false;
  for (std::int64_t n : sizes) {
    const double dense = seconds(n, "dense"), grf = seconds(n, grfName);
    if (dense > 0 && grf > 0) {
      ratios.push_back({{"n", n}, {"dense_over_" + grfName, dense / grf}});
      if (dense < grf) {
        denseFasterSeen = true;
        crossover = -1;
      } else if (crossover < 0) {
        crossover = n;
      }
    }
  }
  summary["dense_over_" + grfName] = ratios;
  summary["crossover_n"] = crossover >= 0 ? nlohmann::json(crossover) : nlohmann::json(nullptr);
  summary["dense_faster_below_crossover"] = denseFasterSeen;
  std::size_t failed = 0;
  std::string firstError;
  for (const auto& r : rows)
    if (r.contains("error")) {
      if (failed++ == 0) firstError = "n = " + std::to_string(r["n"].get<std::int64_t>()) + ", " +
                                      r["method"].get<std::string>() + ": " + r["error"].get<std::string>();
    }

  nlohmann::json j;
  j["graph"] = s.graph;
  j["settings"] = {{"walkers", s.grf.walkers}, {"p_halt", s.grf.pHalt}, {"d", s.d}, {"m", s.m},
                   {"kernel_map", featureMapName(s.map.kind)}, {"mask", MaskFunction(s.mask).formula()},
                   {"ensemble", ensembleName(s.grf.ensemble)}, {"threads", resolveThreads(o.common.threads)}};
  j["baseline_rss_mb"] = baseline;
  j["rows"] = rows;
  j["summary"] = summary;
  if (o.common.json) {
    printJson(j);
  } else {
    for (const auto& r : scaling)
      std::cout << "  " << grfName << " time ratio N = " << r["n_16x"] << " vs " << r["n"] << ": "
                << r["time_ratio"].get<double>() << "\n";
    for (const auto& r : ratios)
      std::cout << "  dense / " << grfName << " at N = " << r["n"] << ": " << r["dense_over_" + grfName].get<double>()
                << "\n";
    if (crossover >= 0) std::cout << "  crossover: " << grfName << " is faster from N = " << crossover << " on\n";
  }
  if (failed > 0) {  // the table is printed; the status says that it is incomplete
    std::cerr << "topomask: bench: " << failed << " of " << rows.size() << " runs failed (" << firstError << ")\n";
    return 3;
  }
  return 0;
}

}  // namespace

void addBenchCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<BenchOptions>();
  CLI::App* sub = root.add_subcommand("bench", "Time and peak memory of the attention algorithms against N");
  sub->add_option("--sizes", o->sizes, "comma-separated N (default 64,256,...,1048576)");
  sub->add_option("--methods", o->methods, "comma-separated methods")->capture_default_str();
  sub->add_option("--kernel-map", o->kernelMap, featureMapTable().list())->capture_default_str();
  sub->add_option("--d", o->d, "head dimension (default 8 on path, 16 otherwise)");
  sub->add_option("--m", o->m, "FAVOR+ features (default d)");
  sub->add_option("--dense-max", o->denseMax, "largest N for the dense method")->capture_default_str();
  sub->add_option("--repeat", o->repeat, "runs per (N, method), fastest kept")->capture_default_str();
  sub->add_option("--repeat-max", o->repeatMax, "largest N that is repeated")->capture_default_str();
  addCommonOptions(*sub, o->common);
  sub->callback([&action, o, sub] {
    o->walkersGiven = sub->count("--walkers") > 0;
    o->pHaltGiven = sub->count("--p-halt") > 0;
    action = [o] { return run(*o); };
  });
}

}  // namespace topomask::cli
