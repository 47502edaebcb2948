#include "layout.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

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
  if (n <= kStressNodes) x = stressLayout(g, x);
  // Into [-1, 1] along the longer side, the same scale on both axes (distances keep their ratios).
  const Eigen::RowVector2d lo = x.colwise().minCoeff(), hi = x.colwise().maxCoeff();
  const double span = std::max((hi - lo).maxCoeff(), 1e-300);
  const Eigen::RowVector2d centre = 0.5 * (lo + hi);
  for (std::int64_t i = 0; i < n; ++i) pos.block<1, 2>(i, 0) = (x.row(i) - centre) * (2.0 / span);
  return pos;
}

Eigen::MatrixXd stressLayout(const Graph& g, const Eigen::MatrixXd& start) {
  const std::int64_t n = g.nodeCount();
  // Hop distances between all pairs (breadth-first from every node); pairs in different components
  // are held one hop further apart than the farthest connected pair.
  std::vector<int> dist(static_cast<std::size_t>(n * n), -1);
  std::vector<std::int64_t> queue(static_cast<std::size_t>(n));
  int farthest = 1;
  for (std::int64_t s = 0; s < n; ++s) {
    int* d = &dist[static_cast<std::size_t>(s * n)];
    std::size_t head = 0, tail = 0;
    d[s] = 0;
    queue[tail++] = s;
    while (head < tail) {
      const std::int64_t u = queue[head++];
      for (std::int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        const std::int64_t v = g.neighbours[e];
        if (d[v] < 0) {
          d[v] = d[u] + 1;
          farthest = std::max(farthest, d[v]);
          queue[tail++] = v;
        }
      }
    }
  }
  for (int& d : dist)
    if (d < 0) d = farthest + 1;
  // Start: the spectral layout scaled so that its mean edge length is one hop.
  Eigen::MatrixXd x = start;
  double edgeLength = 0.0;
  std::int64_t edges = 0;
  for (std::int64_t u = 0; u < n; ++u)
    for (std::int64_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e, ++edges) edgeLength += (x.row(u) - x.row(g.neighbours[e])).norm();
  if (edges > 0 && edgeLength > 0) x *= static_cast<double>(edges) / edgeLength;
  // Stress majorization, node by node (Gansner, Koren and North 2004): each node moves to the
  // weighted mean of where every other node says it should be, weights d^-2. The coordinates live
  // in two plain arrays and the weights in a table by hop distance: this O(N^2) sweep is the whole
  // cost of laying out a small graph, and unvectorised builds (sanitizers, fuzzing) run it too.
  std::vector<double> px(static_cast<std::size_t>(n)), py(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) px[static_cast<std::size_t>(i)] = x(i, 0), py[static_cast<std::size_t>(i)] = x(i, 1);
  std::vector<double> weight(static_cast<std::size_t>(farthest) + 2, 0.0);
  for (int d = 1; d <= farthest + 1; ++d) weight[static_cast<std::size_t>(d)] = 1.0 / (static_cast<double>(d) * d);
  const double* xs = px.data();
  const double* ys = py.data();
  const double* w = weight.data();
  for (int it = 0; it < kStressIterations; ++it) {
    for (std::int64_t i = 0; i < n; ++i) {
      const int* d = &dist[static_cast<std::size_t>(i * n)];
      const double xi = xs[i], yi = ys[i];
      double wsum = 0.0, tx = 0.0, ty = 0.0;
      for (std::int64_t j = 0; j < n; ++j) {
        if (j == i) continue;
        const int dij = d[j];
        const double wij = w[dij], dx = xi - xs[j], dy = yi - ys[j];
        const double len = std::sqrt(dx * dx + dy * dy);
        const double pull = len > 1e-12 ? dij / len : 0.0;
        tx += wij * (xs[j] + pull * dx);
        ty += wij * (ys[j] + pull * dy);
        wsum += wij;
      }
      if (wsum > 0) px[static_cast<std::size_t>(i)] = tx / wsum, py[static_cast<std::size_t>(i)] = ty / wsum;
    }
  }
  for (std::int64_t i = 0; i < n; ++i) x(i, 0) = px[static_cast<std::size_t>(i)], x(i, 1) = py[static_cast<std::size_t>(i)];
  return x;
}

}  // namespace topomask::detail
