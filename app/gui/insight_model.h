// Pictures of the teaching views that need no GL: the matrix view (M | M_hat | M_hat - M as one
// RGBA picture) with the cell under a pixel for hovering.
#pragma once

#include <cstdint>
#include <vector>

#include "render/colormap.h"
#include "topomask/grf/matrix_view.h"

namespace topomask::gui {

struct MatrixPicture {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;  // width x height, row 0 at the top
  int cell = 1;                    // pixels per matrix entry
  int panelSize = 0;               // S * cell
  int gap = 0;                     // pixels between panels
  int margin = 0;                  // pixels around the panels
  render::ValueRange valueRange;   // M and M_hat (log where positive)
  render::ValueRange diffRange;    // M_hat - M (symmetric)
};

// Three S x S panels side by side (viridis on a shared range for M and M_hat; diverging on a
// symmetric range for the difference), each entry `cell` pixels wide (cell = 0: chosen so a panel is
// about 360 pixels). Values exactly as in `blocks`.
MatrixPicture matrixPicture(const MatrixBlocks& blocks, int cell = 0);

// The entry under pixel (x, y) of a picture: panel 0..2 (M, M_hat, difference) and (a, b) indices into
// blocks.nodes; false outside the panels.
struct MatrixCell {
  int panel = -1;
  int a = -1, b = -1;
};
bool matrixCellAt(const MatrixPicture& picture, std::int64_t s, int x, int y, MatrixCell& out);

}  // namespace topomask::gui

#include <memory>

#include <Eigen/Core>

#include "topomask/graph/graph.h"
#include "topomask/grf/features.h"
#include "topomask/grf/options.h"
#include "topomask/grf/walks.h"
#include "topomask/mask/mask_function.h"

namespace topomask::gui {

// The walks demo of one query: its traced walks (the sampler's, grf/walks.h) and the relative error
// ||M_hat row from the first m walkers - exact row|| / ||exact row|| for m = 1..n.
struct WalkProgress {
  std::int64_t query = -1;
  WalkTrace trace;
  Eigen::VectorXd exactRow;
  std::vector<double> relError;  // index m - 1
  // M_hat row from the first m walkers (engine: traceMaskRow).
  Eigen::VectorXd row(int m, const SparseFeatures& keyT) const { return traceMaskRow(trace, m, keyT); }
};

// O(n (visits + row cost)): cheap for the walker counts of the demo (n <= a few hundred).
WalkProgress walkProgress(const Graph& graph, const MaskSpec& mask, const GrfOptions& options,
                          const SparseFeatures& keyT, const Eigen::VectorXd& exactRow, std::int64_t query);

}  // namespace topomask::gui
