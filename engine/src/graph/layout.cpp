#include "layout.h"

#include <cmath>

#include "topomask/core/rng.h"

namespace topomask::detail {

Eigen::MatrixX3d layout2d(const Graph& g) {
  const std::int64_t n = g.nodeCount();
  Eigen::MatrixX3d pos = Eigen::MatrixX3d::Zero(n, 3);
  if (n == 0) return pos;
  if (n > 200000 || g.nonZeros() == 0 || n < 3) {
    for (std::int64_t i = 0; i < n; ++i) {
      const double t = 2.0 * M_PI * static_cast<double>(i) / static_cast<double>(n);
      pos(i, 0) = std::cos(t);
      pos(i, 1) = std::sin(t);
    }
    return pos;
  }
  Eigen::VectorXd deg(n);
  for (std::int64_t i = 0; i < n; ++i) deg(i) = static_cast<double>(g.degree(i));
  Rng rng(12345);
  Eigen::MatrixXd x(n, 2), y(n, 2);
  for (std::int64_t i = 0; i < n; ++i) x(i, 0) = rng.uniform() - 0.5, x(i, 1) = rng.uniform() - 0.5;
  const double degSum = deg.sum();
  auto deflateAndOrthonormalise = [&](Eigen::MatrixXd& m) {
    for (int c = 0; c < 2; ++c) {
      // D-orthogonal to the constant vector, then to the previous column.
      m.col(c).array() -= deg.dot(m.col(c)) / degSum;
      for (int p = 0; p < c; ++p) {
        const double num = (m.col(c).array() * m.col(p).array() * deg.array()).sum();
        const double den = (m.col(p).array().square() * deg.array()).sum();
        if (den > 0) m.col(c) -= (num / den) * m.col(p);
      }
      const double norm = std::sqrt((m.col(c).array().square() * deg.array()).sum());
      if (norm > 0) m.col(c) /= norm;
    }
  };
  deflateAndOrthonormalise(x);
  for (int it = 0; it < 300; ++it) {
    for (std::int64_t i = 0; i < n; ++i) {
      double s0 = 0, s1 = 0;
      for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
        s0 += x(g.neighbours[e], 0);
        s1 += x(g.neighbours[e], 1);
      }
      const double d = deg(i) > 0 ? deg(i) : 1.0;
      y(i, 0) = 0.5 * (x(i, 0) + s0 / d);
      y(i, 1) = 0.5 * (x(i, 1) + s1 / d);
    }
    x.swap(y);
    deflateAndOrthonormalise(x);
  }
  for (int c = 0; c < 2; ++c) {
    const double lo = x.col(c).minCoeff(), hi = x.col(c).maxCoeff();
    const double span = hi > lo ? hi - lo : 1.0;
    pos.col(c) = ((x.col(c).array() - lo) / span * 2.0 - 1.0).matrix();
  }
  return pos;
}

}  // namespace topomask::detail
