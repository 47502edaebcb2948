#include "topomask/grf/matrix_view.h"

#include <algorithm>
#include <numeric>

#include "topomask/core/error.h"

namespace topomask {

namespace {

// Spreads the low 21 bits of x to every third bit.
std::uint64_t spread3(std::uint64_t x) {
  x &= 0x1fffff;
  x = (x | x << 32) & 0x1f00000000ffffULL;
  x = (x | x << 16) & 0x1f0000ff0000ffULL;
  x = (x | x << 8) & 0x100f00f00f00f00fULL;
  x = (x | x << 4) & 0x10c30c30c30c30c3ULL;
  x = (x | x << 2) & 0x1249249249249249ULL;
  return x;
}

}  // namespace

std::vector<std::int64_t> mortonOrder(const Eigen::MatrixX3d& positions) {
  const std::int64_t n = positions.rows();
  std::vector<std::int64_t> order(static_cast<std::size_t>(n));
  std::iota(order.begin(), order.end(), std::int64_t{0});
  if (n == 0) return order;
  const Eigen::RowVector3d lo = positions.colwise().minCoeff(), hi = positions.colwise().maxCoeff();
  const double extent = std::max((hi - lo).maxCoeff(), 1e-300);
  std::vector<std::uint64_t> key(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    std::uint64_t k = 0;
    for (int a = 0; a < 3; ++a) {
      const double t = std::clamp((positions(i, a) - lo[a]) / extent, 0.0, 1.0);
      k |= spread3(static_cast<std::uint64_t>(t * 2097151.0)) << a;
    }
    key[static_cast<std::size_t>(i)] = k;
  }
  std::stable_sort(order.begin(), order.end(),
                   [&](std::int64_t a, std::int64_t b) { return key[static_cast<std::size_t>(a)] < key[static_cast<std::size_t>(b)]; });
  return order;
}

std::vector<std::int64_t> matrixSampleNodes(const Eigen::MatrixX3d& positions, std::int64_t count) {
  if (count < 1) throw usageError("the matrix view needs at least one node");
  const std::vector<std::int64_t> order = mortonOrder(positions);
  const std::int64_t n = static_cast<std::int64_t>(order.size());
  if (count >= n) return order;
  std::vector<std::int64_t> out(static_cast<std::size_t>(count));
  for (std::int64_t k = 0; k < count; ++k) out[static_cast<std::size_t>(k)] = order[static_cast<std::size_t>(k * n / count)];
  return out;
}

MatrixBlocks matrixBlocks(const MaskOperator& mask, const SparseFeatures& query, const SparseFeatures& keyT,
                          const Eigen::MatrixX3d& positions, std::int64_t maxNodes, Progress* progress) {
  const std::int64_t n = mask.graph().nodeCount();
  if (positions.rows() != n || query.rows != n || keyT.cols != n)
    throw usageError("matrix view: positions, features and graph disagree in size");
  MatrixBlocks out;
  out.nodes = matrixSampleNodes(positions, maxNodes);
  const std::int64_t s = static_cast<std::int64_t>(out.nodes.size());
  out.sampled = s < n;
  const Eigen::MatrixXd rows = mask.rows(out.nodes, progress);  // S x N
  out.exact.resize(s, s);
  out.estimate.resize(s, s);
  for (std::int64_t a = 0; a < s; ++a) {
    if (progress) progress->throwIfCancelled();
    const Eigen::VectorXd est = estimateRow(query, keyT, out.nodes[static_cast<std::size_t>(a)]);
    for (std::int64_t b = 0; b < s; ++b) {
      out.exact(a, b) = rows(a, out.nodes[static_cast<std::size_t>(b)]);
      out.estimate(a, b) = est[out.nodes[static_cast<std::size_t>(b)]];
    }
  }
  return out;
}

}  // namespace topomask
