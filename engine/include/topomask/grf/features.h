// SparseFeatures: the graph random feature matrix Phi (N x N CSR, float32 values) and the
// estimates built from it: M_hat = Phi_Q Phi_K^T as rows, as a dense matrix, and as products M_hat X.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/large_vector.h"

namespace topomask {

// A rows x cols sparse matrix in CSR form: row i holds columns indices[offsets[i] .. offsets[i+1])
// in strictly increasing order with values[...] (float32; the sampler accumulates in double and
// rounds once). For GRFs rows = cols = N and row i is phi(i).
struct SparseFeatures {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  std::vector<std::int64_t> offsets{0};  // rows + 1
  LargeVector<std::int32_t> indices;     // nnz, sorted within each row
  LargeVector<float> values;             // nnz

  std::int64_t nonZeros() const { return static_cast<std::int64_t>(indices.size()); }
  std::int64_t rowNonZeros(std::int64_t i) const { return offsets[i + 1] - offsets[i]; }
  double meanNonZerosPerRow() const { return rows > 0 ? static_cast<double>(nonZeros()) / rows : 0.0; }
  std::int64_t maxNonZerosPerRow() const;
  // Bytes held by the three arrays: 8 (rows + 1) + 8 nnz.
  std::int64_t bytes() const;
  // Dense copy (rows x cols) for small matrices and tests. Throws usage Error past 4096 x 4096.
  Eigen::MatrixXd dense() const;
  // Checks the CSR invariants (sizes, monotone offsets, sorted in-range columns); asserts in tests.
  bool valid() const;
};

// The identity as SparseFeatures (n x n): the key side of the asymmetric ensemble (f = delta_0).
SparseFeatures identityFeatures(std::int64_t n);

// Transpose (cols x rows), columns sorted. O(nnz + rows + cols).
SparseFeatures transpose(const SparseFeatures& a);

// One row of a sparse estimate: column indices (sorted) and values.
struct SparseRow {
  std::vector<std::int32_t> indices;
  std::vector<double> values;
};

// Row i of M_hat = Phi_Q Phi_K^T: sum_l Phi_Q[i, l] (Phi_K^T)[l, :], computed through the
// transposed key features keyT = transpose(Phi_K) (cols of Phi_K x N). Only the non-zero entries are
// touched: cost O(sum over l in row i of nnz(keyT row l)) plus sorting the result. Double precision.
SparseRow estimateRowSparse(const SparseFeatures& query, const SparseFeatures& keyT, std::int64_t i);
// The same row as a dense vector of length N = keyT.cols.
Eigen::VectorXd estimateRow(const SparseFeatures& query, const SparseFeatures& keyT, std::int64_t i);

// Dense M_hat = Phi_Q Phi_K^T (N x N) for small graphs. Throws usage Error when N > denseCap.
// Cost O(N nnz-per-row^2) via sparse products, then O(N^2) to expand.
Eigen::MatrixXd estimateDense(const SparseFeatures& query, const SparseFeatures& key,
                              std::int64_t denseCap = 4096);

// M_hat X = Phi_Q (Phi_K^T X) for an N x c block X, never forming M_hat. O(nnz c) time,
// O(N c) extra memory. `threads` as in parallelFor; the result does not depend on it.
Eigen::MatrixXd applyEstimate(const SparseFeatures& query, const SparseFeatures& key,
                              const Eigen::MatrixXd& x, int threads = 0);

}  // namespace topomask
