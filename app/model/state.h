// AppState: everything the window shows, as plain data: the parameters the user set, the query,
// view settings, the latest engine results (immutable, shared with the worker), timings and
// status. Panels read it and emit commands (commands.h); only App::apply changes it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "model/insight_views.h"
#include "render/camera.h"
#include "render/colormap.h"
#include "topomask/attention/attention.h"
#include "topomask/attention/methods.h"
#include "topomask/attention/tokens.h"
#include "topomask/graph/build.h"
#include "topomask/graph/spectral.h"
#include "topomask/grf/options.h"
#include "topomask/grf/sampler.h"
#include "topomask/io/geometry.h"
#include "topomask/mask/exact.h"
#include "topomask/mask/mask_function.h"

namespace topomask::gui {

// What the side-by-side views compare.
enum class Layout {
  Mask,       // exact mask row | GRF mask row | difference
  Attention,  // attention row of method A | of method B | difference
};

// The attention methods whose rows can be shown are those of the engine's registry
// (topomask/attention/methods.h) with `inViews`.

struct AttentionParams {
  AttentionMethod a = AttentionMethod::ExactMasked;
  AttentionMethod b = AttentionMethod::GrfMasked;
  FeatureMapKind featureMap = FeatureMapKind::Elu;
  int favorFeatures = 32;  // m for FAVOR+
  int headDim = 16;
  std::uint64_t seed = 0;
  // Tokens: seeded projections of node features (headDim, seed), or a model's own q, k, v from a
  // .npz (attention/tokens.h readTokenFile; N x d or H x N x d arrays: `head` picks one).
  bool tokensFromFile = false;
  std::string tokenFile;
  int head = 0;
  bool operator==(const AttentionParams&) const = default;
};

struct ViewSettings {
  Layout layout = Layout::Mask;
  int viewCount = 3;  // 1, 2 or 3 views (left to right)
  render::Colormap colormap = render::Colormap::Viridis;       // rows
  render::Colormap diffColormap = render::Colormap::Diverging; // differences
  render::RangeMode rangeMode = render::RangeMode::Log;        // rows (differences are always symmetric); masks decay exponentially
  double fixedLo = 0.0;
  double fixedHi = 1.0;
  bool fixedLog = false;  // the fixed range maps log10 (set when the ends of a log bar are dragged)
  bool sameRange = true;  // rows share one range (the difference keeps its own symmetric range)
  bool colourBars = true;  // a colour bar with a histogram under each view (its band is reserved)
  bool wireframe = false;
  bool edges = true;
  float pointScale = 1.0f;
  float overlayOpacity = 0.8f;
  bool showHelp = false;
  bool sidePanel = true;   // the side panel is shown (Tab or its << button hides it: the views get the window)
  float uiScale = 1.0f;    // text and widget size (HiDPI screens, projectors); kept between sessions
  bool operator==(const ViewSettings&) const = default;
};

struct GraphInfo {
  std::int64_t nodes = 0;
  std::int64_t edges = 0;
  std::int64_t components = 0;
  DegreeStats degree;
  double spectralRadius = 0.0;
  std::int64_t bytes = 0;
  std::string kindNote;  // how "auto" was resolved when it is not the obvious choice ("patches of 5 x 5 pixels")
};

struct MaskInfo {
  std::string formula;
  int terms = 0;
  double rho = 0.0;
  std::string rhoSource;
  double tailBound = 0.0;
  std::string failure;  // why there is no exact mask (a diverging series: the reason and the largest valid beta)
};

struct GrfInfo {
  std::int64_t nonZeros = 0;
  double nonZerosPerRow = 0.0;
  std::int64_t bytes = 0;
  int lengthUsed = 0;
  std::int64_t hops = 0;
  std::string ensemble;
};

// Seconds of each step (negative: not run for the current data).
struct Timings {
  double load = -1, graph = -1, mask = -1, grf = -1, tokens = -1, errors = -1;
  double exactRow = -1, grfRow = -1, attentionRows = -1, rowsTotal = -1;
};

struct ErrorFigures {
  double rowRelError = -1;      // ||grf row - exact row|| / ||exact row|| for the query
  double attentionRowL1 = -1;   // sum_j |a_ij - b_ij| between the two attention rows
  double relFrobenius = -1;     // ||M_hat - M||_F / ||M||_F (exact or sampled rows)
  double relFrobeniusSq = -1;
  std::int64_t rowsUsed = 0;
};

// The GRF features with the transposed key side, ready for rows of M_hat.
struct GrfData {
  GrfFeatures features;
  SparseFeatures keyT;
};

// The mask operator keeps a reference to its graph: this keeps both alive together.
struct MaskData {
  std::shared_ptr<const Graph> graph;
  MaskOperator op;
};

struct Results {
  std::shared_ptr<const Scene> scene;
  std::shared_ptr<const Graph> graph;
  std::shared_ptr<const MaskData> mask;
  std::shared_ptr<const GrfData> grf;
  std::shared_ptr<const AttentionInputs> tokens;
  std::string tokensNote;  // e.g. which features fed the tokens

  // Rows of the current query (empty when not computed yet or not available).
  std::int64_t rowsQuery = -1;
  Eigen::VectorXd exactRow, grfRow, attentionA, attentionB;
  std::string rowsNote;  // why a row is missing ("toeplitz_fft needs a pixel grid")
  std::uint64_t rowsVersion = 0;  // increases whenever a row changes (views re-upload)

  GraphInfo graphInfo;
  MaskInfo maskInfo;
  GrfInfo grfInfo;
  ErrorFigures errors;
  Timings timings;
};

// The teaching views' results (InsightResults) are declared with their rows in insight_views.h.

struct TaskStatus {
  bool busy = false;
  std::string stage;
  double fraction = 0.0;
};

// A computation large enough that the app asks before it starts (pipeline.h estimateGrfStage).
struct CostQuestion {
  std::string text;           // what it would cost ("" = no question)
  int affordableWalkers = 0;  // the walker count offered instead (0: none)
  bool open = false;          // the dialog is shown (false after "Not now": the GRF panel keeps the question)
};

struct AppState {
  // Data.
  std::string pathField;                // the path being typed
  std::string sceneLabel;               // "demo: bent tube (6144 vertices)" or the file name
  std::string scenePath;                // "" for the demo
  std::vector<std::string> recentFiles; // newest first, at most 10
  std::string browserDir;               // the file browser's folder
  std::vector<std::string> warnings;    // of the loaded scene
  bool largeAsTokens = true;            // large clouds and meshes as tokens (pipeline.h loadSceneStage)

  // Parameters.
  GraphOptions graph;
  // exp(8 W): on the graphs the app builds (meshes as they are, images in patches about 64 across,
  // large clouds in voxel tokens) its row spans tens of hops on the log colour scale: a visible share
  // of the object.
  MaskSpec mask = MaskSpec{MaskPreset::Heat, 8.0, 2, {}, {}};
  GrfOptions grf;
  AttentionParams attention;

  // View.
  ViewSettings view;
  render::Camera camera;
  bool cameraFramed = false;  // false: frame the scene on the next draw
  std::int64_t query = -1;
  std::int64_t hover = -1;

  Results results;
  InsightResults insight;
  TaskStatus heavy;  // load, graph, mask, GRF, tokens
  TaskStatus rows;   // rows of the query
  std::string error;   // last error, one line ("" = none); the previous scene stays
  std::string notice;  // last information ("Screenshot written to ..."); expires after a few seconds
  CostQuestion costQuestion;  // GRF features wait for the user's answer
  std::string screenshotDir;  // where F12 writes ("" = Pictures folder if it exists, else the working directory)
  int screenshotScale = 1;    // screenshots at 1, 2 or 3 times the views' size on screen
};

}  // namespace topomask::gui
