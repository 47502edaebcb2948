// The teaching views' models, computed on worker threads and drawn without GL: the matrix view
// (M | M_hat | M_hat - M as one RGBA picture with titles and colour bars, and the cell under a pixel
// for hovering), the walks demo of one query, the error against walkers with the concentration
// bound, the spectrum of W with the mask function over it, and the cost against N from the bench.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "render/plot/insight_plot.h"
#include "render/colormap.h"
#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/graph/spectrum.h"
#include "topomask/grf/features.h"
#include "topomask/grf/matrix_view.h"
#include "topomask/grf/options.h"
#include "topomask/grf/walks.h"
#include "topomask/mask/mask_function.h"

namespace topomask::gui {

struct MatrixPicture {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // width x height, row 0 at the top
  int cell = 1;                    // pixels per matrix entry
  int panelSize = 0;               // S * cell
  int gap = 0;                     // pixels between panels
  int margin = 0;                  // pixels left of the first panel
  int top = 0;                     // y of the panels' first row (titles above, colour bars below)
  render::ValueRange valueRange;   // M and M_hat (log where positive)
  render::ValueRange diffRange;    // M_hat - M (symlog, render::differenceRange)
};

// Three S x S panels side by side (viridis on a shared range for M and M_hat; diverging on a
// symlog range for the difference), each entry `cell` pixels wide (cell = 0: chosen so a panel is
// about 360 pixels), a title above each and a colour bar with its range below. Values exactly as in
// `blocks`.
MatrixPicture matrixPicture(const MatrixBlocks& blocks, int cell = 0);

// The entry under pixel (x, y) of a picture: panel 0..2 (M, M_hat, difference) and (a, b) indices into
// blocks.nodes; false outside the panels.
struct MatrixCell {
  int panel = -1;
  int a = -1, b = -1;
};
bool matrixCellAt(const MatrixPicture& picture, std::int64_t s, int x, int y, MatrixCell& out);

// The matrix view of the current graph, mask and GRF: blocks on at most maxNodes Morton-ordered nodes
// (grf/matrix_view.h) and their picture. O(S (K |E| + row cost)).
struct MatrixView {
  MatrixBlocks blocks;
  MatrixPicture picture;
};
MatrixView computeMatrixView(const MaskOperator& mask, const SparseFeatures& query, const SparseFeatures& keyT,
                             const Eigen::MatrixX3d& positions, std::int64_t maxNodes = 512, Progress* progress = nullptr);

// The walks demo of one query: its traced walks (the sampler's, grf/walks.h) and the relative error
// ||M_hat row from the first m walkers - exact row|| / ||exact row|| for m = 1..n, with the M_hat
// rows on the largest exact entries (what the panel shows for each m, so that it never calls the engine).
struct WalkProgress {
  std::int64_t query = -1;
  WalkTrace trace;
  Eigen::VectorXd exactRow;
  std::vector<double> relError;      // index m - 1
  std::vector<std::int64_t> top;          // up to 48 nodes with the largest exact values, decreasing
  std::vector<std::vector<float>> topRow;  // index m - 1: the M_hat row from the first m walkers on `top`
  // M_hat row from the first m walkers (engine: traceMaskRow).
  Eigen::VectorXd row(int m, const SparseFeatures& keyT) const { return traceMaskRow(trace, m, keyT); }
};

// O(n (visits + row cost + N)): cheap for the walker counts of the demo (n <= a few hundred).
WalkProgress walkProgress(const Graph& graph, const MaskSpec& mask, const GrfOptions& options,
                          const SparseFeatures& keyT, const Eigen::VectorXd& exactRow, std::int64_t query);

// The mask function's curves: alpha_k and f_k for k < terms, g(lambda) at `points` values over [-rho, rho].
struct MaskCurves {
  std::string formula;
  std::vector<double> alpha, f;
  std::vector<double> lambda, g;
  double rho = 1.0;
  std::string error;  // the engine's message when the mask cannot be evaluated
};
MaskCurves maskCurves(const MaskSpec& mask, double rho, int terms = 16, int points = 201);

// The spectrum of W (graph/spectrum.h) with the mask function over [-rho, rho] and its plot picture.
struct SpectrumView {
  std::shared_ptr<const Spectrum> spectrum;
  MaskCurves curves;
  Plot plot;
  PlotImage image;
};
// Reuses `previous` (the spectrum of the same graph) when given, else computes it.
SpectrumView computeSpectrumView(const Graph& graph, const MaskSpec& mask, std::shared_ptr<const Spectrum> previous,
                                 Progress* progress = nullptr);

// Error against walkers on the current graph and mask: for each walker count, `trials` samplings with
// the GRF options (seeds mix64(seed ^ mix64(t + 1)), as `topomask convergence`), the mean squared relative
// Frobenius error over all rows (N <= denseCap) or `sampleRows` sampled rows, its standard error, and
// the concentration bound on the same quantity (concentrationCurve). Polls progress.
struct ConvergenceView {
  std::vector<double> walkers, meanSq, stderrSq;
  std::int64_t rowsUsed = 0;
  bool allRows = false;
  double exactFrobeniusSq = 0.0;
  ConcentrationConstant constant;
  BoundCurve bound;
  Plot plot;
  PlotImage image;
};
ConvergenceView computeConvergence(const Graph& graph, const MaskSpec& mask, const GrfOptions& options,
                                   const std::vector<int>& walkers, int trials = 3, std::int64_t denseCap = 1024,
                                   std::int64_t sampleRows = 48, Progress* progress = nullptr);

// Time and memory against N from the bench's JSON (kept in `json`), with both plots.
struct CostView {
  std::string json;  // the merged output of `topomask bench --json`
  BenchData data;
  Plot timePlot, memoryPlot;
  PlotImage timeImage, memoryImage;
};
CostView costView(const std::string& benchJson);

}  // namespace topomask::gui
