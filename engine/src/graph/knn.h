// Private: neighbour searches on 3-D points with Open3D's KD-tree (the only Open3D user in graph/).
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

namespace topomask::detail {

struct IndexPair {
  std::int32_t i;
  std::int32_t j;
};

// Pairs (i, j), i != j, with j among the k nearest neighbours of i (not yet symmetrised).
std::vector<IndexPair> knnPairs(const Eigen::MatrixX3d& points, int k, int threads);
// Pairs (i, j), i < j, with |p_i - p_j| <= radius.
std::vector<IndexPair> radiusPairs(const Eigen::MatrixX3d& points, double radius, int threads);
// Estimated number of pairs radiusPairs would return: the mean neighbour count of up to `samples`
// points spread over the index range, times N / 2. Cost O(samples N) at worst.
double estimateRadiusPairs(const Eigen::MatrixX3d& points, double radius, int samples);
// Mean distance from each point to its nearest other point (0 for fewer than 2 points).
double meanNearestNeighbourDistance(const Eigen::MatrixX3d& points, int threads);

}  // namespace topomask::detail
