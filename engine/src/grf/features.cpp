#include "topomask/grf/features.h"

#include <algorithm>
#include <string>

#include "topomask/core/error.h"
#include "topomask/core/parallel.h"

namespace topomask {

std::int64_t SparseFeatures::maxNonZerosPerRow() const {
  std::int64_t best = 0;
  for (std::int64_t i = 0; i < rows; ++i) best = std::max(best, rowNonZeros(i));
  return best;
}

std::int64_t SparseFeatures::bytes() const {
  return static_cast<std::int64_t>(offsets.size() * sizeof(std::int64_t) + indices.size() * sizeof(std::int32_t) +
                                   values.size() * sizeof(float));
}

Eigen::MatrixXd SparseFeatures::dense() const {
  if (rows > 4096 || cols > 4096)
    throw usageError("dense copy of a " + std::to_string(rows) + " x " + std::to_string(cols) +
                     " feature matrix refused (at most 4096 x 4096)");
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(rows, cols);
  for (std::int64_t i = 0; i < rows; ++i)
    for (std::int64_t e = offsets[i]; e < offsets[i + 1]; ++e) out(i, indices[e]) = values[e];
  return out;
}

bool SparseFeatures::valid() const {
  if (rows < 0 || cols < 0 || static_cast<std::int64_t>(offsets.size()) != rows + 1) return false;
  if (offsets.front() != 0 || offsets.back() != nonZeros() || values.size() != indices.size()) return false;
  for (std::int64_t i = 0; i < rows; ++i) {
    if (offsets[i + 1] < offsets[i]) return false;
    for (std::int64_t e = offsets[i]; e < offsets[i + 1]; ++e) {
      if (indices[e] < 0 || indices[e] >= cols) return false;
      if (e > offsets[i] && indices[e] <= indices[e - 1]) return false;
    }
  }
  return true;
}

SparseFeatures identityFeatures(std::int64_t n) {
  SparseFeatures out;
  out.rows = out.cols = n;
  out.offsets.resize(static_cast<std::size_t>(n + 1));
  out.indices.resize(static_cast<std::size_t>(n));
  out.values.assign(static_cast<std::size_t>(n), 1.0f);
  for (std::int64_t i = 0; i <= n; ++i) out.offsets[i] = i;
  for (std::int64_t i = 0; i < n; ++i) out.indices[i] = static_cast<std::int32_t>(i);
  return out;
}

SparseFeatures transpose(const SparseFeatures& a) {
  SparseFeatures t;
  t.rows = a.cols;
  t.cols = a.rows;
  t.offsets.assign(static_cast<std::size_t>(a.cols + 1), 0);
  for (const std::int32_t c : a.indices) ++t.offsets[static_cast<std::size_t>(c) + 1];
  for (std::int64_t c = 0; c < a.cols; ++c) t.offsets[c + 1] += t.offsets[c];
  t.indices.resize(a.indices.size());
  t.values.resize(a.values.size());
  std::vector<std::int64_t> next(t.offsets.begin(), t.offsets.end() - 1);
  // Rows visited in increasing order, so every transposed row comes out sorted.
  for (std::int64_t i = 0; i < a.rows; ++i)
    for (std::int64_t e = a.offsets[i]; e < a.offsets[i + 1]; ++e) {
      const std::int64_t at = next[static_cast<std::size_t>(a.indices[e])]++;
      t.indices[at] = static_cast<std::int32_t>(i);
      t.values[at] = a.values[e];
    }
  return t;
}

namespace {

void checkRow(const SparseFeatures& query, const SparseFeatures& keyT, std::int64_t i) {
  if (query.cols != keyT.rows)
    throw usageError("GRF estimate: query features have " + std::to_string(query.cols) +
                     " columns but the transposed key features " + std::to_string(keyT.rows) + " rows");
  if (i < 0 || i >= query.rows)
    throw usageError("GRF estimate: node " + std::to_string(i) + " out of range [0, " + std::to_string(query.rows) +
                     ")");
}

}  // namespace

SparseRow estimateRowSparse(const SparseFeatures& query, const SparseFeatures& keyT, std::int64_t i) {
  checkRow(query, keyT, i);
  // Gather into a hash-free accumulator keyed by the result column; the row touches few columns.
  std::vector<std::pair<std::int32_t, double>> terms;
  for (std::int64_t e = query.offsets[i]; e < query.offsets[i + 1]; ++e) {
    const double q = query.values[e];
    const std::int32_t l = query.indices[e];
    for (std::int64_t g = keyT.offsets[l]; g < keyT.offsets[l + 1]; ++g)
      terms.emplace_back(keyT.indices[g], q * static_cast<double>(keyT.values[g]));
  }
  std::stable_sort(terms.begin(), terms.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  SparseRow out;
  for (const auto& [j, v] : terms) {
    if (!out.indices.empty() && out.indices.back() == j)
      out.values.back() += v;
    else {
      out.indices.push_back(j);
      out.values.push_back(v);
    }
  }
  return out;
}

Eigen::VectorXd estimateRow(const SparseFeatures& query, const SparseFeatures& keyT, std::int64_t i) {
  checkRow(query, keyT, i);
  Eigen::VectorXd out = Eigen::VectorXd::Zero(keyT.cols);
  for (std::int64_t e = query.offsets[i]; e < query.offsets[i + 1]; ++e) {
    const double q = query.values[e];
    const std::int32_t l = query.indices[e];
    for (std::int64_t g = keyT.offsets[l]; g < keyT.offsets[l + 1]; ++g)
      out[keyT.indices[g]] += q * static_cast<double>(keyT.values[g]);
  }
  return out;
}

Eigen::MatrixXd estimateDense(const SparseFeatures& query, const SparseFeatures& key, std::int64_t denseCap) {
  if (query.cols != key.cols)
    throw usageError("GRF estimate: query and key features have different widths");
  if (query.rows > denseCap || key.rows > denseCap)
    throw usageError("dense GRF estimate of " + std::to_string(query.rows) + " x " + std::to_string(key.rows) +
                     " refused (dense cap " + std::to_string(denseCap) + "); use rows or products instead");
  const SparseFeatures keyT = transpose(key);
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(query.rows, key.rows);
  for (std::int64_t i = 0; i < query.rows; ++i)
    for (std::int64_t e = query.offsets[i]; e < query.offsets[i + 1]; ++e) {
      const double q = query.values[e];
      const std::int32_t l = query.indices[e];
      for (std::int64_t g = keyT.offsets[l]; g < keyT.offsets[l + 1]; ++g)
        out(i, keyT.indices[g]) += q * static_cast<double>(keyT.values[g]);
    }
  return out;
}

Eigen::MatrixXd applyEstimate(const SparseFeatures& query, const SparseFeatures& key, const Eigen::MatrixXd& x,
                              int threads) {
  if (query.cols != key.cols) throw usageError("GRF product: query and key features have different widths");
  if (x.rows() != key.rows)
    throw usageError("GRF product: X has " + std::to_string(x.rows()) + " rows, expected " +
                     std::to_string(key.rows));
  const Eigen::Index c = x.cols();
  // S = Phi_K^T X (cols x c), accumulated row by row of the transpose so that it is parallel and
  // deterministic; then Y = Phi_Q S.
  const SparseFeatures keyT = transpose(key);
  Eigen::MatrixXd s = Eigen::MatrixXd::Zero(key.cols, c);
  parallelFor(
      0, keyT.rows,
      [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t l = lo; l < hi; ++l)
          for (std::int64_t g = keyT.offsets[l]; g < keyT.offsets[l + 1]; ++g)
            s.row(l) += static_cast<double>(keyT.values[g]) * x.row(keyT.indices[g]);
      },
      threads, 4096);
  Eigen::MatrixXd y = Eigen::MatrixXd::Zero(query.rows, c);
  parallelFor(
      0, query.rows,
      [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i)
          for (std::int64_t e = query.offsets[i]; e < query.offsets[i + 1]; ++e)
            y.row(i) += static_cast<double>(query.values[e]) * s.row(query.indices[e]);
      },
      threads, 4096);
  return y;
}

}  // namespace topomask
