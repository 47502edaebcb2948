#include "topomask/graph/graph.h"

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

}  // namespace topomask
