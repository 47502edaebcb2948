// Private: 2-D drawing layout for graphs without geometry.
#pragma once

#include <Eigen/Core>

#include "topomask/graph/graph.h"

namespace topomask::detail {

// Spectral layout: the two slowest non-trivial modes of the lazy random walk (I + D^-1 A) / 2 by
// block power iteration (300 steps, deterministic start), scaled into [-1, 1]^2 with z = 0.
// Graphs above 200k nodes are laid out on a circle by index. O(300 |E|). Graphs of at most
// kStressNodes nodes are then refined by stressLayout (small social and citation graphs: the spectral
// modes alone crowd most nodes into a few points). Both axes share one scale.
Eigen::MatrixX3d layout2d(const Graph& graph);

// Stress majorization from `start` (N x 2): positions whose distances approach the hop distances,
// weighted by distance^-2, kStressIterations sweeps. O(N^2) memory and time per sweep.
inline constexpr std::int64_t kStressNodes = 2000;
inline constexpr int kStressIterations = 60;
Eigen::MatrixXd stressLayout(const Graph& graph, const Eigen::MatrixXd& start);

}  // namespace topomask::detail
