#include "model/pipeline.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cmath>
#include <filesystem>
#include <map>
#include <mutex>
#include <stdexcept>
#include <limits>
#include <thread>
#include <fstream>
#include <unistd.h>

#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"
#include "topomask/io/load.h"

namespace topomask::gui {

namespace {

using Clock = std::chrono::steady_clock;
double since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

}  // namespace

std::shared_ptr<const Scene> loadSceneStage(const std::string& path, double* seconds, bool tokens) {
  const auto t0 = Clock::now();
  Scene loaded = path.empty() ? makeDemoScene() : loadScene(path);
  // Large point clouds become voxel tokens (as point-cloud transformers do) and large meshes about
  // kMeshTokens vertices by vertex clustering that keeps separate sheets apart (clusterMesh): a heat
  // mask reaches a fixed number of hops, a visible share only of a graph of moderate size. The note
  // says so in the Data panel.
  auto note = [&](Eigen::Index before, Eigen::Index after, double side, const char* what, const char* as) {
    char text[160];
    std::snprintf(text, sizeof text, "%lld %s shown as %lld %s (cells of side %.3g)", static_cast<long long>(before), what,
                  static_cast<long long>(after), as, side);
    loaded.warnings.push_back(text);
  };
  double side = 0.0;
  if (auto* cloud = std::get_if<PointCloud>(&loaded.data); tokens && cloud && cloud->points.rows() > kPointTokens) {
    const Eigen::Index n = cloud->points.rows();
    *cloud = voxelSubsample(*cloud, kPointTokens, &side);
    note(n, cloud->points.rows(), side, "points", "voxel tokens");
  }
  if (auto* mesh = std::get_if<Mesh>(&loaded.data); tokens && mesh && mesh->vertices.rows() > kMeshTokens) {
    const Eigen::Index n = mesh->vertices.rows();
    *mesh = clusterMesh(*mesh, kMeshTokens, &side);
    note(n, mesh->vertices.rows(), side, "vertices", "clustered vertices");
  }
  auto scene = std::make_shared<const Scene>(std::move(loaded));
  if (seconds) *seconds = since(t0);
  return scene;
}

GraphOptions effectiveGraphOptions(const Scene& scene, const GraphOptions& options) {
  GraphOptions o = options;
  if (o.kind == GraphKind::Auto && scene.kind() == SceneKind::Image) {
    const Image& img = std::get<Image>(scene.data);
    const int side = std::max(img.width, img.height);
    if (side > 2 * kAutoPatchAcross) {
      o.kind = GraphKind::Patch;
      o.patch = (side + kAutoPatchAcross - 1) / kAutoPatchAcross;
    }
  }
  return o;
}

GraphStage runGraphStage(const Scene& scene, const GraphOptions& options, Progress* progress) {
  const auto t0 = Clock::now();
  GraphStage out;
  const GraphOptions effective = effectiveGraphOptions(scene, options);
  if (effective.kind != options.kind)
    out.info.kindNote = "auto: patches of " + std::to_string(effective.patch) + " x " + std::to_string(effective.patch) + " pixels";
  auto graph = std::make_shared<Graph>(buildGraph(scene, effective, progress));
  if (progress) progress->setStage("graph statistics");
  out.info.nodes = graph->nodeCount();
  out.info.edges = graph->edgeCount();
  out.info.components = connectedComponents(*graph);
  out.info.degree = degreeStats(*graph);
  out.info.spectralRadius = spectralRadius(*graph).value;
  out.info.bytes = static_cast<std::int64_t>(graph->offsets.size() * 8 + graph->neighbours.size() * 12 +
                                             graph->positions.size() * 8 * 3);
  out.graph = std::move(graph);
  out.seconds = since(t0);
  return out;
}

MaskStage runMaskStage(const std::shared_ptr<const Graph>& graph, const MaskSpec& spec) {
  const auto t0 = Clock::now();
  const MaskFunction fn(spec);
  MaskStage out;
  out.mask = std::make_shared<const MaskData>(MaskData{graph, MaskOperator(*graph, fn)});
  const MaskOperator& op = out.mask->op;
  out.info.formula = fn.formula();
  out.info.terms = op.terms();
  out.info.rho = op.rho();
  out.info.rhoSource = op.radius().source;
  out.info.tailBound = op.tailBound();
  out.seconds = since(t0);
  return out;
}

GrfStage runGrfStage(const Graph& graph, const MaskSpec& spec, const GrfOptions& options, Progress* progress) {
  const auto t0 = Clock::now();
  auto data = std::make_shared<GrfData>();
  data->features = sampleFeatures(graph, MaskFunction(spec), options, progress);
  data->keyT = transpose(data->features.key());
  GrfStage out;
  const SparseFeatures& q = data->features.query();
  out.info.nonZeros = q.nonZeros() + (data->features.keyIsQuery() ? 0 : data->features.key().nonZeros());
  out.info.nonZerosPerRow = q.meanNonZerosPerRow();
  out.info.bytes = q.bytes() + data->keyT.bytes() + (data->features.keyIsQuery() ? 0 : data->features.key().bytes());
  out.info.lengthUsed = data->features.lengthUsed;
  out.info.hops = data->features.hops;
  out.info.ensemble = ensembleName(options.ensemble);
  out.grf = std::move(data);
  out.seconds = since(t0);
  return out;
}

GrfStageCost estimateGrfStage(std::int64_t nodes, const MaskSpec& spec, const GrfOptions& options) {
  const MaskFunction fn(spec);
  const double threads = std::max(1u, std::thread::hardware_concurrency());
  const double askBytes = std::min(kAskBytes, 0.5 * static_cast<double>(memoryBudget(options.memoryLimit)));
  auto estimate = [&](const GrfOptions& o) {
    const GrfCost c = estimateGrfCost(nodes, fn, o);
    GrfStageCost out;
    out.hops = c.hops;
    out.bytes = 2.0 * c.bytes;  // features and the transposed key side (GrfData)
    out.seconds = c.hops / (kHopsPerSecond * threads);
    out.ask = out.seconds > kAskSeconds || out.bytes > askBytes;
    return out;
  };
  GrfStageCost out = estimate(options);
  if (out.ask) {  // the largest power of two below the count that would not ask (even: antithetic pairs)
    GrfOptions o = options;
    for (o.walkers = 1 << 16; o.walkers >= (options.sampling == Sampling::Antithetic ? 2 : 1); o.walkers /= 2)
      if (o.walkers < options.walkers && !estimate(o).ask) {
        out.affordableWalkers = o.walkers;
        break;
      }
  }
  char text[256];
  std::snprintf(text, sizeof text, "GRF features for %lld nodes with %d walkers: about %.2g s and up to %s",
                static_cast<long long>(nodes), options.walkers, out.seconds, formatBytes(out.bytes).c_str());
  out.text = text;
  return out;
}

namespace {
std::mutex tokenHeadsMutex;
std::map<std::string, std::int64_t> tokenHeads;   // path -> H, as last read
std::map<std::string, std::string> tokenErrors;   // path -> why it could not be used, as last read
}  // namespace

std::int64_t knownTokenHeads(const std::string& path) {
  std::lock_guard<std::mutex> lock(tokenHeadsMutex);
  const auto it = tokenHeads.find(path);
  return it == tokenHeads.end() ? 0 : it->second;
}

TokensStage runTokensStage(const Graph& graph, const AttentionParams& params) {
  const auto t0 = Clock::now();
  TokenOptions options;
  options.headDim = params.headDim;
  options.seed = params.seed;
  FeatureMap map;
  map.kind = params.featureMap;
  map.features = params.favorFeatures;
  map.seed = params.seed;
  TokensStage out;
  Tokens tokens;
  if (params.tokensFromFile) {
    try {
      if (params.tokenFile.empty()) throw usageError("tokens from a file: type the path of a .npz holding q, k and v");
      TokenFileInfo info;
      try {
        tokens = readTokenFile(params.tokenFile, params.head, graph.nodeCount(), &info);
      } catch (const Error&) {
        std::int64_t heads = 0;  // a head out of range still tells the panel how many there are
        try {
          heads = inspectTokenFile(params.tokenFile).heads;
        } catch (const Error&) {
        }
        std::lock_guard<std::mutex> lock(tokenHeadsMutex);
        tokenHeads[params.tokenFile] = heads;
        throw;
      }
      {
        std::lock_guard<std::mutex> lock(tokenHeadsMutex);
        tokenHeads[params.tokenFile] = info.heads;
        tokenErrors.erase(params.tokenFile);
      }
      out.note = "tokens: head " + std::to_string(params.head) + " of " + std::to_string(info.heads) + " from " +
                 std::filesystem::path(params.tokenFile).filename().string() + " (d = " + std::to_string(info.dim) +
                 ", d_v = " + std::to_string(info.valueDim) + "); phi = " + featureMapName(map.kind);
    } catch (const Error& e) {
      out.failure = e;
      out.note = e.what();
      std::lock_guard<std::mutex> lock(tokenHeadsMutex);
      tokenErrors[params.tokenFile] = e.what();
      out.seconds = since(t0);
      return out;
    }
  } else {
    tokens = makeTokens(graph, options);
    out.note = std::string("features: every per-node feature of the graph; phi = ") + featureMapName(map.kind);
  }
  out.tokens = std::make_shared<const AttentionInputs>(makeAttentionInputs(tokens, map));
  out.seconds = since(t0);
  return out;
}

ErrorsStage runErrorsStage(const Graph& graph, const MaskSpec& spec, const GrfData& grf, Progress* progress) {
  const auto t0 = Clock::now();
  AccuracyOptions options;
  options.denseCap = 1024;
  options.sampleRows = 48;
  const FrobeniusError e = grfError(graph, MaskFunction(spec), grf.features, options, progress);
  ErrorsStage out;
  out.relFrobenius = e.relFrobenius;
  out.relFrobeniusSq = e.relFrobeniusSq;
  out.rowsUsed = e.rowsUsed;
  out.seconds = since(t0);
  return out;
}

Eigen::VectorXd attentionRowFor(AttentionMethod method, const AttentionInputs& tokens, const Graph& graph,
                                const MaskData* mask, const Eigen::VectorXd& exactRow, const Eigen::VectorXd& grfRow,
                                std::int64_t query, std::string* note) {
  // The method's kernel and mask come from the engine's registry; the rows of the exact and GRF
  // masks are the ones this stage already computed for the mask views.
  const AttentionMethodInfo& info = attentionMethodInfo(method);
  Eigen::VectorXd maskRow;
  switch (info.mask) {
    case MaskSource::None: break;
    case MaskSource::Exact: maskRow = exactRow; break;
    case MaskSource::Grf: maskRow = grfRow; break;
    case MaskSource::Toeplitz:
      if (!isTokenGrid(graph) || !mask) {
        if (note) *note = std::string(info.name) + " needs a pixel grid (an image with grid4 or grid8)";
        return {};
      }
      maskRow = toeplitzMaskRow(gridToeplitzMask(graph, mask->op), query);
      break;
  }
  if (info.mask != MaskSource::None && maskRow.size() == 0) return {};
  return attentionRow(tokens, info.kernel, maskRow, query);
}

RowsResult computeRows(const RowsInput& in) {
  const auto t0 = Clock::now();
  RowsResult r;
  r.query = in.query;
  if (!in.graph || in.query < 0 || in.query >= in.graph->nodeCount()) return r;
  if (in.mask) {
    const auto t = Clock::now();
    r.exactRow = in.mask->op.row(in.query);
    r.exactSeconds = since(t);
  }
  if (in.grf) {
    const auto t = Clock::now();
    r.grfRow = estimateRow(in.grf->features.query(), in.grf->keyT, in.query);
    r.grfSeconds = since(t);
  }
  if (r.exactRow.size() > 0 && r.grfRow.size() == r.exactRow.size()) {
    const double norm = r.exactRow.norm();
    r.rowRelError = norm > 0 ? (r.grfRow - r.exactRow).norm() / norm : (r.grfRow - r.exactRow).norm();
  }
  if (!in.tokens && in.attention.tokensFromFile) {
    std::lock_guard<std::mutex> lock(tokenHeadsMutex);
    const auto it = tokenErrors.find(in.attention.tokenFile);
    r.note = "no attention rows: " + (it != tokenErrors.end() ? it->second : std::string("the token file cannot be used"));
  }
  if (in.tokens) {
    const auto t = Clock::now();
    r.attentionA = attentionRowFor(in.attention.a, *in.tokens, *in.graph, in.mask.get(), r.exactRow, r.grfRow, in.query, &r.note);
    r.attentionB = attentionRowFor(in.attention.b, *in.tokens, *in.graph, in.mask.get(), r.exactRow, r.grfRow, in.query, &r.note);
    if (r.attentionA.size() > 0 && r.attentionA.size() == r.attentionB.size())
      r.attentionRowL1 = (r.attentionA - r.attentionB).lpNorm<1>();
    r.attentionSeconds = since(t);
  }
  r.totalSeconds = since(t0);
  return r;
}

std::int64_t nodeAtViewCentre(const Graph& graph, const render::Camera& camera, float width, float height) {
  const std::int64_t n = graph.nodeCount();
  if (n <= 0 || graph.positions.rows() != n) return -1;
  const Eigen::Matrix4f pv = camera.projection(width / std::max(height, 1.0f)) * camera.view();
  const float radius = 0.04f * std::min(width, height);
  std::int64_t nearestCentre = -1, front = -1;
  float bestCentre = std::numeric_limits<float>::max(), bestDepth = bestCentre;
  for (std::int64_t i = 0; i < n; ++i) {
    const Eigen::Vector4f c = pv * Eigen::Vector4f(static_cast<float>(graph.positions(i, 0)), static_cast<float>(graph.positions(i, 1)),
                                                   static_cast<float>(graph.positions(i, 2)), 1.0f);
    if (c.w() <= 1e-9f) continue;
    const float dx = c.x() / c.w() * 0.5f * width, dy = c.y() / c.w() * 0.5f * height, depth = c.z() / c.w();
    const float r = std::hypot(dx, dy);
    if (r < bestCentre) bestCentre = r, nearestCentre = i;
    if (r <= radius && depth < bestDepth) bestDepth = depth, front = i;
  }
  return front >= 0 ? front : nearestCentre;
}

unsigned withDependents(unsigned s) {
  if (s & StageLoad) s |= StageGraph;
  if (s & StageGraph) s |= StageMask | StageGrf | StageTokens;
  if (s & StageMask) s |= StageGrf;  // the walkers' modulation f comes from the mask's alpha
  if (s & (StageMask | StageGrf)) s |= StageErrors;
  if (s & (StageMask | StageGrf | StageTokens)) s |= StageRows;
  return s;
}

void storeGraph(Results& r, const GraphStage& g) {
  r.graph = g.graph;
  r.graphInfo = g.info;
  r.timings.graph = g.seconds;
}

void storeMask(Results& r, const MaskStage& m) {
  r.mask = m.mask;
  r.maskInfo = m.info;
  r.timings.mask = m.seconds;
}

void storeGrf(Results& r, const GrfStage& g) {
  r.grf = g.grf;
  r.grfInfo = g.info;
  r.timings.grf = g.seconds;
}

void storeErrors(Results& r, const ErrorsStage& e) {
  r.errors.relFrobenius = e.relFrobenius;
  r.errors.relFrobeniusSq = e.relFrobeniusSq;
  r.errors.rowsUsed = e.rowsUsed;
  r.timings.errors = e.seconds;
}

void storeRows(Results& r, const RowsResult& rows) {
  r.rowsQuery = rows.query;
  r.exactRow = rows.exactRow;
  r.grfRow = rows.grfRow;
  r.attentionA = rows.attentionA;
  r.attentionB = rows.attentionB;
  r.rowsNote = rows.note;
  r.errors.rowRelError = rows.rowRelError;
  r.errors.attentionRowL1 = rows.attentionRowL1;
  r.timings.exactRow = rows.exactSeconds;
  r.timings.grfRow = rows.grfSeconds;
  r.timings.attentionRows = rows.attentionSeconds;
  r.timings.rowsTotal = rows.totalSeconds;
  ++r.rowsVersion;
}

StageRun stageRun(const AppState& state, unsigned stages, const std::string& path) {
  StageRun run;
  run.stages = stages;
  run.path = path;
  run.largeAsTokens = state.largeAsTokens;
  run.graph = state.graph;
  run.mask = state.mask;
  run.grf = state.grf;
  run.attention = state.attention;
  if (!(stages & StageLoad)) {  // a run that loads reads nothing of the previous scene
    run.scene = state.results.scene;
    run.graphData = state.results.graph;
    run.grfData = state.results.grf;
  }
  return run;
}

void runStages(StageRun run, const StageSink& sink, Progress* progress) {
  const auto stage = [progress](const char* name) {
    if (progress) progress->setStage(name);
  };
  if (run.stages & StageLoad) {
    stage(run.path.empty() ? "building the demo" : "loading");
    double seconds = 0;
    run.scene = loadSceneStage(run.path, &seconds, run.largeAsTokens);
    sink.loaded(run.scene, seconds);
  }
  if (run.stages & StageGraph) {
    if (!run.scene) throw std::logic_error("runStages: no scene to build a graph on");
    stage("building the graph");
    GraphStage g = runGraphStage(*run.scene, run.graph, progress);
    run.graphData = g.graph;
    sink.graph(g);
  }
  if (progress) progress->throwIfCancelled();
  if (!(run.stages & ~(StageLoad | StageGraph))) return;
  if (!run.graphData) throw std::logic_error("runStages: no graph for the stages after it");
  const Graph& graph = *run.graphData;
  if (sink.beforeLater) sink.beforeLater(graph);
  if (run.stages & StageMask) {
    stage("mask operator");
    std::optional<MaskStage> m;
    try {
      m = runMaskStage(run.graphData, run.mask);
    } catch (const Error& e) {
      if (!sink.maskFailed) throw;
      sink.maskFailed(e);
    }
    if (m) sink.mask(*m);
  }
  if (run.stages & StageTokens) {
    stage("tokens");
    sink.tokens(runTokensStage(graph, run.attention));
  }
  bool grfWaits = false;
  if ((run.stages & StageGrf) && !run.costConfirmed) {
    const GrfStageCost cost = estimateGrfStage(graph.nodeCount(), run.mask, run.grf);
    grfWaits = cost.ask;
    if (grfWaits) sink.grfWaits(cost);
  }
  if ((run.stages & StageGrf) && !grfWaits) {
    stage("sampling random walks");
    GrfStage g = runGrfStage(graph, run.mask, run.grf, progress);
    run.grfData = g.grf;
    sink.grf(g);
  }
  if ((run.stages & StageErrors) && run.grfData && !grfWaits) {
    stage("error of M_hat");
    sink.errors(runErrorsStage(graph, run.mask, *run.grfData, progress));
  }
}

void runStagesNow(AppState& state, const std::string& path, unsigned stages) {
  Results& r = state.results;
  if (stages & StageLoad) r = Results{};  // a failed load leaves nothing of the previous scene
  StageSink sink;
  sink.loaded = [&r](std::shared_ptr<const Scene> scene, double seconds) {
    r = Results{};
    r.scene = std::move(scene);
    r.timings.load = seconds;
  };
  sink.graph = [&r](const GraphStage& g) { storeGraph(r, g); };
  sink.beforeLater = [&state](const Graph& graph) {
    if (state.query < 0) state.query = defaultQuery(graph);
    if (state.query >= graph.nodeCount())
      throw usageError("--query " + std::to_string(state.query) + " is out of range (the graph has " +
                       std::to_string(graph.nodeCount()) + " nodes)");
  };
  sink.mask = [&r](const MaskStage& m) { storeMask(r, m); };
  sink.tokens = [&r](const TokensStage& t) {
    if (t.failure) throw *t.failure;  // a token file that cannot be used: its own error (exit 2 or 3)
    r.tokens = t.tokens;
    r.tokensNote = t.note;
    r.timings.tokens = t.seconds;
  };
  sink.grf = [&r](const GrfStage& g) { storeGrf(r, g); };
  sink.errors = [&r](const ErrorsStage& e) { storeErrors(r, e); };
  runStages(stageRun(state, stages, path), sink, nullptr);
  if (stages & StageRows) {
    if (!r.graph) throw std::logic_error("runStagesNow: no graph for the rows");
    storeRows(r, computeRows(RowsInput{r.graph, r.mask, r.grf, r.tokens, state.attention, state.query}));
  }
}

std::int64_t residentBytes() {
  std::ifstream statm("/proc/self/statm");
  std::int64_t size = 0, resident = 0;
  if (!(statm >> size >> resident)) return 0;
  return resident * static_cast<std::int64_t>(sysconf(_SC_PAGESIZE));
}

}  // namespace topomask::gui
