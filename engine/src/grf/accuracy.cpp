#include "topomask/grf/accuracy.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/mask/exact.h"

namespace topomask {

namespace {

std::string formatNumber(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.4g", v);
  return buf;
}

FrobeniusError finish(FrobeniusError e) {
  e.relFrobeniusSq = e.exactFrobeniusSq > 0.0 ? e.errorFrobeniusSq / e.exactFrobeniusSq
                                              : (e.errorFrobeniusSq > 0.0 ? std::numeric_limits<double>::infinity() : 0.0);
  e.relFrobenius = std::sqrt(e.relFrobeniusSq);
  return e;
}

}  // namespace

FrobeniusError frobeniusError(const std::vector<std::int64_t>& rows, const Eigen::MatrixXd& exactRows,
                              const Eigen::MatrixXd& estimateRows, std::int64_t totalRows) {
  if (exactRows.rows() != estimateRows.rows() || exactRows.cols() != estimateRows.cols() ||
      static_cast<std::size_t>(exactRows.rows()) != rows.size())
    throw usageError("frobeniusError: exact rows " + std::to_string(exactRows.rows()) + " x " +
                     std::to_string(exactRows.cols()) + ", estimate rows " + std::to_string(estimateRows.rows()) +
                     " x " + std::to_string(estimateRows.cols()) + ", " + std::to_string(rows.size()) + " row ids");
  FrobeniusError e;
  e.rows = rows;
  e.rowsUsed = static_cast<std::int64_t>(rows.size());
  e.allRows = e.rowsUsed == totalRows;
  e.rowErrors.resize(exactRows.rows());
  for (Eigen::Index r = 0; r < exactRows.rows(); ++r) {
    const double err = (estimateRows.row(r) - exactRows.row(r)).squaredNorm();
    const double ref = exactRows.row(r).squaredNorm();
    e.errorFrobeniusSq += err;
    e.exactFrobeniusSq += ref;
    e.rowErrors[r] = ref > 0.0 ? std::sqrt(err / ref) : std::sqrt(err);
  }
  return finish(std::move(e));
}

FrobeniusError frobeniusError(const Eigen::MatrixXd& exact, const Eigen::MatrixXd& estimate) {
  std::vector<std::int64_t> rows(static_cast<std::size_t>(exact.rows()));
  std::iota(rows.begin(), rows.end(), std::int64_t{0});
  return frobeniusError(rows, exact, estimate, exact.rows());
}

std::vector<std::int64_t> sampleNodes(std::int64_t n, std::int64_t count, std::uint64_t seed) {
  std::vector<std::int64_t> out;
  if (count >= n) {
    out.resize(static_cast<std::size_t>(std::max<std::int64_t>(n, 0)));
    std::iota(out.begin(), out.end(), std::int64_t{0});
    return out;
  }
  // Floyd's algorithm: `count` distinct values, O(count log count).
  Rng rng(seed, 0x5eed5a3e1eULL, 0);
  std::vector<std::int64_t> chosen;
  chosen.reserve(static_cast<std::size_t>(count));
  for (std::int64_t j = n - count; j < n; ++j) {
    const std::int64_t t = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(j + 1)));
    const bool taken = std::find(chosen.begin(), chosen.end(), t) != chosen.end();
    chosen.push_back(taken ? j : t);
  }
  std::sort(chosen.begin(), chosen.end());
  return chosen;
}

Eigen::MatrixXd exactMaskRows(const Graph& graph, const MaskFunction& mask, const std::vector<std::int64_t>& rows,
                              const AccuracyOptions& options, Progress* progress) {
  const std::int64_t n = graph.nodeCount();
  for (const std::int64_t r : rows)
    if (r < 0 || r >= n) throw usageError("node " + std::to_string(r) + " out of range [0, " + std::to_string(n) + ")");
  if (n <= options.denseCap) {
    DenseMaskOptions dense;
    dense.maxNodes = options.denseCap;
    const Eigen::MatrixXd m = denseMask(graph, mask, dense);
    Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), n);
    for (std::size_t k = 0; k < rows.size(); ++k) out.row(static_cast<Eigen::Index>(k)) = m.row(rows[k]);
    return out;
  }
  MaskOperatorOptions op;
  op.relTolerance = options.relTolerance;
  op.threads = options.threads;
  const MaskOperator m(graph, mask, op);
  return m.rows(rows, progress);
}

Eigen::MatrixXd estimateRows(const GrfFeatures& features, const std::vector<std::int64_t>& rows) {
  const SparseFeatures keyT = transpose(features.key());
  Eigen::MatrixXd out(static_cast<Eigen::Index>(rows.size()), keyT.cols);
  for (std::size_t k = 0; k < rows.size(); ++k)
    out.row(static_cast<Eigen::Index>(k)) = estimateRow(features.query(), keyT, rows[k]).transpose();
  return out;
}

FrobeniusError grfError(const Graph& graph, const MaskFunction& mask, const GrfFeatures& features,
                        const AccuracyOptions& options, Progress* progress) {
  const std::int64_t n = graph.nodeCount();
  if (features.nodeCount() != n)
    throw usageError("GRF features have " + std::to_string(features.nodeCount()) + " rows but the graph " +
                     std::to_string(n) + " nodes");
  if (n <= options.denseCap) {
    DenseMaskOptions dense;
    dense.maxNodes = options.denseCap;
    const Eigen::MatrixXd exact = denseMask(graph, mask, dense);
    const Eigen::MatrixXd estimate = estimateDense(features.query(), features.key(), options.denseCap);
    return frobeniusError(exact, estimate);
  }
  const std::vector<std::int64_t> rows = sampleNodes(n, options.sampleRows, options.seed);
  const Eigen::MatrixXd exact = exactMaskRows(graph, mask, rows, options, progress);
  const Eigen::MatrixXd estimate = estimateRows(features, rows);
  return frobeniusError(rows, exact, estimate, n);
}

std::vector<double> tailFraction(const Eigen::MatrixXd& exactRows, const Eigen::MatrixXd& estimateRows,
                                 const std::vector<double>& thresholds, bool offDiagonal,
                                 const std::vector<std::int64_t>& rows) {
  if (exactRows.rows() != estimateRows.rows() || exactRows.cols() != estimateRows.cols())
    throw usageError("tailFraction: exact and estimate shapes differ");
  if (!rows.empty() && static_cast<Eigen::Index>(rows.size()) != exactRows.rows())
    throw usageError("tailFraction: one row id per row expected");
  std::vector<double> out(thresholds.size(), 0.0);
  std::int64_t entries = 0;
  for (Eigen::Index r = 0; r < exactRows.rows(); ++r) {
    const std::int64_t node = rows.empty() ? r : rows[static_cast<std::size_t>(r)];
    for (Eigen::Index j = 0; j < exactRows.cols(); ++j) {
      if (offDiagonal && j == node) continue;
      ++entries;
      const double d = std::abs(estimateRows(r, j) - exactRows(r, j));
      for (std::size_t k = 0; k < thresholds.size(); ++k)
        if (d > thresholds[k]) out[k] += 1.0;
    }
  }
  if (entries > 0)
    for (double& v : out) v /= static_cast<double>(entries);
  return out;
}

ConcentrationConstant concentrationConstant(const Graph& graph, const MaskFunction& mask, const GrfOptions& options) {
  validateGrfOptions(options);
  ConcentrationConstant out;
  const double scaled = std::nearbyint(options.pHalt * 4294967296.0);
  const double pEff = std::min(scaled, 4294967295.0) / 4294967296.0;  // the sampler's halting lattice
  double r = 0.0;
  for (std::int64_t i = 0; i < graph.nodeCount(); ++i) {
    const double deg = static_cast<double>(graph.degree(i));
    for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) r = std::max(r, std::abs(graph.weights[e]) * deg);
  }
  r /= 1.0 - pEff;
  out.loadGrowth = r;
  const bool capped = options.maxLength > 0;
  const int count = capped ? std::min(options.maxLength, 4096) + 1 : 4097;
  const std::vector<double> f = mask.modulation(count);
  // Sum in log space so that huge r^k does not overflow before a vanishing f_k.
  const double logR = r > 0.0 ? std::log(r) : -std::numeric_limits<double>::infinity();
  double sum = 0.0, lastTerms = 0.0;
  const int tailStart = count - count / 10;
  for (int k = 0; k < count; ++k) {
    const double fk = std::abs(f[static_cast<std::size_t>(k)]);
    if (fk == 0.0) continue;
    const double term = k == 0 ? fk : std::exp(std::log(fk) + k * logR);
    sum += term;
    if (k >= tailStart) lastTerms += term;
  }
  out.terms = count;
  const double radius = mask.radiusOfConvergence();
  const bool diverges = !std::isfinite(sum) || (!capped && (r >= radius || lastTerms > 1e-12 * sum));
  if (diverges) {
    out.finite = false;
    out.c = std::numeric_limits<double>::infinity();
    out.statement = "c = sum_k |f_k| r^k is infinite (r = max |W_ij| deg_i / (1 - p_halt) = " + formatNumber(r) +
                    (capped ? ")" : "; the series does not converge there)") + ": no concentration bound";
  } else {
    out.finite = true;
    out.c = sum;
    out.statement = "c = " + formatNumber(sum) + " (r = " + formatNumber(r) + ", " + std::to_string(count) +
                    (capped ? " terms up to L_max)" : " terms)");
  }
  return out;
}

ConcentrationBound concentrationBound(const ConcentrationConstant& constant, int walkers, double t, Ensemble ensemble) {
  if (walkers < 1) throw usageError("concentration bound: walkers must be at least 1");
  if (!(t > 0.0)) throw usageError("concentration bound: t must be positive");
  ConcentrationBound b;
  b.c = constant.c;
  if (ensemble == Ensemble::Asymmetric) {
    b.statement = "no concentration bound: the theorem covers symmetric features (shared, independent), not the "
                  "asymmetric ensemble";
    return b;
  }
  if (!constant.finite) {
    b.statement = "no concentration bound: " + constant.statement;
    return b;
  }
  b.available = true;
  const double n = walkers;
  const double c4 = std::pow(constant.c, 4);
  const double p = 2.0 * std::exp(-t * t * n * n * n / (2.0 * (2.0 * n - 1.0) * (2.0 * n - 1.0) * c4));
  b.vacuous = !(p < 1.0);
  b.probability = std::min(1.0, p);
  b.statement = b.vacuous ? "the bound is vacuous here (2 exp(...) = " + formatNumber(p) + " >= 1 for t = " +
                                formatNumber(t) + ", n = " + std::to_string(walkers) + ", c = " + formatNumber(constant.c) + ")"
                          : "P(|M_hat_ij - M_ij| > " + formatNumber(t) + ") <= " + formatNumber(p) + " (n = " +
                                std::to_string(walkers) + ", c = " + formatNumber(constant.c) + ")";
  return b;
}

}  // namespace topomask
