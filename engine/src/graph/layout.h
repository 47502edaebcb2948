// Private: 2-D drawing layout for graphs without geometry.
#pragma once

#include <Eigen/Core>

#include "topomask/graph/graph.h"

namespace topomask::detail {

// Spectral layout: the two slowest non-trivial modes of the lazy random walk (I + D^-1 A) / 2 by
// block power iteration (300 steps, deterministic start), scaled into [-1, 1]^2 with z = 0.
// Graphs above 200k nodes are laid out on a circle by index. O(300 |E|).
Eigen::MatrixX3d layout2d(const Graph& graph);

}  // namespace topomask::detail
