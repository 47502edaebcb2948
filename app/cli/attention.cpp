// topomask attention FILE: every applicable attention algorithm of SPEC section 6 on the file's graph,
// with times, guarded normalisers, the query's attention row and the GRF error against the exact mask.
//
// Methods: those of the engine's registry (topomask/attention/methods.h) with `inCommand`: dense ones
// up to --dense-cap nodes, grid ones on pixel grids. Masked softmax is keyed "softmax" here
// (multiplicative or --additive).
// --out-prefix P writes P_rows.npy (one attention row of the query per method, in the order of
// `row_methods`), P_received.npy (the same for received attention) and P_grf_error.npy (per-node
// ||out_grf - out_exact||). --tokens F.npz [--head H] takes Q, K, V from a file (a model's own
// tokens) instead of the seeded projections of node features.
#include <optional>
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/cli.h"
#include "topomask/core/budget.h"
#include "topomask/attention/attention.h"
#include "topomask/attention/methods.h"
#include "topomask/core/error.h"
#include "topomask/core/output_file.h"
#include "topomask/core/npy.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask::cli {
namespace {

struct AttentionCommandOptions {
  CommonOptions common;
  std::string file;
  std::optional<std::int64_t> query;  // unset: defaultQuery (the grid's centre, else an end of the longest path)
  std::string kernelMap = "relu";
  int d = 16;
  int m = 16;
  std::string features;     // comma-separated node features; empty = all available
  std::string featureFile;
  bool absMask = false;
  bool additive = false;
  std::int64_t denseCap = 4096;
  std::string outPrefix;
  TokenFileOption tokens;
  bool projectionOptionGiven = false;  // --d, --features or --feature-file on the command line
};

double since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The key of a method in this command's JSON and text: the registry's name, except that masked
// softmax has been "softmax" here since the first version (scripts read it; unmasked softmax does
// not run in this command).
std::string commandKey(AttentionMethod method) {
  return method == AttentionMethod::SoftmaxMasked ? "softmax" : attentionMethodName(method);
}

struct MethodRun {
  AttentionMethod method;
  std::string name;
  AttentionOutput output;
  Eigen::VectorXd row;
  nlohmann::json extra = nlohmann::json::object();
};

nlohmann::json methodJson(const MethodRun& r, std::int64_t query) {
  nlohmann::json j = r.extra;
  j["seconds"] = r.output.seconds;
  j["guarded_rows"] = r.output.guardedRows;
  j["normaliser_min"] = r.output.normaliser.size() ? r.output.normaliser.minCoeff() : 0.0;
  Eigen::Index argmax = 0;
  const double maxValue = r.row.size() ? r.row.maxCoeff(&argmax) : 0.0;
  j["query_row"] = {{"node", query}, {"sum", r.row.sum()}, {"max", maxValue}, {"argmax", argmax},
                    {"min", r.row.size() ? r.row.minCoeff() : 0.0}};
  if (r.output.received.size())
    j["received"] = {{"sum", r.output.received.sum()}, {"max", r.output.received.maxCoeff()},
                     {"min", r.output.received.minCoeff()}};
  return j;
}

int run(const AttentionCommandOptions& o) {
  const MaskSpec spec = toMaskSpec(o.common);
  const GrfOptions grfOptions = toGrfOptions(o.common);
  if (o.d < 1 || o.d > kMaxHeadDimension) throw usageError("--d must be between 1 and " + std::to_string(kMaxHeadDimension));
  if (o.m < 1 || o.m > kMaxFeatureMapSize) throw usageError("--m must be between 1 and " + std::to_string(kMaxFeatureMapSize));
  checkDenseCapOption(o.denseCap, "--dense-cap");
  checkTokenFileOptions(o.tokens);
  const bool fromFile = !o.tokens.file.empty();
  if (fromFile && o.projectionOptionGiven)
    throw usageError("--d, --features and --feature-file shape the projections of node features; with --tokens "
                     "the file gives Q, K and V (and d)");
  if (!o.outPrefix.empty())
    for (const char* suffix : {"_rows.npy", "_received.npy", "_grf_error.npy"})
      refuseOutputOverInput(o.outPrefix + suffix, {o.file, o.featureFile, o.tokens.file}, "--out-prefix");
  if (o.query && *o.query < 0) throw usageError("--query " + std::to_string(*o.query) + ": node indices are non-negative");
  FeatureMap map;
  map.kind = parseFeatureMapKind(o.kernelMap);
  map.features = o.m;
  map.seed = o.common.seed;
  TokenOptions tokenOptions;
  tokenOptions.headDim = o.d;
  tokenOptions.seed = o.common.seed;
  tokenOptions.featureFile = o.featureFile;
  if (!o.features.empty()) {
    std::stringstream ss(o.features);
    std::string item;
    while (std::getline(ss, item, ',')) tokenOptions.features.push_back(parseNodeFeature(item));
  }
  const LoadedGraph loaded = loadGraph(o.file, o.common);
  const Graph& g = loaded.graph;
  const std::int64_t n = g.nodeCount();
  const std::int64_t query = o.query ? *o.query : defaultQuery(g);
  if (query >= n)
    throw usageError("--query " + std::to_string(query) + ": node index out of range (the graph has " +
                     std::to_string(n) + " nodes)");
  const MaskFunction fn(spec);

  auto t0 = std::chrono::steady_clock::now();
  TokenFileInfo fileInfo;
  if (fromFile) fileInfo = inspectTokenFile(o.tokens.file);  // shapes before any work
  const int d = fromFile ? static_cast<int>(fileInfo.dim) : o.d;
  const int dv = fromFile ? static_cast<int>(fileInfo.valueDim) : o.d;
  checkAttentionCost(n, featureCount(map, d), dv, toGraphOptions(o.common).memoryLimit);
  const AttentionInputs in = makeAttentionInputs(
      fromFile ? readTokenFile(o.tokens.file, o.tokens.head, n, &fileInfo) : makeTokens(g, tokenOptions), map,
      o.common.threads);
  const double tokenSeconds = since(t0);

  AttentionOptions ao;
  ao.threads = o.common.threads;
  ao.gridWidth = g.gridWidth;
  AttentionOptions denseOptions = ao;
  denseOptions.absMask = o.absMask;

  MaskOperatorOptions mo;
  mo.threads = o.common.threads;
  t0 = std::chrono::steady_clock::now();
  const MaskOperator op(g, fn, mo);
  const double operatorSeconds = since(t0);

  const bool dense = n <= o.denseCap;
  Eigen::MatrixXd exactDense;
  double denseMaskSeconds = 0;
  if (dense) {
    t0 = std::chrono::steady_clock::now();
    DenseMaskOptions dmo;
    dmo.maxNodes = o.denseCap;
    exactDense = denseMask(g, fn, dmo);
    denseMaskSeconds = since(t0);
  }
  t0 = std::chrono::steady_clock::now();
  const GrfFeatures features = sampleFeatures(g, fn, grfOptions);
  const double featureSeconds = since(t0);
  const bool grid = isTokenGrid(g);
  ToeplitzMask toeplitz;
  if (grid) toeplitz = gridToeplitzMask(g, op, 1e-9);
  AttentionMasks masks;
  masks.exact = &op;
  masks.exactDense = dense ? &exactDense : nullptr;
  masks.grf = &features;
  masks.toeplitz = grid ? &toeplitz : nullptr;

  // Every method of the registry that this command runs and that applies here (dense ones up to
  // --dense-cap nodes, grid ones on pixel grids), in the registry's order.
  std::vector<MethodRun> runs;
  for (const AttentionMethodInfo& info : attentionMethods()) {
    if (!info.inCommand || (info.dense && !dense) || (info.gridOnly && !grid)) continue;
    AttentionOptions mo = info.dense || info.mask == MaskSource::Toeplitz ? denseOptions : ao;  // --abs-mask
    if (info.kernel == DenseKernel::Softmax) mo.additiveMask = o.additive;
    MethodRun r{info.method, commandKey(info.method), runAttentionMethod(info.method, in, masks, mo), {}, {}};
    r.row = methodAttentionRow(info.method, in, masks, query, r.output.floor, mo);
    const std::string kernel = info.kernel == DenseKernel::Softmax ? "softmax" : featureMapName(map.kind);
    switch (info.method) {
      case AttentionMethod::Dense:
        r.extra = {{"kernel", kernel}, {"mask", "exact (eigendecomposition)"}, {"mask_seconds", denseMaskSeconds},
                   {"abs_mask", o.absMask}};
        break;
      case AttentionMethod::SoftmaxMasked:
        r.extra = {{"kernel", kernel}, {"mask", "exact (eigendecomposition)"},
                   {"form", o.additive ? "additive" : "multiplicative"}, {"abs_mask", o.absMask}};
        break;
      case AttentionMethod::Linear: r.extra = {{"kernel", kernel}, {"mask", "none"}}; break;
      case AttentionMethod::ExactMasked:
        r.extra = {{"kernel", kernel}, {"mask", "exact (propagation)"}, {"terms", op.terms()},
                   {"tail_bound", op.tailBound()}};
        break;
      case AttentionMethod::GrfMasked:
        r.extra = {{"kernel", kernel}, {"mask", "GRF estimate"},
                   {"features_seconds", featureSeconds}, {"walkers", grfOptions.walkers},
                   {"p_halt", grfOptions.pHalt}, {"ensemble", ensembleName(grfOptions.ensemble)},
                   {"sampling", samplingName(grfOptions.sampling)},
                   {"nnz_per_row", features.query().meanNonZerosPerRow()}};
        break;
      case AttentionMethod::ToeplitzFft:
        r.extra = {{"kernel", kernel},
                   {"mask", "block-Toeplitz: g(offset) from the centre pixel's exact row (a different mask family)"},
                   {"radius", {toeplitz.radiusX, toeplitz.radiusY}}};
        break;
      default: r.extra = {{"kernel", kernel}, {"mask", info.label}}; break;
    }
    runs.push_back(std::move(r));
  }

  const AttentionOutput* exact = nullptr;
  const AttentionOutput* grfOut = nullptr;
  Eigen::VectorXd exactA, grfA;  // the query's attention rows
  for (const auto& r : runs) {
    if (r.method == AttentionMethod::ExactMasked) exact = &r.output, exactA = r.row;
    if (r.method == AttentionMethod::GrfMasked) grfOut = &r.output, grfA = r.row;
  }
  // Compared with exact_masked: methods with the same kernel and the same mask family.
  auto comparable = [](const MethodRun& r) {
    const AttentionMethodInfo& info = attentionMethodInfo(r.method);
    return info.kernel == DenseKernel::FeatureMap && info.mask != MaskSource::Toeplitz;
  };
  auto otherFamily = [](const MethodRun& r) { return attentionMethodInfo(r.method).mask == MaskSource::Toeplitz; };
  auto otherKernel = [](const MethodRun& r) { return attentionMethodInfo(r.method).kernel == DenseKernel::Softmax; };
  const Eigen::VectorXd grfRowErrors = rowErrors(grfOut->out, exact->out);
  nlohmann::json j;
  j["file"] = o.file;
  j["nodes"] = n;
  j["edges"] = g.edgeCount();
  j["query"] = query;
  j["d"] = d;
  j["d_v"] = dv;
  j["m"] = featureCount(map, d);
  if (fromFile)
    j["tokens"] = {{"source", "file"}, {"file", o.tokens.file}, {"head", o.tokens.head}, {"heads", fileInfo.heads}};
  else
    j["tokens"] = {{"source", "projections"}, {"seed", o.common.seed}};
  j["kernel_map"] = featureMapName(map.kind);
  j["mask"] = {{"kernel", fn.name()}, {"formula", fn.formula()}};
  j["seconds"] = {{"load", loaded.loadSeconds}, {"graph", loaded.graphSeconds}, {"tokens", tokenSeconds},
                  {"mask_operator", operatorSeconds}};
  nlohmann::json methods = nlohmann::json::object();
  nlohmann::json rowMethods = nlohmann::json::array();
  for (const auto& r : runs) {
    nlohmann::json mj = methodJson(r, query);
    if (&r.output != exact && comparable(r)) mj["rel_error_vs_exact"] = relativeError(r.output.out, exact->out);
    if (otherFamily(r)) mj["rel_difference_vs_exact"] = relativeError(r.output.out, exact->out);
    methods[r.name] = mj;
    rowMethods.push_back(r.name);
  }
  j["methods"] = methods;
  j["row_methods"] = rowMethods;
  j["error"] = {{"grf_vs_exact", relativeError(grfOut->out, exact->out)},
                {"grf_row_error_mean", grfRowErrors.mean()},
                {"grf_row_error_max", grfRowErrors.maxCoeff()}};
  // L1 distance of the GRF and exact attention rows of the query.
  j["error"]["grf_query_row_l1"] = (grfA - exactA).lpNorm<1>();
  for (const auto& r : runs)
    if (r.method == AttentionMethod::Dense) j["error"]["dense_vs_exact_masked"] = relativeError(r.output.out, exact->out);

  if (!o.outPrefix.empty()) {
    Eigen::MatrixXd rows(static_cast<Eigen::Index>(runs.size()), n);
    Eigen::MatrixXd received(static_cast<Eigen::Index>(runs.size()), n);
    for (std::size_t k = 0; k < runs.size(); ++k) {
      rows.row(static_cast<Eigen::Index>(k)) = runs[k].row.transpose();
      received.row(static_cast<Eigen::Index>(k)) = runs[k].output.received.transpose();
    }
    writeNpy(o.outPrefix + "_rows.npy", rows);
    writeNpy(o.outPrefix + "_received.npy", received);
    writeNpy(o.outPrefix + "_grf_error.npy", grfRowErrors);
    j["files"] = {o.outPrefix + "_rows.npy", o.outPrefix + "_received.npy", o.outPrefix + "_grf_error.npy"};
  }

  if (o.common.json) {
    printJson(j);
    return 0;
  }
  std::cout << "attention on " << o.file << " (" << n << " nodes, " << g.edgeCount() << " edges), query " << query
            << ", d = " << d << ", phi = " << featureMapName(map.kind) << " (m = " << featureCount(map, d)
            << "), mask " << fn.formula() << "\n";
  if (fromFile)
    std::cout << "  tokens: head " << o.tokens.head << " of " << fileInfo.heads << " from " << o.tokens.file << " (d_v = " << dv
              << ")\n";
  std::cout << std::left << std::setw(16) << "  method" << std::setw(12) << "seconds" << std::setw(10) << "guarded"
            << std::setw(14) << "row max" << "rel. error vs exact_masked\n";
  for (const auto& r : runs) {
    std::cout << "  " << std::setw(14) << r.name << std::setw(12) << std::setprecision(4) << r.output.seconds
              << std::setw(10) << r.output.guardedRows << std::setw(14) << std::setprecision(4) << r.row.maxCoeff();
    if (otherKernel(r))
      std::cout << "(different kernel)";
    else if (otherFamily(r))
      std::cout << relativeError(r.output.out, exact->out) << " (different mask family)";
    else
      std::cout << relativeError(r.output.out, exact->out);
    std::cout << "\n";
  }
  std::cout << "  GRF features " << featureSeconds << " s (" << grfOptions.walkers << " walkers, p_halt "
            << grfOptions.pHalt << ", " << features.query().meanNonZerosPerRow() << " non-zeros per row)\n"
            << "  grf_vs_exact " << j["error"]["grf_vs_exact"].get<double>() << " (relative error of the outputs)\n";
  for (const auto& r : runs)
    if (r.output.guardedRows > 0)
      std::cout << "  note: " << r.name << ": " << r.output.guardedRows
                << " rows have no positive attention mass (normaliser below the floor); their outputs are 0\n";
  return 0;
}

}  // namespace

void addAttentionCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<AttentionCommandOptions>();
  CLI::App* sub = root.add_subcommand("attention", "Attention with and without the topological mask: all algorithms");
  sub->add_option("FILE", o->file, "mesh, point cloud, image or graph")->required();
  sub->add_option("--query", o->query, "query node (default: the centre of a pixel grid, else an end of the graph's longest path)");
  sub->add_option("--kernel-map", o->kernelMap, "feature map of linear attention: " + featureMapTable().list())
      ->capture_default_str();
  sub->add_option("--d", o->d, "head dimension d")->capture_default_str();
  sub->add_option("--m", o->m, "random features of FAVOR+ (relu and elu use m = d)")->capture_default_str();
  sub->add_option("--features", o->features, "node features, comma-separated: " + nodeFeatureTable().list());
  sub->add_option("--feature-file", o->featureFile, "per-node features (.npy or .csv, one row per node)");
  sub->add_flag("--abs-mask", o->absMask, "use |M| in the dense and Toeplitz algorithms");
  sub->add_flag("--additive", o->additive, "softmax: add M inside the exponential instead of multiplying");
  sub->add_option("--dense-cap", o->denseCap, "largest N for the dense algorithms")->capture_default_str();
  sub->add_option("--out-prefix", o->outPrefix, "write P_rows.npy, P_received.npy, P_grf_error.npy");
  addTokenFileOptions(*sub, o->tokens);
  addCommonOptions(*sub, o->common);
  sub->callback([&action, o, sub] {
    o->projectionOptionGiven = sub->count("--d") + sub->count("--features") + sub->count("--feature-file") > 0;
    action = [o] { return run(*o); };
  });
}

}  // namespace topomask::cli
