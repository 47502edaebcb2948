// Dense reference attention, unmasked linear attention, attention rows and error measures.
#include "topomask/attention/attention.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include "attention/guard.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/large_vector.h"
#include "topomask/core/parallel.h"

namespace topomask {

namespace {

constexpr Eigen::Index kDenseBlock = 64;  // rows per dense block (fixed: results do not depend on threads)

void checkInputs(const AttentionInputs& in, bool softmax) {
  const Eigen::Index n = in.values.rows();
  if (in.phiQ.rows() != n || in.phiK.rows() != n || in.phiQ.cols() != in.phiK.cols())
    throw usageError("attention inputs: phi(Q) and phi(K) must both be N x m with N = rows of V");
  if (softmax && (in.queries.rows() != n || in.keys.rows() != n || in.queries.cols() != in.keys.cols() ||
                  in.queries.cols() == 0))
    throw usageError("attention inputs: the softmax kernel needs Q and K (N x d)");
}

// Dense weights w_ij = kappa(q_i, k_j) * M_ij of rows [i0, i0 + rows) as a rows x N matrix.
// Softmax rows are shifted by their maximum (cancels after normalisation).
template <typename MaskMatrix>
Eigen::MatrixXd denseWeights(const AttentionInputs& in, DenseKernel kernel, const MaskMatrix& mask,
                             const AttentionOptions& o, Eigen::Index i0, Eigen::Index rows) {
  const bool masked = mask.rows() > 0;
  Eigen::MatrixXd w;
  if (kernel == DenseKernel::Softmax) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(in.queries.cols()));
    w.noalias() = (in.queries.middleRows(i0, rows) * scale) * in.keys.transpose();
    if (masked && o.additiveMask) {
      if (o.absMask)
        w.array() += mask.middleRows(i0, rows).template cast<double>().array().abs();
      else
        w.array() += mask.middleRows(i0, rows).template cast<double>().array();
    }
    const Eigen::VectorXd rowMax = w.rowwise().maxCoeff();
    w.colwise() -= rowMax;
    w = w.array().exp().matrix();
    if (masked && !o.additiveMask) {
      if (o.absMask)
        w.array() *= mask.middleRows(i0, rows).template cast<double>().array().abs();
      else
        w.array() *= mask.middleRows(i0, rows).template cast<double>().array();
    }
  } else {
    w.noalias() = in.phiQ.middleRows(i0, rows) * in.phiK.transpose();
    if (masked) {
      if (o.absMask)
        w.array() *= mask.middleRows(i0, rows).template cast<double>().array().abs();
      else
        w.array() *= mask.middleRows(i0, rows).template cast<double>().array();
    }
  }
  return w;
}

template <typename MaskMatrix>
AttentionOutput denseImpl(const AttentionInputs& in, DenseKernel kernel, const MaskMatrix& mask,
                          const AttentionOptions& o) {
  detail::Stopwatch clock;
  const bool softmax = kernel == DenseKernel::Softmax;
  checkInputs(in, softmax);
  const Eigen::Index n = in.size();
  const Eigen::Index dv = in.values.cols();
  if (mask.rows() != 0 && (mask.rows() != n || mask.cols() != n))
    throw usageError("dense attention: the mask must be N x N (" + std::to_string(n) + " x " +
                     std::to_string(n) + ")");
  if (o.additiveMask && !softmax) throw usageError("the additive mask form applies to the softmax kernel only");
  const Eigen::Index blocks = (n + kDenseBlock - 1) / kDenseBlock;
  Eigen::MatrixXd num(n, dv);
  Eigen::VectorXd z(n);
  Eigen::VectorXd absSum(n);
  parallelFor(0, blocks, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t b = lo; b < hi; ++b) {
      const Eigen::Index i0 = b * kDenseBlock;
      const Eigen::Index rows = std::min(kDenseBlock, n - i0);
      const Eigen::MatrixXd w = denseWeights(in, kernel, mask, o, i0, rows);
      num.middleRows(i0, rows).noalias() = w * in.values;
      z.segment(i0, rows) = w.rowwise().sum();
      if (softmax) absSum.segment(i0, rows) = w.cwiseAbs().rowwise().sum();
    }
  }, o.threads, 1);

  AttentionOutput result;
  Eigen::VectorXd zUsed(n);
  if (softmax) {
    result.normaliser = z;
    result.out.resize(n, dv);
    for (Eigen::Index i = 0; i < n; ++i) {
      const double floor = std::max(o.guard * absSum(i), DBL_MIN);
      zUsed(i) = z(i);
      if (!(z(i) >= floor)) {
        zUsed(i) = std::numeric_limits<double>::infinity();  // a guarded row attends to nothing
        ++result.guardedRows;
      }
      result.out.row(i) = num.row(i) / zUsed(i);
    }
  } else {
    detail::finishFeatureMap(result, num, z, o.guard);
    for (Eigen::Index i = 0; i < n; ++i) zUsed(i) = z(i) >= result.floor ? z(i) : std::numeric_limits<double>::infinity();
  }

  if (o.received) {
    // received_j = sum_i w_ij / z_i: partial column sums per block, added in block order.
    Eigen::MatrixXd partial(n, blocks);
    parallelFor(0, blocks, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t b = lo; b < hi; ++b) {
        const Eigen::Index i0 = b * kDenseBlock;
        const Eigen::Index rows = std::min(kDenseBlock, n - i0);
        const Eigen::MatrixXd w = denseWeights(in, kernel, mask, o, i0, rows);
        const Eigen::VectorXd r = zUsed.segment(i0, rows).cwiseInverse();
        partial.col(b).noalias() = w.transpose() * r;
      }
    }, o.threads, 1);
    result.received = Eigen::VectorXd::Zero(n);
    for (Eigen::Index b = 0; b < blocks; ++b) result.received += partial.col(b);
  }
  result.seconds = clock.seconds();
  return result;
}

}  // namespace

AttentionInputs makeAttentionInputs(const Tokens& tokens, const FeatureMap& map, int threads) {
  if (tokens.queries.rows() != tokens.keys.rows() || tokens.queries.rows() != tokens.values.rows() ||
      tokens.queries.cols() != tokens.keys.cols())
    throw usageError("tokens: Q, K and V must have N rows and Q, K the same width");
  // Each matrix is sized and advised huge pages before it is written: the attention algorithms read
  // rows of them out of order (tiles, blocks), and at N = 2^20 each is 128 MB.
  auto adopt = [](RowMatrixXd& dst, const Eigen::MatrixXd& src) {
    dst.resize(src.rows(), src.cols());
    adviseHugePages(dst.data(), static_cast<std::size_t>(dst.size()) * sizeof(double));
    dst = src;
  };
  AttentionInputs in;
  adopt(in.queries, tokens.queries);
  adopt(in.keys, tokens.keys);
  adopt(in.values, tokens.values);
  adopt(in.phiQ, applyFeatureMap(map, tokens.queries, threads));
  adopt(in.phiK, applyFeatureMap(map, tokens.keys, threads));
  // Non-finite tokens (node features near the double range overflow in the projections) would give
  // NaN attention everywhere: refuse them with the cause instead.
  auto requireFinite = [](const RowMatrixXd& m, const char* what) {
    if (!m.allFinite())
      throw Error(std::string(what) + " are not finite: the node features overflow double precision in the "
                  "projections (largest |Q|, |K|, |V| entries above 1e308); rescale the node features",
                  "attention", Error::Kind::Numeric);
  };
  requireFinite(in.queries, "the queries Q");
  requireFinite(in.keys, "the keys K");
  requireFinite(in.values, "the values V");
  requireFinite(in.phiQ, "the query features phi(Q)");
  requireFinite(in.phiK, "the key features phi(K)");
  // Every algorithm sums N products phi(q_i) phi(k_j) [v_j, 1]: when their bound overflows, the
  // outputs would be inf / inf = NaN everywhere. Refuse before any work.
  const double vMax = in.values.size() ? in.values.cwiseAbs().maxCoeff() : 0.0;
  const double bound = (in.phiQ.size() ? in.phiQ.cwiseAbs().maxCoeff() : 0.0) *
                       (in.phiK.size() ? in.phiK.cwiseAbs().maxCoeff() : 0.0) * (vMax + 1.0) *
                       static_cast<double>(in.queries.rows());
  if (!(bound < 1e300))
    throw Error("the tokens are too large: sums of N products phi(q) phi(k) v reach " +
                    std::string(std::isfinite(bound) ? std::to_string(bound) : "infinity") +
                    " and would overflow double precision; rescale the node features",
                "attention", Error::Kind::Numeric);
  return in;
}

void checkAttentionCost(std::int64_t nodes, int features, int valueDim, std::uint64_t memoryLimit) {
  const double work = static_cast<double>(nodes) * features * (valueDim + 1.0);
  if (!(work <= 2147483648.0))
    throw usageError("attention with m = " + std::to_string(features) + " features and d = " + std::to_string(valueDim) +
                     " on " + std::to_string(nodes) + " nodes needs " + std::to_string(static_cast<long long>(work)) +
                     " numbers per work array, more than the limit of 2^31: lower d or m");
  requireMemory(8.0 * (2.0 * work + 6.0 * static_cast<double>(nodes) * std::max(features, valueDim)),
                "attention with m = " + std::to_string(features) + " and d = " + std::to_string(valueDim),
                memoryBudget(memoryLimit));
}

AttentionOutput denseAttention(const AttentionInputs& in, DenseKernel kernel, const Eigen::MatrixXd& mask,
                               const AttentionOptions& options) {
  return denseImpl(in, kernel, mask, options);
}

AttentionOutput denseAttention(const AttentionInputs& in, DenseKernel kernel, const Eigen::MatrixXf& mask,
                               const AttentionOptions& options) {
  return denseImpl(in, kernel, mask, options);
}

AttentionOutput linearAttention(const AttentionInputs& in, const AttentionOptions& o) {
  detail::Stopwatch clock;
  checkInputs(in, false);
  const Eigen::Index n = in.size();
  const Eigen::Index m = in.phiK.cols();
  const Eigen::Index dv = in.values.cols();
  // KV = phi(K)^T [V, 1] (m x (d_v + 1)), reduced over fixed chunks of rows in chunk order.
  constexpr Eigen::Index kChunk = 8192;
  const Eigen::Index chunks = (n + kChunk - 1) / kChunk;
  std::vector<Eigen::MatrixXd> partial(static_cast<std::size_t>(chunks));
  parallelFor(0, chunks, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t c = lo; c < hi; ++c) {
      const Eigen::Index i0 = c * kChunk;
      const Eigen::Index rows = std::min(kChunk, n - i0);
      Eigen::MatrixXd p(m, dv + 1);
      p.leftCols(dv).noalias() = in.phiK.middleRows(i0, rows).transpose() * in.values.middleRows(i0, rows);
      p.col(dv) = in.phiK.middleRows(i0, rows).colwise().sum().transpose();
      partial[static_cast<std::size_t>(c)] = std::move(p);
    }
  }, o.threads, 1);
  Eigen::MatrixXd kv = Eigen::MatrixXd::Zero(m, dv + 1);
  for (const auto& p : partial) kv += p;

  RowMatrixXd numz(n, dv + 1);
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    numz.middleRows(lo, hi - lo).noalias() = in.phiQ.middleRows(lo, hi - lo) * kv;
  }, o.threads, 4096);
  AttentionOutput result;
  const Eigen::VectorXd z = numz.col(dv);
  detail::finishFeatureMap(result, numz.leftCols(dv), z, o.guard);
  if (o.received) {
    const Eigen::VectorXd r = detail::guardedInverse(z, result.floor);
    const Eigen::VectorXd s = in.phiQ.transpose() * r;  // sum_i phi(q_i) / z_i
    result.received = in.phiK * s;
  }
  result.seconds = clock.seconds();
  return result;
}

Eigen::VectorXd attentionRow(const AttentionInputs& in, DenseKernel kernel, const Eigen::VectorXd& maskRow,
                             std::int64_t i, double floor, const AttentionOptions& o) {
  const bool softmax = kernel == DenseKernel::Softmax;
  checkInputs(in, softmax);
  const Eigen::Index n = in.size();
  if (i < 0 || i >= n)
    throw usageError("query node " + std::to_string(i) + " is out of range (0.." + std::to_string(n - 1) + ")");
  const bool masked = maskRow.size() > 0;
  if (masked && maskRow.size() != n) throw usageError("attention row: the mask row must have N entries");
  Eigen::VectorXd mrow = masked ? maskRow : Eigen::VectorXd();
  if (masked && o.absMask) mrow = mrow.cwiseAbs();
  Eigen::VectorXd w;
  if (softmax) {
    const double scale = 1.0 / std::sqrt(static_cast<double>(in.queries.cols()));
    w = (in.keys * (in.queries.row(i).transpose() * scale));
    if (masked && o.additiveMask) w += mrow;
    w.array() -= w.maxCoeff();
    w = w.array().exp().matrix();
    if (masked && !o.additiveMask) w.array() *= mrow.array();
    const double z = w.sum();
    const double f = std::max(o.guard * w.cwiseAbs().sum(), DBL_MIN);
    if (!(z >= f)) return Eigen::VectorXd::Zero(n);  // guarded: the row attends to nothing
    return w / z;
  }
  w = in.phiK * in.phiQ.row(i).transpose();
  if (masked) w.array() *= mrow.array();
  const double z = w.sum();
  if (!(z >= (floor > 0 ? floor : DBL_MIN))) return Eigen::VectorXd::Zero(n);  // guarded, as in the algorithms
  return w / z;
}

Eigen::VectorXd rowErrors(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) throw usageError("rowErrors: the matrices differ in shape");
  return (a - b).rowwise().norm();
}

double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  if (a.rows() != b.rows() || a.cols() != b.cols()) throw usageError("relativeError: the matrices differ in shape");
  const double denom = b.norm();
  const double diff = (a - b).norm();
  return denom > 0 ? diff / denom : diff;
}

}  // namespace topomask
