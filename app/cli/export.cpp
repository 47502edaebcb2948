// topomask export FILE --what features|tokens|mask|attention --out F.npy, or --what grf|grf_keys
// --out F.npz: arrays for other tools.
//
//  * features:  the node features X (N x F) the tokens are projected from; the last column is the
//               constant 1 (bias). Q, K, V follow from X and --seed (tokens.h).
//  * tokens:    [Q | K | V] side by side (N x 3d; N x (2d + d_v) with --tokens).
//  * mask:      exact mask rows of the --query nodes (Q x N, by propagation), or without --query the
//               dense exact mask (N x N, N <= --dense-cap).
//  * attention: the outputs (N x d) of --method (exact_masked by default, or any method of the
//               registry, topomask/attention/methods.h); with --query, the attention rows of those
//               queries (Q x N) instead.
//  * grf:       the query-side graph random features Phi_Q (N x N CSR, float32) as a SciPy sparse
//               archive (scipy.sparse.load_npz); grf_keys: the key side Phi_K (Phi_Q itself for the
//               shared ensemble on a symmetric W, the identity for the asymmetric one). With the same
//               options and seed, Phi_Q Phi_K^T is the estimate of `mask --dense`. --nodes A:B writes
//               rows A..B-1 only ((B - A) x N), bit for bit those rows of the full export, walking
//               only the walks of those rows.
// --tokens F.npz [--head H] (tokens and attention): Q, K, V from a file instead of the projections.
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
#include "topomask/core/npz.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask::cli {
namespace {

struct ExportOptions {
  CommonOptions common;
  std::string file;
  std::string what;
  std::string out;
  std::string method = attentionMethodName(AttentionMethod::ExactMasked);
  std::vector<std::int64_t> queries;
  std::string kernelMap = "relu";
  int d = 16;
  int m = 16;
  std::string featureFile;
  std::int64_t denseCap = 4096;
  std::string nodes;  // "A:B", grf and grf_keys only
  TokenFileOption tokens;
  bool projectionOptionGiven = false;  // --d or --feature-file on the command line
};

// --what grf | grf_keys: one side of the features, all rows or the --nodes shard, as a SciPy CSR .npz.
int runGrf(const ExportOptions& o) {
  const MaskSpec spec = toMaskSpec(o.common);
  const GrfOptions grfOptions = toGrfOptions(o.common);
  const LoadedGraph loaded = loadGraph(o.file, o.common);
  const Graph& g = loaded.graph;
  const NodeRange range = o.nodes.empty() ? NodeRange{0, g.nodeCount()} : parseNodeRange(o.nodes, g.nodeCount(), "--nodes");
  const GrfSide side = o.what == "grf" ? GrfSide::Query : GrfSide::Key;
  const SparseFeatures phi = sampleFeatureRows(g, MaskFunction(spec), grfOptions, side, range.begin, range.end);
  writeCsrNpz(o.out, phi.rows, phi.cols, phi.offsets.data(), phi.indices.data(), phi.values.data());
  if (o.common.json) {
    printJson({{"file", o.file}, {"what", o.what}, {"out", o.out}, {"side", grfSideName(side)},
               {"ensemble", ensembleName(grfOptions.ensemble)}, {"nodes", {range.begin, range.end}},
               {"shape", {phi.rows, phi.cols}}, {"nnz", phi.nonZeros()}});
  } else {
    std::cout << "wrote " << o.out << " (" << phi.rows << " x " << phi.cols << " CSR, " << phi.nonZeros()
              << " float32 non-zeros, " << grfSideName(side) << " side, rows " << range.begin << ".." << range.end - 1
              << ")\n";
  }
  return 0;
}

int run(const ExportOptions& o) {
  const bool grf = o.what == "grf" || o.what == "grf_keys";
  if (o.what != "features" && o.what != "tokens" && o.what != "mask" && o.what != "attention" && !grf)
    throw usageError("--what must be features, tokens, mask, attention, grf or grf_keys, not '" + o.what + "'");
  if (o.out.empty()) throw usageError(grf ? "--out F.npz is required" : "--out F.npy is required");
  refuseOutputOverInput(o.out, {o.file, o.featureFile, o.tokens.file}, "--out");
  if (!o.nodes.empty() && !grf) throw usageError("--nodes A:B applies to --what grf and grf_keys only");
  checkTokenFileOptions(o.tokens);
  const bool fromFile = !o.tokens.file.empty();
  if (fromFile && o.what != "tokens" && o.what != "attention")
    throw usageError("--tokens applies to --what tokens and attention only");
  if (fromFile && o.projectionOptionGiven)
    throw usageError("--d and --feature-file shape the projections of node features; with --tokens the file gives "
                     "Q, K and V (and d)");
  if (grf) return runGrf(o);
  if (o.d < 1 || o.d > kMaxHeadDimension) throw usageError("--d must be between 1 and " + std::to_string(kMaxHeadDimension));
  if (o.m < 1 || o.m > kMaxFeatureMapSize) throw usageError("--m must be between 1 and " + std::to_string(kMaxFeatureMapSize));
  checkDenseCapOption(o.denseCap, "--dense-cap");
  AttentionMethod method{};
  try {
    method = parseAttentionMethod(o.method);  // usage error before any IO
  } catch (const Error& e) {
    throw usageError(std::string("--method: ") + e.what());
  }
  const MaskSpec spec = toMaskSpec(o.common);
  const GrfOptions grfOptions = toGrfOptions(o.common);
  const LoadedGraph loaded = loadGraph(o.file, o.common);
  const Graph& g = loaded.graph;
  const std::int64_t n = g.nodeCount();
  for (std::int64_t q : o.queries)
    if (q < 0 || q >= n)
      throw usageError("--query " + std::to_string(q) + ": node index out of range (the graph has " +
                       std::to_string(n) + " nodes)");
  TokenOptions to;
  to.headDim = o.d;
  to.seed = o.common.seed;
  to.featureFile = o.featureFile;
  const MaskFunction fn(spec);
  MaskOperatorOptions mo;
  mo.threads = o.common.threads;

  // The tokens of --what tokens and attention: the file's, or the projections.
  auto tokens = [&] { return fromFile ? readTokenFile(o.tokens.file, o.tokens.head, n) : makeTokens(g, to); };
  Eigen::MatrixXd result;
  if (o.what == "features") {
    result = nodeFeatures(g, to);
  } else if (o.what == "tokens") {
    const Tokens t = tokens();
    result.resize(n, t.queries.cols() + t.keys.cols() + t.values.cols());
    result << t.queries, t.keys, t.values;
  } else if (o.what == "mask") {
    if (o.queries.empty()) {
      DenseMaskOptions dmo;
      dmo.maxNodes = o.denseCap;
      result = denseMask(g, fn, dmo);
    } else {
      result = MaskOperator(g, fn, mo).rows(o.queries);
    }
  } else {
    FeatureMap map;
    map.kind = parseFeatureMapKind(o.kernelMap);
    map.features = o.m;
    map.seed = o.common.seed;
    TokenFileInfo info;
    if (fromFile) info = inspectTokenFile(o.tokens.file);  // shapes before any work
    const int d = fromFile ? static_cast<int>(info.dim) : o.d;
    checkAttentionCost(n, featureCount(map, d), fromFile ? static_cast<int>(info.valueDim) : d,
                       toGraphOptions(o.common).memoryLimit);
    const AttentionInputs in = makeAttentionInputs(tokens(), map, o.common.threads);
    AttentionOptions ao;
    ao.threads = o.common.threads;
    ao.received = false;
    ao.gridWidth = g.gridWidth;
    if (attentionMethodInfo(method).gridOnly && !isTokenGrid(g))
      throw usageError("--method " + o.method + " needs a pixel grid (an image with --graph grid4 or grid8)");
    PrepareMasksOptions pmo;
    pmo.denseCap = o.denseCap;
    pmo.threads = o.common.threads;
    const auto prepared = prepareAttentionMasks(method, g, fn, grfOptions, pmo);
    const AttentionMasks& masks = prepared->masks;
    const AttentionOutput out = runAttentionMethod(method, in, masks, ao);
    if (o.queries.empty()) {
      result = out.out;
    } else {
      result.resize(static_cast<Eigen::Index>(o.queries.size()), n);
      for (std::size_t k = 0; k < o.queries.size(); ++k)
        result.row(static_cast<Eigen::Index>(k)) =
            methodAttentionRow(method, in, masks, o.queries[k], out.floor, ao).transpose();
    }
  }
  writeNpy(o.out, result);
  if (o.common.json) {
    printJson({{"file", o.file}, {"what", o.what}, {"out", o.out}, {"shape", {result.rows(), result.cols()}}});
  } else {
    std::cout << "wrote " << o.out << " (" << result.rows() << " x " << result.cols() << " float64)\n";
  }
  return 0;
}

}  // namespace

void addExportCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<ExportOptions>();
  CLI::App* sub = root.add_subcommand("export", "Write node features, tokens, masks or attention as .npy, GRF features as .npz");
  sub->add_option("FILE", o->file, "mesh, point cloud, image or graph")->required();
  sub->add_option("--what", o->what, "features, tokens, mask, attention, grf (Phi_Q) or grf_keys (Phi_K)")->required();
  sub->add_option("--out", o->out, "output .npy file (.npz SciPy CSR archive for grf, grf_keys)")->required();
  sub->add_option("--nodes", o->nodes, "grf, grf_keys: rows A..B-1 only, as A:B (0 <= A < B <= N)");
  sub->add_option("--method", o->method, "attention: " + attentionMethodList())
      ->capture_default_str();
  sub->add_option("--query", o->queries, "query nodes (mask rows or attention rows)");
  sub->add_option("--kernel-map", o->kernelMap, featureMapTable().list())->capture_default_str();
  sub->add_option("--d", o->d, "head dimension")->capture_default_str();
  sub->add_option("--m", o->m, "FAVOR+ features")->capture_default_str();
  sub->add_option("--feature-file", o->featureFile, "per-node features (.npy or .csv)");
  sub->add_option("--dense-cap", o->denseCap, "largest N for dense matrices")->capture_default_str();
  addTokenFileOptions(*sub, o->tokens);
  addCommonOptions(*sub, o->common);
  sub->callback([&action, o, sub] {
    o->projectionOptionGiven = sub->count("--d") + sub->count("--feature-file") > 0;
    action = [o] { return run(*o); };
  });
}

}  // namespace topomask::cli
