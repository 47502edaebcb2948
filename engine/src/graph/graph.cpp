#include "topomask/graph/graph.h"

#include <vector>

namespace topomask {

void Graph::multiply(const double* x, double* y) const {
  const std::int64_t n = nodeCount();
  for (std::int64_t i = 0; i < n; ++i) {
    double sum = 0.0;
    for (std::int64_t e = offsets[i]; e < offsets[i + 1]; ++e) sum += weights[e] * x[neighbours[e]];
    y[i] = sum;
  }
}

Eigen::MatrixXd Graph::dense() const {
  const std::int64_t n = nodeCount();
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = offsets[i]; e < offsets[i + 1]; ++e) w(i, neighbours[e]) = weights[e];
  return w;
}

std::int64_t defaultQuery(const Graph& graph) {
  const std::int64_t n = graph.nodeCount();
  if (n <= 0) return -1;
  if (graph.gridWidth > 0 && graph.gridHeight > 0)
    return static_cast<std::int64_t>(graph.gridHeight / 2) * graph.gridWidth + graph.gridWidth / 2;
  // The last node a breadth-first search from `start` reaches.
  auto farthest = [&](std::int64_t start) {
    std::vector<std::int64_t> queue{start};
    std::vector<char> seen(static_cast<std::size_t>(n), 0);
    seen[static_cast<std::size_t>(start)] = 1;
    for (std::size_t head = 0; head < queue.size(); ++head)
      for (std::int64_t e = graph.offsets[queue[head]]; e < graph.offsets[queue[head] + 1]; ++e)
        if (!seen[static_cast<std::size_t>(graph.neighbours[e])]) {
          seen[static_cast<std::size_t>(graph.neighbours[e])] = 1;
          queue.push_back(graph.neighbours[e]);
        }
    return queue.back();
  };
  return farthest(farthest(0));
}

}  // namespace topomask
