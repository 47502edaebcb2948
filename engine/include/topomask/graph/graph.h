// Graph: the weighted adjacency W of the nodes in CSR form, plus what is needed to draw it.
// W = sigma * normalised(A); the row of node i is neighbours/weights[offsets[i] .. offsets[i+1]).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace topomask {

enum class Normalisation { Symmetric, RandomWalk, None };

struct Graph {
  // CSR of W. Structure is symmetric (j in row i iff i in row j); values are symmetric
  // except under the random-walk normalisation. Columns sorted within each row; no self loops.
  std::vector<std::int64_t> offsets{0};  // N + 1
  std::vector<std::int32_t> neighbours;  // nnz
  std::vector<double> weights;           // nnz, entries W_ij

  Normalisation normalisation = Normalisation::Symmetric;
  double sigma = 1.0;
  // Weighted degree d_i = sum_j A_ij of the unnormalised adjacency (N). Under the random-walk
  // normalisation W_rw = D^-1/2 W_sym D^1/2, so functions of W_rw follow from those of W_sym.
  Eigen::VectorXd degrees;

  // Drawing and token features (N rows each, or 0 rows when absent).
  Eigen::MatrixX3d positions;  // 3-D positions; 2-D layouts and grids have z = 0
  Eigen::MatrixX3d colors;     // [0, 1]
  Eigen::MatrixX3d normals;
  Eigen::VectorXd intensity;   // images: grey level of the pixel or mean of the patch

  // Pixel or patch grids: node id = y * gridWidth + x; 0 otherwise. cell = pixels per node side.
  int gridWidth = 0;
  int gridHeight = 0;
  int gridCell = 1;

  // Things the user should know about the construction (self loops dropped, duplicate edges merged).
  std::vector<std::string> warnings;

  std::int64_t nodeCount() const { return static_cast<std::int64_t>(offsets.size()) - 1; }
  std::int64_t nonZeros() const { return static_cast<std::int64_t>(neighbours.size()); }
  // Undirected edges, each counted once.
  std::int64_t edgeCount() const { return nonZeros() / 2; }
  std::int64_t degree(std::int64_t i) const { return offsets[i + 1] - offsets[i]; }
  bool symmetricValues() const { return normalisation != Normalisation::RandomWalk; }

  // y = W x, O(|E|). x and y have N entries.
  void multiply(const double* x, double* y) const;
  // Dense W (N x N) for small graphs and tests.
  Eigen::MatrixXd dense() const;
};

// The default query: the node every front end shows or computes when the user names none (the
// window on the demo and on grids, `render`, `mask`, `attention`). One rule:
//   - a pixel or patch grid: its centre cell, row gridHeight / 2, column gridWidth / 2 (a corner
//     would show a quarter of the mask at best);
//   - any other graph: an end of its longest shortest path in hops, found by a double breadth-first
//     sweep: the last node reached from node 0, then the last node reached from that one (ties go
//     to the lower index within a breadth-first layer order). On the demo it is the tip of the tube
//     next to the gap. A disconnected graph stays in node 0's component.
// -1 for a graph without nodes. O(N + |E|).
std::int64_t defaultQuery(const Graph& graph);

}  // namespace topomask
