#include "knn.h"

#include <open3d/geometry/KDTreeFlann.h>
#include <open3d/geometry/PointCloud.h>

#include <algorithm>

#include "topomask/core/parallel.h"

namespace topomask::detail {
namespace {

open3d::geometry::PointCloud toCloud(const Eigen::MatrixX3d& points) {
  open3d::geometry::PointCloud cloud;
  cloud.points_.resize(static_cast<std::size_t>(points.rows()));
  for (Eigen::Index i = 0; i < points.rows(); ++i) cloud.points_[static_cast<std::size_t>(i)] = points.row(i).transpose();
  return cloud;
}

}  // namespace

std::vector<IndexPair> knnPairs(const Eigen::MatrixX3d& points, int k, int threads) {
  const auto n = static_cast<std::int64_t>(points.rows());
  if (n < 2 || k < 1) return {};
  const open3d::geometry::PointCloud cloud = toCloud(points);
  const open3d::geometry::KDTreeFlann tree(cloud);
  const int want = static_cast<int>(std::min<std::int64_t>(k + 1, n));
  std::vector<IndexPair> pairs(static_cast<std::size_t>(n) * static_cast<std::size_t>(want - 1), IndexPair{-1, -1});
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    std::vector<int> idx;
    std::vector<double> dist;
    for (std::int64_t i = lo; i < hi; ++i) {
      tree.SearchKNN(cloud.points_[static_cast<std::size_t>(i)], want, idx, dist);
      std::size_t slot = static_cast<std::size_t>(i) * static_cast<std::size_t>(want - 1);
      int written = 0;
      for (int j : idx) {
        if (j == i || written == want - 1) continue;  // the query itself (or a duplicate point in its place)
        pairs[slot + static_cast<std::size_t>(written++)] = {static_cast<std::int32_t>(i), j};
      }
    }
  }, threads, 256);
  pairs.erase(std::remove_if(pairs.begin(), pairs.end(), [](const IndexPair& p) { return p.i < 0; }), pairs.end());
  return pairs;
}

std::vector<IndexPair> radiusPairs(const Eigen::MatrixX3d& points, double radius, int threads) {
  const auto n = static_cast<std::int64_t>(points.rows());
  if (n < 2 || !(radius > 0)) return {};
  const open3d::geometry::PointCloud cloud = toCloud(points);
  const open3d::geometry::KDTreeFlann tree(cloud);
  const int chunks = std::max(1, resolveThreads(threads)) * 8;
  std::vector<std::vector<IndexPair>> parts(static_cast<std::size_t>(chunks));
  const std::int64_t per = (n + chunks - 1) / chunks;
  parallelFor(0, chunks, [&](std::int64_t lo, std::int64_t hi) {
    std::vector<int> idx;
    std::vector<double> dist;
    for (std::int64_t c = lo; c < hi; ++c) {
      auto& out = parts[static_cast<std::size_t>(c)];
      for (std::int64_t i = c * per; i < std::min(n, (c + 1) * per); ++i) {
        tree.SearchRadius(cloud.points_[static_cast<std::size_t>(i)], radius, idx, dist);
        for (int j : idx)
          if (j > i) out.push_back({static_cast<std::int32_t>(i), j});
      }
    }
  }, threads, 1);
  std::vector<IndexPair> pairs;
  for (auto& part : parts) pairs.insert(pairs.end(), part.begin(), part.end());
  return pairs;
}

double estimateRadiusPairs(const Eigen::MatrixX3d& points, double radius, int samples) {
  const auto n = static_cast<std::int64_t>(points.rows());
  if (n < 2 || !(radius > 0) || samples < 1) return 0.0;
  const open3d::geometry::PointCloud cloud = toCloud(points);
  const open3d::geometry::KDTreeFlann tree(cloud);
  const std::int64_t count = std::min<std::int64_t>(samples, n);
  std::vector<int> idx;
  std::vector<double> dist;
  double neighbours = 0.0;
  for (std::int64_t s = 0; s < count; ++s) {
    const std::int64_t i = s * n / count;
    tree.SearchRadius(cloud.points_[static_cast<std::size_t>(i)], radius, idx, dist);
    neighbours += static_cast<double>(idx.size()) - 1.0;  // the point itself
  }
  return neighbours / static_cast<double>(count) * static_cast<double>(n) / 2.0;
}

double meanNearestNeighbourDistance(const Eigen::MatrixX3d& points, int threads) {
  const auto n = static_cast<std::int64_t>(points.rows());
  if (n < 2) return 0.0;
  const open3d::geometry::PointCloud cloud = toCloud(points);
  const open3d::geometry::KDTreeFlann tree(cloud);
  std::vector<double> nearest(static_cast<std::size_t>(n), 0.0);
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    std::vector<int> idx;
    std::vector<double> dist2;
    for (std::int64_t i = lo; i < hi; ++i) {
      tree.SearchKNN(cloud.points_[static_cast<std::size_t>(i)], 2, idx, dist2);
      double best = 0.0;
      for (std::size_t a = 0; a < idx.size(); ++a)
        if (idx[a] != i) { best = std::sqrt(dist2[a]); break; }
      nearest[static_cast<std::size_t>(i)] = best;
    }
  }, threads, 256);
  double sum = 0.0;
  for (double d : nearest) sum += d;
  return sum / static_cast<double>(n);
}

}  // namespace topomask::detail
