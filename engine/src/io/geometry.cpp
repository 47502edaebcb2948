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

namespace {

// The side of the smallest cubic cell for which at most `target` cells hold points: bisection in
// log(side) between a cell as large as the box (1 cell) and one 10^6 times smaller, 24 steps.
double cellSideFor(const Eigen::MatrixX3d& points, std::int64_t target, const Eigen::RowVector3d& lo) {
  const Eigen::Index n = points.rows();
  const Eigen::RowVector3d hi = points.colwise().maxCoeff();
  const double diag = std::max((hi - lo).norm(), 1e-300);
  auto occupied = [&](double side) {
    std::unordered_map<CellKey, std::int64_t, CellHash> cells;
    cells.reserve(static_cast<std::size_t>(std::min<std::int64_t>(n, 4 * target)));
    for (Eigen::Index i = 0; i < n; ++i) {
      cells.try_emplace(cellOf(points, i, lo, side), 0);
      if (static_cast<std::int64_t>(cells.size()) > target) return cells.size();  // too fine: stop early
    }
    return cells.size();
  };
  double fine = diag * 1e-6, coarse = diag;
  for (int step = 0; step < 24; ++step) {
    const double mid = std::sqrt(fine * coarse);
    if (static_cast<std::int64_t>(occupied(mid)) > target) fine = mid;
    else coarse = mid;
  }
  return coarse;
}

// The cells of the smallest side for which at most `target` cells hold points (cellSideFor): each
// point's cell as an index 0..cells-1 in order of first appearance.
struct Cells {
  std::vector<std::int64_t> of;
  Eigen::Index count = 0;
  double side = 0.0;
};
Cells cellsFor(const Eigen::MatrixX3d& points, std::int64_t target) {
  const Eigen::RowVector3d lo = points.colwise().minCoeff();
  Cells c;
  c.side = cellSideFor(points, target, lo);
  std::unordered_map<CellKey, std::int64_t, CellHash> index;
  c.of.resize(static_cast<std::size_t>(points.rows()));
  for (Eigen::Index i = 0; i < points.rows(); ++i)
    c.of[static_cast<std::size_t>(i)] = index.try_emplace(cellOf(points, i, lo, c.side), static_cast<std::int64_t>(index.size())).first->second;
  c.count = static_cast<Eigen::Index>(index.size());
  return c;
}

// Means of the rows of `values` per group (group[i] in [0, m)); unit length when `normalise`.
Eigen::MatrixX3d groupMeans(const Eigen::MatrixX3d& values, const std::vector<std::int64_t>& group, Eigen::Index m, bool normalise) {
  Eigen::MatrixX3d out = Eigen::MatrixX3d::Zero(m, 3);
  Eigen::VectorXd count = Eigen::VectorXd::Zero(m);
  for (Eigen::Index i = 0; i < values.rows(); ++i) {
    const auto c = static_cast<Eigen::Index>(group[static_cast<std::size_t>(i)]);
    out.row(c) += values.row(i);
    count(c) += 1;
  }
  if (normalise) {
    for (Eigen::Index c = 0; c < m; ++c)
      if (const double len = out.row(c).norm(); len > 0) out.row(c) /= len;
  } else {
    out.array().colwise() /= count.array().max(1.0);
  }
  return out;
}

}  // namespace

PointCloud voxelSubsample(const PointCloud& cloud, std::int64_t target, double* cellSide) {
  if (target < 1) throw usageError("voxel subsampling needs a target of at least one point");
  if (cellSide) *cellSide = 0.0;
  const Eigen::Index n = cloud.points.rows();
  if (n <= target) return cloud;
  const Cells cells = cellsFor(cloud.points, target);
  PointCloud out;
  out.points = groupMeans(cloud.points, cells.of, cells.count, false);
  if (cloud.normals.rows() == n) out.normals = groupMeans(cloud.normals, cells.of, cells.count, true);
  if (cloud.colors.rows() == n) out.colors = groupMeans(cloud.colors, cells.of, cells.count, false);
  if (cellSide) *cellSide = cells.side;
  return out;
}

Mesh clusterMesh(const Mesh& mesh, std::int64_t target, double* cellSide) {
  if (target < 1) throw usageError("mesh clustering needs a target of at least one vertex");
  if (cellSide) *cellSide = 0.0;
  const Eigen::Index n = mesh.vertices.rows();
  if (n <= target) return mesh;
  const Cells cells = cellsFor(mesh.vertices, target);
  const std::vector<std::int64_t>& cell = cells.of;
  // Within a cell, only vertices joined by the mesh's own edges inside it merge (union-find), so two
  // sheets that pass through one cell (a finger and its neighbour, the two sides of a gap) stay apart.
  std::vector<std::int64_t> parent(static_cast<std::size_t>(n));
  for (Eigen::Index i = 0; i < n; ++i) parent[static_cast<std::size_t>(i)] = i;
  auto find = [&](std::int64_t v) {
    while (parent[static_cast<std::size_t>(v)] != v) v = parent[static_cast<std::size_t>(v)] = parent[static_cast<std::size_t>(parent[static_cast<std::size_t>(v)])];
    return v;
  };
  for (Eigen::Index f = 0; f < mesh.triangles.rows(); ++f)
    for (int e = 0; e < 3; ++e) {
      const std::int64_t a = mesh.triangles(f, e), b = mesh.triangles(f, (e + 1) % 3);
      if (cell[static_cast<std::size_t>(a)] != cell[static_cast<std::size_t>(b)]) continue;
      const std::int64_t ra = find(a), rb = find(b);
      if (ra != rb) parent[static_cast<std::size_t>(std::max(ra, rb))] = std::min(ra, rb);
    }
  std::vector<std::int64_t> token(static_cast<std::size_t>(n), -1);
  Eigen::Index m = 0;
  for (Eigen::Index i = 0; i < n; ++i) {
    const std::int64_t r = find(i);
    if (token[static_cast<std::size_t>(r)] < 0) token[static_cast<std::size_t>(r)] = m++;
    token[static_cast<std::size_t>(i)] = token[static_cast<std::size_t>(r)];
  }
  Mesh out;
  out.vertices = groupMeans(mesh.vertices, token, m, false);
  if (mesh.normals.rows() == n) out.normals = groupMeans(mesh.normals, token, m, true);
  if (mesh.colors.rows() == n) out.colors = groupMeans(mesh.colors, token, m, false);
  // Triangles whose corners fall in three different tokens survive, once each (first orientation).
  std::unordered_map<CellKey, char, CellHash> seen;
  std::vector<Eigen::Vector3i> kept;
  for (Eigen::Index f = 0; f < mesh.triangles.rows(); ++f) {
    const std::int64_t a = token[static_cast<std::size_t>(mesh.triangles(f, 0))], b = token[static_cast<std::size_t>(mesh.triangles(f, 1))],
                       c = token[static_cast<std::size_t>(mesh.triangles(f, 2))];
    if (a == b || b == c || a == c) continue;
    std::int64_t key[3] = {a, b, c};
    std::sort(key, key + 3);
    if (!seen.try_emplace(CellKey{key[0], key[1], key[2]}, 0).second) continue;
    kept.emplace_back(static_cast<int>(a), static_cast<int>(b), static_cast<int>(c));
  }
  out.triangles.resize(static_cast<Eigen::Index>(kept.size()), 3);
  for (std::size_t f = 0; f < kept.size(); ++f) out.triangles.row(static_cast<Eigen::Index>(f)) = kept[f].transpose();
  if (cellSide) *cellSide = cells.side;
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
