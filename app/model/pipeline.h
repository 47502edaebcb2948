// The engine stages the application runs (load, graph, mask, GRF, tokens, errors, rows of the
// query), each a plain function of immutable inputs returning its result and timing. The worker
// threads (worker.h) and `topomask render` call them; nothing here touches the UI or GL.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "model/state.h"
#include "topomask/core/error.h"
#include "topomask/core/progress.h"

namespace topomask::gui {

// Engine stages, upstream first. A stale stage makes everything downstream of it stale.
enum Stage : unsigned {
  StageNone = 0,
  StageLoad = 1u << 0,    // scene from file or demo
  StageGraph = 1u << 1,   // W and its statistics
  StageMask = 1u << 2,    // exact mask operator (K terms)
  StageGrf = 1u << 3,     // GRF features
  StageTokens = 1u << 4,  // Q, K, V and feature maps
  StageErrors = 1u << 5,  // Frobenius error of M_hat (exact or sampled rows)
  StageRows = 1u << 6,    // rows of the query: exact, GRF, attention
};
// `stages` plus every stage that depends on one of them.
unsigned withDependents(unsigned stages);

// path "" = the built-in demo scene. Throws Error naming the file. With `tokens`, point clouds of
// more than kPointTokens points and meshes of more than kMeshTokens vertices are reduced to about
// that many (voxel tokens, vertex clustering), with a note in the scene's warnings.
std::shared_ptr<const Scene> loadSceneStage(const std::string& path, double* seconds = nullptr, bool tokens = true);

struct GraphStage {
  std::shared_ptr<const Graph> graph;
  GraphInfo info;
  double seconds = 0.0;
};
GraphStage runGraphStage(const Scene& scene, const GraphOptions& options, Progress* progress);

struct MaskStage {
  std::shared_ptr<const MaskData> mask;
  MaskInfo info;
  double seconds = 0.0;
};
// Throws Error (Numeric) when the series diverges on this graph (e.g. reglap with beta rho >= 1).
MaskStage runMaskStage(const std::shared_ptr<const Graph>& graph, const MaskSpec& spec);

struct GrfStage {
  std::shared_ptr<const GrfData> grf;
  GrfInfo info;
  double seconds = 0.0;
};
GrfStage runGrfStage(const Graph& graph, const MaskSpec& spec, const GrfOptions& options, Progress* progress);

// What sampling the GRF features will cost, estimated before the work (estimateGrfCost: N x walkers x
// expected walk length entries, twice for the app's transposed key side), and whether the app asks
// before it starts: above kAskSeconds or kAskBytes (or half the memory budget when that is less).
struct GrfStageCost {
  double hops = 0.0;
  double bytes = 0.0;    // an upper estimate: walks that revisit a node share its entry
  double seconds = 0.0;  // at kHopsPerSecond per thread (measured about twice that on a 2-core laptop)
  bool ask = false;
  int affordableWalkers = 0;  // the largest power of two below the count that would not ask; 0: none
  std::string text;           // "GRF features for 1048576 nodes with 256 walkers: about 40 s and up to 2.4 GB"
};
inline constexpr double kAskSeconds = 10.0;
inline constexpr double kAskBytes = 2.0 * 1024 * 1024 * 1024;
inline constexpr double kHopsPerSecond = 40e6;
// Throws Error when spec or options are invalid (as sampling would).
GrfStageCost estimateGrfStage(std::int64_t nodes, const MaskSpec& spec, const GrfOptions& options);

struct TokensStage {
  std::shared_ptr<const AttentionInputs> tokens;
  std::string note;  // where the tokens come from; on failure the error message
  double seconds = 0.0;
  std::optional<Error> failure;  // a token file that cannot be used (tokens null): the stage does not
                                 // throw for it, so that the stages after it (GRF) still run
};
// Q, K, V (projections of node features, or params.tokenFile) and the feature maps.
TokensStage runTokensStage(const Graph& graph, const AttentionParams& params);
// The number of heads H of a token file as the tokens stage last read it (0: not read, or it
// failed): the Attention panel offers a head selector when H > 1 without reading files itself.
std::int64_t knownTokenHeads(const std::string& path);

struct ErrorsStage {
  double relFrobenius = -1;
  double relFrobeniusSq = -1;
  std::int64_t rowsUsed = 0;
  double seconds = 0.0;
};
// Relative Frobenius error of M_hat: exact over all rows for N <= 1024, else from 48 sampled rows.
ErrorsStage runErrorsStage(const Graph& graph, const MaskSpec& spec, const GrfData& grf, Progress* progress);

struct RowsInput {
  std::shared_ptr<const Graph> graph;
  std::shared_ptr<const MaskData> mask;       // may be null (exact rows then empty)
  std::shared_ptr<const GrfData> grf;         // may be null
  std::shared_ptr<const AttentionInputs> tokens;  // may be null
  AttentionParams attention;
  std::int64_t query = -1;
};

struct RowsResult {
  std::int64_t query = -1;
  Eigen::VectorXd exactRow, grfRow, attentionA, attentionB;
  double exactSeconds = -1, grfSeconds = -1, attentionSeconds = -1, totalSeconds = -1;
  double rowRelError = -1, attentionRowL1 = -1;
  std::string note;  // why a row is missing ("toeplitz_fft needs a pixel grid")
};
// Rows of M, M_hat and of the two chosen attention algorithms for the query node:
// O(K |E|) + O(nnz work) + O(N m). Missing inputs give empty rows.
RowsResult computeRows(const RowsInput& input);

// The attention row of one method given the mask rows (empty when the method cannot run).
Eigen::VectorXd attentionRowFor(AttentionMethod method, const AttentionInputs& tokens, const Graph& graph,
                                const MaskData* mask, const Eigen::VectorXd& exactRow, const Eigen::VectorXd& grfRow,
                                std::int64_t query, std::string* note = nullptr);

// The query a newly opened scene gets is the engine's defaultQuery (topomask/graph/graph.h), except
// that on a newly opened mesh, point cloud or graph file the window picks the node drawn at the centre of its
// first view (nodeAtViewCentre), so that the first mask faces the user; the command line has no
// camera and keeps defaultQuery.
// The app's graph for a scene: GraphKind::Auto on an image wider or taller than 2 kAutoPatchAcross
// pixels becomes a patch grid about kAutoPatchAcross patches across (ViT style: 14-16 across a 224
// pixel image), so that a mask spans a visible share of a photograph; any other choice is kept. The
// command line's auto stays SPEC's pixel grid.
inline constexpr int kAutoPatchAcross = 64;
// Point clouds with more points than this are shown as voxel tokens (loadSceneStage).
inline constexpr std::int64_t kPointTokens = 20000;
// Meshes with more vertices than this are shown clustered to about this many (loadSceneStage).
inline constexpr std::int64_t kMeshTokens = 10000;
GraphOptions effectiveGraphOptions(const Scene& scene, const GraphOptions& options);
// The node drawn at the centre of a width x height view: among the nodes projected within 4 % of the
// view's size of its centre, the one nearest the eye (the surface in front, not the far side);
// when none is that close, the one projected nearest the centre. -1 without positions.
std::int64_t nodeAtViewCentre(const Graph& graph, const render::Camera& camera, float width, float height);

// Each stage's result stored into Results (its data, figures and timing): the one place that knows
// where a stage's output goes, for the window's lanes and for runStagesNow alike. storeRows also
// bumps rowsVersion (the views re-upload).
void storeGraph(Results& results, const GraphStage& stage);
void storeMask(Results& results, const MaskStage& stage);
void storeGrf(Results& results, const GrfStage& stage);
void storeErrors(Results& results, const ErrorsStage& stage);
void storeRows(Results& results, const RowsResult& rows);

// The engine stages in one order, load -> graph -> mask -> tokens -> GRF -> errors, for the window's
// heavy lane and runStagesNow alike: runStages calls the stages in `run.stages` on the calling thread
// and hands each result to the sink as it finishes. The window's sink posts closures that store the
// results on the UI thread (App::scheduleHeavy: what is shown changes stage by stage); runStagesNow's
// stores them at once. The rows of the query are not a stage here: the window computes them on their
// own lane (App::scheduleRows), runStagesNow after the stages.
struct StageRun {
  unsigned stages = 0;  // Stage bits (dependents are not added)
  std::string path;     // StageLoad: the file ("" = the demo)
  bool largeAsTokens = true;
  GraphOptions graph;
  MaskSpec mask;
  GrfOptions grf;
  AttentionParams attention;
  // What the stages not run read instead: the results of earlier runs.
  std::shared_ptr<const Scene> scene;
  std::shared_ptr<const Graph> graphData;
  std::shared_ptr<const GrfData> grfData;
  // false: a GRF stage above the cost threshold (estimateGrfStage) does not run; sink.grfWaits gets
  // the question instead, and the errors stage waits with it.
  bool costConfirmed = true;
};
// A run of `stages` on `path` with state's parameters, reading state's results for the stages not run
// (none when it loads: a new scene starts from nothing).
StageRun stageRun(const AppState& state, unsigned stages, const std::string& path);
struct StageSink {
  std::function<void(std::shared_ptr<const Scene> scene, double seconds)> loaded;
  std::function<void(const GraphStage&)> graph;
  // Before the first stage after the graph (optional): runStagesNow's default query and its range check.
  std::function<void(const Graph&)> beforeLater;
  std::function<void(const MaskStage&)> mask;
  std::function<void(const Error&)> maskFailed;  // a series that diverged; empty: the error is thrown
  std::function<void(const TokensStage&)> tokens;
  std::function<void(const GrfStageCost&)> grfWaits;
  std::function<void(const GrfStage&)> grf;
  std::function<void(const ErrorsStage&)> errors;
};
// Sets each stage's name on `progress` (may be null) and checks for cancellation after the graph.
// Throws what a stage throws (but a mask failure when sink.maskFailed is set).
void runStages(StageRun run, const StageSink& sink, Progress* progress);

// The stages run now on the calling thread, stored into state.results: the synchronous twin of the
// window's heavy and rows lanes, for `topomask render` and the offscreen insight views. Runs the
// Stage bits in `stages` (dependents are not added) in runStages' order, then the rows of the query,
// with state's parameters; StageLoad reads `path` ("" = the demo) into a fresh Results. Before any
// stage after the graph, a query < 0 becomes defaultQuery(graph), and a query outside the graph is
// a usage error. Every failure throws: a diverging series (Error::Kind::Numeric), a token file that
// cannot be used (its own error); a GRF stage never waits for a cost question.
void runStagesNow(AppState& state, const std::string& path, unsigned stages);

// Resident memory of this process in bytes (Linux /proc/self/statm; 0 elsewhere).
std::int64_t residentBytes();

}  // namespace topomask::gui
