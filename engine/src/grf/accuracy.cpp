#include "topomask/grf/accuracy.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <numeric>
#include <string>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/features.h"
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

double boundOnMeanSquaredEntryError(const ConcentrationConstant& constant, Ensemble ensemble, int walkers) {
  const double inf = std::numeric_limits<double>::infinity();
  auto tail = [&](double u) {  // P(e^2 > u) <= the engine's bound at t = sqrt(u)
    return u <= 0 ? 1.0 : concentrationBound(constant, walkers, std::sqrt(u), ensemble).probability;
  };
  if (!concentrationBound(constant, walkers, 1.0, ensemble).available) return inf;
  // u1: where the bound drops below 1 (found by doubling then bisection); below it the bound is 1.
  double lo = 0.0, hi = 1e-300;
  for (int k = 0; k < 4000 && tail(hi) >= 1.0; ++k) lo = hi, hi *= 2;
  if (tail(hi) >= 1.0) return inf;
  for (int k = 0; k < 200; ++k) {
    const double mid = 0.5 * (lo + hi);
    (tail(mid) >= 1.0 ? lo : hi) = mid;
  }
  const double u1 = hi;
  // Beyond u1 the bound decays like exp(-u / s): integrate by Simpson's rule until it is negligible.
  double end = 2 * u1;
  for (int k = 0; k < 4000 && tail(end) > 1e-18; ++k) end = u1 + 2 * (end - u1);
  const int steps = 4000;
  const double h = (end - u1) / steps;
  double sum = tail(u1) + tail(end);
  for (int k = 1; k < steps; ++k) sum += (k % 2 ? 4.0 : 2.0) * tail(u1 + k * h);
  return u1 + sum * h / 3.0;
}

BoundCurve concentrationCurve(const ConcentrationConstant& constant, Ensemble ensemble,
                              const std::vector<double>& walkers, double entries, double exactFrobeniusSq) {
  BoundCurve b;
  b.c = constant.c;
  char text[200];
  if (walkers.empty()) return b;
  const ConcentrationBound probe = concentrationBound(constant, static_cast<int>(walkers.front()), 1.0, ensemble);
  b.available = probe.available;
  if (!b.available) {
    b.allValues.assign(walkers.size(), std::numeric_limits<double>::infinity());
    b.note = probe.statement;
    return b;
  }
  std::vector<double> vacuousAt;
  for (const double n : walkers) {
    const double v = entries * boundOnMeanSquaredEntryError(constant, ensemble, static_cast<int>(n)) / exactFrobeniusSq;
    b.allValues.push_back(v);
    if (std::isfinite(v) && v < 1.0) {
      b.walkers.push_back(n);
      b.value.push_back(v);
    } else {
      vacuousAt.push_back(n);
    }
  }
  if (b.walkers.empty()) {
    std::snprintf(text, sizeof text, "bound vacuous: >= 1 at every n (c = %.3g)", constant.c);
    b.note = text;
  } else if (!vacuousAt.empty()) {
    std::snprintf(text, sizeof text, "bound vacuous (>= 1) for n <= %g; c = %.3g", vacuousAt.back(), constant.c);
    b.note = text;
  }
  return b;
}

ConvergenceResult convergenceExperiment(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                                        const ConvergenceRequest& request, Progress* progress) {
  using Clock = std::chrono::steady_clock;
  if (request.walkers.empty() || request.trials < 1)
    throw usageError("convergence: give walker counts and at least one trial");
  for (const int w : request.walkers) {  // every count with the other options, before any work
    GrfOptions o = options;
    o.walkers = w;
    validateGrfOptions(o);
  }
  ConvergenceResult r;
  const std::int64_t n = graph.nodeCount();
  AccuracyOptions acc;
  acc.denseCap = request.denseCap;
  acc.sampleRows = request.sampleRows;
  acc.seed = options.seed;
  acc.threads = options.threads;
  r.allRows = n <= request.denseCap;
  r.rows = r.allRows ? sampleNodes(n, n, 0) : sampleNodes(n, request.sampleRows, options.seed);
  if (progress) progress->setStage("error against walkers: exact rows");
  const auto t0 = Clock::now();
  const Eigen::MatrixXd exact = exactMaskRows(graph, mask, r.rows, acc, progress);
  r.exactSeconds = std::chrono::duration<double>(Clock::now() - t0).count();
  r.exactFrobeniusSq = exact.squaredNorm();
  if (progress) progress->setStage("error against walkers: sampling");
  const int total = static_cast<int>(request.walkers.size()) * request.trials;
  int done = 0;
  for (const int w : request.walkers) {
    ConvergencePoint p;
    p.walkers = w;
    std::vector<double> sq;
    const auto s0 = Clock::now();
    for (int t = 0; t < request.trials; ++t) {
      GrfOptions o = options;
      o.walkers = w;
      o.seed = mix64(options.seed ^ mix64(static_cast<std::uint64_t>(t) + 1));
      const GrfFeatures phi = sampleFeatures(graph, mask, o);
      p.nnzPerRow += phi.query().meanNonZerosPerRow() / request.trials;
      const Eigen::MatrixXd estimate =
          r.allRows ? estimateDense(phi.query(), phi.key(), request.denseCap) : estimateRows(phi, r.rows);
      const FrobeniusError e = frobeniusError(r.rows, exact, estimate, n);
      sq.push_back(e.relFrobeniusSq);
      p.mean += e.relFrobenius / request.trials;
      reportProgress(progress, static_cast<double>(++done) / total);
    }
    p.seconds = std::chrono::duration<double>(Clock::now() - s0).count();
    for (const double v : sq) p.meanSq += v / request.trials;
    double ss = 0.0;
    for (const double v : sq) ss += (v - p.meanSq) * (v - p.meanSq);
    p.stderrSq = request.trials > 1 ? std::sqrt(ss / (request.trials - 1.0) / request.trials) : 0.0;
    r.points.push_back(p);
  }
  {  // least-squares slope of log(mean squared error) against log(n)
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (const ConvergencePoint& p : r.points)
      if (p.meanSq > 0) {
        const double x = std::log(p.walkers), y = std::log(p.meanSq);
        sx += x, sy += y, sxx += x * x, sxy += x * y, m += 1;
      }
    if (m >= 2 && m * sxx - sx * sx > 0) r.loglogSlope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  }
  GrfOptions first = options;
  first.walkers = request.walkers.front();
  r.constant = concentrationConstant(graph, mask, first);
  std::vector<double> w;
  for (const ConvergencePoint& p : r.points) w.push_back(p.walkers);
  r.bound = concentrationCurve(r.constant, options.ensemble, w,
                               static_cast<double>(r.rows.size()) * static_cast<double>(n), r.exactFrobeniusSq);
  return r;
}

}  // namespace topomask
