// Small methods of the plain data types in topomask/io/geometry.h.
#include "topomask/io/geometry.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>
#include <vector>

#include "io_internal.h"
#include "topomask/core/error.h"

namespace topomask {

float Image::intensity(int x, int y) const {
  if (channels >= 3) {
    return 0.2126f * at(x, y, 0) + 0.7152f * at(x, y, 1) + 0.0722f * at(x, y, 2);
  }
  return at(x, y, 0);
}

using io_detail::CellHash;
using io_detail::CellKey;

namespace {

CellKey cellOf(const Eigen::MatrixX3d& p, Eigen::Index i, const Eigen::RowVector3d& lo, double side) {
  return {static_cast<std::int64_t>(std::floor((p(i, 0) - lo(0)) / side)),
          static_cast<std::int64_t>(std::floor((p(i, 1) - lo(1)) / side)),
          static_cast<std::int64_t>(std::floor((p(i, 2) - lo(2)) / side))};
}

}  // namespace

PointCloud voxelSubsample(const PointCloud& cloud, std::int64_t target, double* cellSide) {
  if (target < 1) throw usageError("voxel subsampling needs a target of at least one point");
  if (cellSide) *cellSide = 0.0;
  const Eigen::Index n = cloud.points.rows();
  if (n <= target) return cloud;
  const Eigen::RowVector3d lo = cloud.points.colwise().minCoeff(), hi = cloud.points.colwise().maxCoeff();
  const double diag = std::max((hi - lo).norm(), 1e-300);
  auto occupied = [&](double side) {
    std::unordered_map<CellKey, std::int64_t, CellHash> cells;
    cells.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, 4 * target)));
    for (Eigen::Index i = 0; i < n; ++i) {
      cells.try_emplace(cellOf(cloud.points, i, lo, side), 0);
      if (static_cast<std::int64_t>(cells.size()) > target) return cells.size();  // too fine: stop early
    }
    return cells.size();
  };
  // Bisection in log(side) between a cell as large as the box (1 cell) and one 10^6 times smaller.
  double fine = diag * 1e-6, coarse = diag;
  for (int step = 0; step < 24; ++step) {
    const double mid = std::sqrt(fine * coarse);
    if (static_cast<std::int64_t>(occupied(mid)) > target) fine = mid;
    else coarse = mid;
  }
  std::unordered_map<CellKey, std::int64_t, CellHash> index;
  std::vector<std::int64_t> cellOfPoint(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i)
    cellOfPoint[static_cast<std::size_t>(i)] =
        index.try_emplace(cellOf(cloud.points, i, lo, coarse), static_cast<std::int64_t>(index.size())).first->second;
  const auto m = static_cast<Eigen::Index>(index.size());
  PointCloud out;
  const bool hasN = cloud.normals.rows() == n, hasC = cloud.colors.rows() == n;
  out.points = Eigen::MatrixX3d::Zero(m, 3);
  if (hasN) out.normals = Eigen::MatrixX3d::Zero(m, 3);
  if (hasC) out.colors = Eigen::MatrixX3d::Zero(m, 3);
  Eigen::VectorXd count = Eigen::VectorXd::Zero(m);
  for (Eigen::Index i = 0; i < n; ++i) {
    const auto c = static_cast<Eigen::Index>(cellOfPoint[static_cast<std::size_t>(i)]);
    out.points.row(c) += cloud.points.row(i);
    if (hasN) out.normals.row(c) += cloud.normals.row(i);
    if (hasC) out.colors.row(c) += cloud.colors.row(i);
    count(c) += 1;
  }
  out.points.array().colwise() /= count.array();
  if (hasC) out.colors.array().colwise() /= count.array();
  if (hasN)
    for (Eigen::Index c = 0; c < m; ++c) {
      const double len = out.normals.row(c).norm();
      if (len > 0) out.normals.row(c) /= len;
    }
  if (cellSide) *cellSide = coarse;
  return out;
}

const char* sceneKindName(SceneKind kind) {
  switch (kind) {
    case SceneKind::Mesh: return "mesh";
    case SceneKind::Points: return "points";
    case SceneKind::Image: return "image";
    case SceneKind::Graph: return "graph";
  }
  return "unknown";
}

}  // namespace topomask
