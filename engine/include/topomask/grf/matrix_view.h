// Pictures of the whole matrices M and M_hat: the rows and columns to show (all nodes, or for large
// graphs a sample ordered along a Morton space-filling curve so that neighbours stay close) and the
// S x S blocks of M and M_hat on them.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/progress.h"
#include "topomask/grf/features.h"
#include "topomask/mask/exact.h"

namespace topomask {

// Node order along a 3-D Morton (Z-order) curve of the positions (N x 3), quantised to 2^21 cells
// per axis over their bounding box; ties keep increasing node id. O(N log N).
std::vector<std::int64_t> mortonOrder(const Eigen::MatrixX3d& positions);

// `count` nodes (all when count >= N) evenly spaced along the Morton order, in that order.
std::vector<std::int64_t> matrixSampleNodes(const Eigen::MatrixX3d& positions, std::int64_t count);

struct MatrixBlocks {
  std::vector<std::int64_t> nodes;  // S nodes: row/column k of the blocks is node nodes[k]
  Eigen::MatrixXd exact;            // S x S: M[nodes, nodes]
  Eigen::MatrixXd estimate;         // S x S: M_hat[nodes, nodes]
  bool sampled = false;             // true when S < N
};

// M and M_hat on at most maxNodes nodes (matrixSampleNodes). Exact rows by the mask operator,
// estimated rows by estimateRow(query, keyT, i). O(S (K |E| + row cost)). Polls progress.
MatrixBlocks matrixBlocks(const MaskOperator& mask, const SparseFeatures& query, const SparseFeatures& keyT,
                          const Eigen::MatrixX3d& positions, std::int64_t maxNodes = 512,
                          Progress* progress = nullptr);

}  // namespace topomask
