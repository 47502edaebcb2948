// Private helpers of the attention algorithms: normaliser guarding, timing, output assembly.
#pragma once

#include <algorithm>
#include <chrono>
#include <cfloat>
#include <cmath>

#include "topomask/attention/attention.h"
#include "topomask/core/parallel.h"

namespace topomask::detail {

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Feature-map floor: guard * mean |z| (at least DBL_MIN so that zero rows stay finite).
inline double featureMapFloor(const Eigen::VectorXd& z, double guard) {
  const double meanAbs = z.size() ? z.cwiseAbs().mean() : 0.0;
  const double f = guard * meanAbs;
  return std::isfinite(f) && f > DBL_MIN ? f : DBL_MIN;
}

// out = num / z row by row, and 0 for a guarded row (z_i < floor: no positive attention mass, so the
// row's weights are not a distribution and any output would be arbitrary; before, such rows were
// divided by the floor and reached 1e6); fills normaliser, floor and guardedRows of `result`.
// num is N x (d_v) row-major or column-major; z has N entries.
template <typename Num>
void finishFeatureMap(AttentionOutput& result, const Num& num, const Eigen::VectorXd& z, double guard) {
  result.normaliser = z;
  result.floor = featureMapFloor(z, guard);
  result.out.resize(num.rows(), num.cols());
  Eigen::VectorXd inv(z.size());
  std::int64_t guarded = 0;
  for (Eigen::Index i = 0; i < z.size(); ++i) {
    double zi = z(i);
    if (!(zi >= result.floor)) {
      inv(i) = 0.0;
      ++guarded;
    } else {
      inv(i) = 1.0 / zi;
    }
  }
  // Blocks of rows, so that a row-major num and the column-major out are both read and written
  // within cache-resident blocks at any N.
  constexpr Eigen::Index kBlock = 256;
  for (Eigen::Index i0 = 0; i0 < num.rows(); i0 += kBlock) {
    const Eigen::Index rows = std::min(kBlock, num.rows() - i0);
    for (Eigen::Index c = 0; c < num.cols(); ++c)
      for (Eigen::Index i = i0; i < i0 + rows; ++i) result.out(i, c) = num(i, c) * inv(i);
  }
  result.guardedRows = guarded;
}

// 1 / z_i, and 0 for a guarded row (z_i < floor): the per-row scale of the outputs and of the
// received-attention sums.
inline Eigen::VectorXd guardedInverse(const Eigen::VectorXd& z, double floor) {
  Eigen::VectorXd r(z.size());
  for (Eigen::Index i = 0; i < z.size(); ++i) r(i) = z(i) >= floor ? 1.0 / z(i) : 0.0;
  return r;
}

// In place: numz is N x (d_v + 1), column-major, with z in the last column. Its last column is
// dropped without a copy (the storage is shrunk) and the rest becomes result.out = num / z (0 if guarded),
// scaled by `threads` threads; fills normaliser, floor and guardedRows as finishFeatureMap does.
inline void finishFeatureMapInPlace(AttentionOutput& result, Eigen::MatrixXd&& numz, double guard, int threads) {
  const Eigen::Index n = numz.rows(), dv = numz.cols() - 1;
  result.normaliser = numz.col(dv);
  result.floor = featureMapFloor(result.normaliser, guard);
  numz.conservativeResize(n, dv);
  result.out = std::move(numz);
  std::int64_t guarded = 0;
  for (Eigen::Index i = 0; i < n; ++i) guarded += result.normaliser(i) >= result.floor ? 0 : 1;
  result.guardedRows = guarded;
  const Eigen::VectorXd inv = guardedInverse(result.normaliser, result.floor);
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    for (Eigen::Index c = 0; c < dv; ++c)
      result.out.col(c).segment(lo, hi - lo).array() *= inv.segment(lo, hi - lo).array();
  }, threads, 1 << 15);
}

}  // namespace topomask::detail
