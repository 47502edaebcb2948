#include "topomask/mask/fit.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <atomic>
#include <functional>
#include <memory>
#include <limits>
#include <queue>
#include <sstream>
#include <utility>

#include <Eigen/Eigenvalues>
#include <Eigen/QR>

#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/parallel.h"
#include "topomask/core/rng.h"
#include "topomask/mask/exact.h"
#include "fit_internal.h"

namespace topomask {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();
constexpr const char* kWhere = "fit";

std::string number(double v) {
  std::ostringstream s;
  s.precision(6);
  s << v;
  return s.str();
}

// ---- targets ----------------------------------------------------------------------------------

void validate(const Graph& graph, const FitTarget& target, const FitOptions& options) {
  if (options.terms < 1 || options.terms > kMaxFitTerms)
    throw usageError("fit: the number of terms K must be between 1 and " + std::to_string(kMaxFitTerms) + " (got " +
                     std::to_string(options.terms) + ")");
  if (options.exactCap < 1 || options.exactCap > kMaxDenseNodes)
    throw usageError("fit: the exact cap must be between 1 and " + std::to_string(kMaxDenseNodes));
  if (options.sampleRows < 1) throw usageError("fit: the number of sampled rows must be at least 1");
  if (options.maxIterations < 1 || options.maxIterations > 100000)
    throw usageError("fit: the iteration limit must be between 1 and 100000");
  if (options.restarts < 0 || options.restarts > 1000) throw usageError("fit: restarts must be between 0 and 1000");
  const std::int64_t n = graph.nodeCount();
  if (n == 0) throw Error("the graph has no nodes", kWhere, Error::Kind::Input);
  if (options.method == FitMethod::Exact && n > options.exactCap)
    throw usageError("fit: the exact method needs N <= " + std::to_string(options.exactCap) + " (eigendecomposition, O(N^3)); the graph has " +
                     std::to_string(n) + " nodes: use the sampled method or raise the exact cap");
  switch (target.kind) {
    case FitTargetKind::Kernel:
      (void)MaskFunction(target.kernel);  // validates the spec
      break;
    case FitTargetKind::Dense:
      if (target.dense.rows() != n || target.dense.cols() != n)
        throw usageError("fit: the target " + (target.source.empty() ? std::string("matrix") : target.source) + " is " +
                         std::to_string(target.dense.rows()) + " x " + std::to_string(target.dense.cols()) +
                         " but the graph has " + std::to_string(n) + " nodes (expected " + std::to_string(n) + " x " +
                         std::to_string(n) + ")");
      if (!target.dense.allFinite())
        throw Error("the target matrix has entries that are not finite", target.source.empty() ? kWhere : target.source,
                    Error::Kind::Input);
      break;
    case FitTargetKind::Distance:
      if (!(target.tau > 0.0) || !std::isfinite(target.tau))
        throw usageError("fit: tau must be a finite positive number (got " + number(target.tau) + ")");
      if (target.metric == DistanceMetric::Length && graph.positions.rows() != n)
        throw usageError("fit: the graph has no node positions, so path lengths are undefined; use hop distances");
      break;
  }
}

// One row of the target, T[i, :] (N entries). `op` is the kernel's operator (kernel targets only).
Eigen::VectorXd targetRow(const Graph& graph, const FitTarget& target, const MaskOperator* op, std::int64_t i) {
  switch (target.kind) {
    case FitTargetKind::Kernel: return op->row(i);
    case FitTargetKind::Dense: return target.dense.row(i).transpose();
    case FitTargetKind::Distance: {
      const std::vector<double> d = graphDistances(graph, i, target.metric);
      Eigen::VectorXd t(graph.nodeCount());
      for (std::int64_t j = 0; j < graph.nodeCount(); ++j) t[j] = std::isfinite(d[j]) ? std::exp(-d[j] / target.tau) : 0.0;
      return t;
    }
  }
  return {};
}

std::unique_ptr<MaskOperator> kernelOperator(const Graph& graph, const FitTarget& target, int threads) {
  if (target.kind != FitTargetKind::Kernel) return nullptr;
  MaskOperatorOptions o;
  o.relTolerance = 1e-13;
  o.threads = threads;
  return std::make_unique<MaskOperator>(graph, MaskFunction(target.kernel), o);
}

// ---- the loss models ---------------------------------------------------------------------------

// The loss as a sum of squares plus a constant: loss(f) = (||r(f)||^2 + constant) / normaliser.
struct LossModel {
  int terms = 0;  // K
  bool spectral = false;
  // spectral: r_i = p_f(lambda_i)^2 - d_i
  Eigen::MatrixXd powersK;  // N x K: lambda_i^k
  Eigen::MatrixXd powersA;  // N x (2K - 1)
  Eigen::VectorXd d;
  // Gram: r = S alpha(f) - z, with S^T S = G and S^T z = b (on the numerically non-null modes of G)
  Eigen::MatrixXd s;
  Eigen::VectorXd z;
  Eigen::MatrixXd pinv;  // G^+ (for the best unconstrained alpha)
  Eigen::VectorXd b;
  double constant = 0.0;
  double normaliser = 1.0;

  int alphaCount() const { return 2 * terms - 1; }

  static Eigen::VectorXd selfConvolution(const Eigen::VectorXd& f) {
    Eigen::VectorXd a = Eigen::VectorXd::Zero(2 * f.size() - 1);
    for (Eigen::Index i = 0; i < f.size(); ++i)
      for (Eigen::Index j = 0; j < f.size(); ++j) a[i + j] += f[i] * f[j];
    return a;
  }

  // Residuals and (optionally) their Jacobian with respect to f.
  void evaluate(const Eigen::VectorXd& f, Eigen::VectorXd& r, Eigen::MatrixXd* jacobian) const {
    if (spectral) {
      const Eigen::VectorXd p = powersK * f;
      r = p.array().square().matrix() - d;
      if (jacobian) *jacobian = (2.0 * p).asDiagonal() * powersK;
      return;
    }
    const Eigen::VectorXd a = selfConvolution(f);
    r = s * a - z;
    if (jacobian) {
      // d alpha_m / d f_k = 2 f_{m-k}
      Eigen::MatrixXd da = Eigen::MatrixXd::Zero(alphaCount(), terms);
      for (int k = 0; k < terms; ++k)
        for (int j = 0; j < terms; ++j) da(k + j, k) += 2.0 * f[j];
      *jacobian = s * da;
    }
  }

  double lossOf(double residualSq) const { return std::max(residualSq + constant, 0.0) / normaliser; }

  double loss(const Eigen::VectorXd& f) const {
    Eigen::VectorXd r;
    evaluate(f, r, nullptr);
    return lossOf(r.squaredNorm());
  }

  // The best alpha of degree 2K - 2 without the constraint alpha = f * f.
  Eigen::VectorXd bestAlpha() const {
    if (!spectral) return pinv * b;
    // Least squares powersA alpha ~ d with the columns scaled to unit norm.
    Eigen::VectorXd scale = powersA.colwise().norm().transpose();
    for (Eigen::Index k = 0; k < scale.size(); ++k) scale[k] = scale[k] > 0.0 ? 1.0 / scale[k] : 1.0;
    const Eigen::MatrixXd a = powersA * scale.asDiagonal();
    const Eigen::VectorXd x = a.colPivHouseholderQr().solve(d);
    return scale.asDiagonal() * x;
  }
};

// Powers lambda_i^k, k < count.
Eigen::MatrixXd powers(const Eigen::VectorXd& lambda, int count) {
  Eigen::MatrixXd p(lambda.size(), count);
  if (count > 0) p.col(0).setOnes();
  for (int k = 1; k < count; ++k) p.col(k) = p.col(k - 1).cwiseProduct(lambda);
  return p;
}

// Dense W, when it is symmetric (sym or none normalisation with symmetric values); empty otherwise.
Eigen::MatrixXd symmetricDenseW(const Graph& graph) {
  if (!graph.symmetricValues()) return {};
  const Eigen::MatrixXd w = graph.dense();
  const double scale = w.cwiseAbs().maxCoeff();
  const double asym = (w - w.transpose()).cwiseAbs().maxCoeff();
  if (asym > 1e-12 * std::max(scale, 1e-300)) return {};
  return 0.5 * (w + w.transpose());
}

// All-pairs target matrix for the exact spectral method.
Eigen::MatrixXd denseTarget(const Graph& graph, const FitTarget& target, int threads) {
  const std::int64_t n = graph.nodeCount();
  if (target.kind == FitTargetKind::Dense) return target.dense;
  Eigen::MatrixXd t(n, n);
  parallelFor(
      0, n,
      [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t i = lo; i < hi; ++i) t.row(i) = targetRow(graph, target, nullptr, i).transpose();
      },
      threads, 16);
  return t;
}

void finishModelNormaliser(LossModel& m) {
  if (!(m.normaliser > 0.0) || !std::isfinite(m.normaliser))
    throw Error("the target is zero (or not finite) on " + std::string(m.spectral ? "this graph" : "the rows used") +
                    ", so the relative error is undefined",
                kWhere, Error::Kind::Numeric);
}

LossModel spectralModel(const Graph& graph, const Eigen::MatrixXd& w, const FitTarget& target, int terms, int threads,
                        Progress* progress) {
  LossModel m;
  m.terms = terms;
  m.spectral = true;
  const std::int64_t n = graph.nodeCount();
  requireMemory(4.0 * 8.0 * static_cast<double>(n) * static_cast<double>(n), "the exact fit's dense matrices", memoryBudget(0));
  if (target.kind == FitTargetKind::Kernel) {
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(w, Eigen::EigenvaluesOnly);
    if (eig.info() != Eigen::Success) throw Error("the eigendecomposition of W did not converge", kWhere, Error::Kind::Numeric);
    const Eigen::VectorXd lambda = eig.eigenvalues();
    const MaskFunction fn(target.kernel);
    const double maxAbs = lambda.size() ? lambda.cwiseAbs().maxCoeff() : 0.0;
    if (maxAbs >= fn.radiusOfConvergence()) fn.termsFor(maxAbs);  // throws the divergence error
    m.d.resize(n);
    for (std::int64_t i = 0; i < n; ++i) m.d[i] = fn(lambda[i]);
    if (!m.d.allFinite())
      throw Error("the target " + fn.formula() + " is not finite in double precision on this graph", kWhere, Error::Kind::Numeric);
    m.powersK = powers(lambda, terms);
    m.powersA = powers(lambda, 2 * terms - 1);
    m.normaliser = m.d.squaredNorm();
    m.constant = 0.0;
  } else {
    const Eigen::MatrixXd t = denseTarget(graph, target, threads);
    if (progress) progress->throwIfCancelled();
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(w);
    if (eig.info() != Eigen::Success) throw Error("the eigendecomposition of W did not converge", kWhere, Error::Kind::Numeric);
    const Eigen::MatrixXd& u = eig.eigenvectors();
    const Eigen::MatrixXd tu = t * u;
    m.d.resize(n);
    for (std::int64_t i = 0; i < n; ++i) m.d[i] = u.col(i).dot(tu.col(i));  // (U^T T U)_ii
    m.powersK = powers(eig.eigenvalues(), terms);
    m.powersA = powers(eig.eigenvalues(), 2 * terms - 1);
    m.normaliser = t.squaredNorm();
    // ||T||^2 = ||U^T T U||^2 >= sum_i d_i^2: the off-diagonal part no symmetric M(f) can reach.
    m.constant = std::max(m.normaliser - m.d.squaredNorm(), 0.0);
  }
  finishModelNormaliser(m);
  return m;
}

// Gram model on the rows `nodes`: G_ml = sum_r <x_m, x_l>, b_m = sum_r <x_m, t_r>, c = sum_r |t_r|^2,
// x_m = (W^T)^m e_r (row r of W^m), propagated over the nodes reached so far only.
LossModel gramModel(const Graph& graph, const FitTarget& target, const std::vector<std::int64_t>& nodes, int terms,
                    int threads, Progress* progress) {
  const int count = 2 * terms - 1;
  const std::int64_t n = graph.nodeCount();
  const auto op = kernelOperator(graph, target, threads);
  struct Part {
    Eigen::MatrixXd g;
    Eigen::VectorXd b;
    double c = 0.0;
  };
  std::vector<Part> parts(nodes.size());
  std::atomic<std::int64_t> done{0};
  // One dense scratch block (N x (2K - 1)) per chunk, not per row: chunks of about a quarter of each
  // worker's share. The sums are kept per row and added in row order, so chunking changes nothing.
  const int workers = std::max(1, std::min<int>(resolveThreads(threads), static_cast<int>(nodes.size())));
  requireMemory(static_cast<double>(workers) * static_cast<double>(n) * (8.0 * count + 1.0),
                "the propagation scratch of the sampled-rows fit", memoryBudget(0));
  const std::int64_t chunk = std::max<std::int64_t>(1, static_cast<std::int64_t>(nodes.size()) / (4 * workers));
  parallelForDynamic(
      0, static_cast<std::int64_t>(nodes.size()),
      [&](std::int64_t lo, std::int64_t hi) {
        Eigen::MatrixXd x = Eigen::MatrixXd::Zero(n, count);
        std::vector<char> reached(static_cast<std::size_t>(n), 0);
        std::vector<std::int64_t> support;
        for (std::int64_t q = lo; q < hi; ++q) {
          if (progress) progress->throwIfCancelled();
          const std::int64_t r = nodes[static_cast<std::size_t>(q)];
          support.assign(1, r);
          reached[r] = 1;
          x(r, 0) = 1.0;
          for (int k = 1; k < count; ++k) {
            // x_k = W^T x_{k-1}: x_k[j] += W_ij x_{k-1}[i] over the support of x_{k-1}.
            const std::size_t before = support.size();
            for (std::size_t s = 0; s < before; ++s) {
              const std::int64_t i = support[s];
              const double xi = x(i, k - 1);
              if (xi == 0.0) continue;
              for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
                const std::int32_t j = graph.neighbours[e];
                if (!reached[j]) {
                  reached[j] = 1;
                  support.push_back(j);
                }
                x(j, k) += graph.weights[e] * xi;
              }
            }
          }
          const Eigen::VectorXd t = targetRow(graph, target, op.get(), r);
          Part& part = parts[static_cast<std::size_t>(q)];
          part.g = Eigen::MatrixXd::Zero(count, count);
          part.b = Eigen::VectorXd::Zero(count);
          part.c = t.squaredNorm();
          for (const std::int64_t i : support) {  // in the order reached: deterministic
            const auto row = x.row(i);
            part.g.noalias() += row.transpose() * row;
            part.b += row.transpose() * t[i];
            x.row(i).setZero();
            reached[i] = 0;
          }
          if (progress) progress->report(static_cast<double>(++done) / static_cast<double>(nodes.size()));
        }
      },
      threads, chunk);
  Eigen::MatrixXd g = Eigen::MatrixXd::Zero(count, count);
  Eigen::VectorXd b = Eigen::VectorXd::Zero(count);
  double c = 0.0;
  for (const Part& p : parts) {  // summed in node order: independent of the threads
    g += p.g;
    b += p.b;
    c += p.c;
  }
  LossModel m;
  m.terms = terms;
  m.spectral = false;
  m.b = b;
  m.normaliser = c;
  finishModelNormaliser(m);
  // Scale to a unit diagonal, then G = D^-1 Q Sigma Q^T D^-1 with the modes above round-off kept.
  Eigen::VectorXd dscale(count);
  for (int k = 0; k < count; ++k) dscale[k] = g(k, k) > 0.0 ? 1.0 / std::sqrt(g(k, k)) : 1.0;
  const Eigen::MatrixXd gs = dscale.asDiagonal() * g * dscale.asDiagonal();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gs);
  const Eigen::VectorXd sigma = eig.eigenvalues();
  const double top = sigma.size() ? sigma.maxCoeff() : 0.0;
  std::vector<int> keep;
  for (int k = 0; k < count; ++k)
    if (sigma[k] > 1e-15 * top * count) keep.push_back(k);
  const int rank = static_cast<int>(keep.size());
  m.s.resize(rank, count);
  m.z.resize(rank);
  m.pinv = Eigen::MatrixXd::Zero(count, count);
  const Eigen::VectorXd db = dscale.asDiagonal() * b;
  for (int q = 0; q < rank; ++q) {
    const int k = keep[static_cast<std::size_t>(q)];
    const Eigen::VectorXd v = eig.eigenvectors().col(k);
    const double sq = std::sqrt(sigma[k]);
    // S = Sigma^1/2 Q^T D (D = diag(dscale)^-1 maps alpha to the scaled basis)
    m.s.row(q) = sq * (v.cwiseQuotient(dscale)).transpose();
    m.z[q] = v.dot(db) / sq;
    m.pinv += dscale.asDiagonal() * (v * v.transpose() / sigma[k]) * dscale.asDiagonal();
  }
  m.constant = c - m.z.squaredNorm();
  return m;
}

std::vector<std::int64_t> sampledNodes(std::int64_t n, std::int64_t count, std::uint64_t seed) {
  count = std::min(count, n);
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  if (count == n) return all;
  Rng rng(seed, 0x666974726f7773ULL);  // partial Fisher-Yates
  for (std::int64_t i = 0; i < count; ++i) {
    const std::int64_t j = i + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(n - i)));
    std::swap(all[static_cast<std::size_t>(i)], all[static_cast<std::size_t>(j)]);
  }
  all.resize(static_cast<std::size_t>(count));
  std::sort(all.begin(), all.end());
  return all;
}

struct BuiltModel {
  LossModel model;
  std::string method;
  std::string detail;
  std::int64_t rows = 0;
};

BuiltModel buildModel(const Graph& graph, const FitTarget& target, const FitOptions& options, int terms,
                      Progress* progress) {
  validate(graph, target, options);
  const std::int64_t n = graph.nodeCount();
  const bool exact = options.method == FitMethod::Exact || (options.method == FitMethod::Auto && n <= options.exactCap);
  BuiltModel out;
  if (exact) {
    const Eigen::MatrixXd w = symmetricDenseW(graph);
    if (w.size() > 0 || n == 0) {
      out.model = spectralModel(graph, w, target, terms, options.threads, progress);
      out.method = "exact-spectral";
      out.detail = "exact: eigendecomposition of the symmetric W (N = " + std::to_string(n) +
                   "), loss over the spectrum" +
                   (target.kind == FitTargetKind::Kernel ? std::string(" (target in closed form on the eigenvalues)")
                                                         : std::string(" plus the off-diagonal part of U^T T U"));
      out.rows = n;
      return out;
    }
    out.model = gramModel(graph, target, sampledNodes(n, n, 0), terms, options.threads, progress);
    out.method = "exact-rows";
    out.detail = "exact: all " + std::to_string(n) + " rows of W^0..W^" + std::to_string(2 * terms - 2) +
                 " by propagation (W is not symmetric: random-walk normalisation)";
    out.rows = n;
    return out;
  }
  const std::vector<std::int64_t> nodes = sampledNodes(n, options.sampleRows, options.seed);
  out.model = gramModel(graph, target, nodes, terms, options.threads, progress);
  out.method = "sampled-rows";
  out.detail = "sampled: exact rows of " + std::to_string(nodes.size()) + " of " + std::to_string(n) +
               " nodes (seed " + std::to_string(options.seed) + ") by propagation; errors are over those rows";
  out.rows = static_cast<std::int64_t>(nodes.size());
  return out;
}

// ---- Levenberg-Marquardt -----------------------------------------------------------------------

struct LmRun {
  Eigen::VectorXd f;
  std::vector<double> loss;
  std::vector<Eigen::VectorXd> path;  // f at every entry of loss
  int iterations = 0;
};

// Minimises ||r(f)||^2 by Levenberg-Marquardt with Marquardt's diagonal scaling and Nielsen's damping
// update; each step solves the damped least-squares problem [J; sqrt(mu) D] h = [-r; 0] by QR
// (no normal equations: J is a Vandermonde-like matrix). Records the relative loss at every iteration.
LmRun levenbergMarquardt(const LossModel& model, Eigen::VectorXd f, int maxIterations, Progress* progress) {
  LmRun run;
  Eigen::VectorXd r;
  Eigen::MatrixXd j;
  model.evaluate(f, r, &j);
  double fsq = r.squaredNorm();
  run.loss.push_back(model.lossOf(fsq));
  run.path.push_back(f);
  const int k = static_cast<int>(f.size());
  Eigen::VectorXd diag = j.colwise().squaredNorm().transpose();
  double mu = 1e-3 * std::max(diag.maxCoeff(), 1e-300);
  double nu = 2.0;
  int smallSteps = 0;
  for (int it = 0; it < maxIterations; ++it) {
    if (progress) progress->throwIfCancelled();
    run.iterations = it + 1;
    // Marquardt scaling: the largest column norm seen so far (scale invariant in f).
    diag = diag.cwiseMax(j.colwise().squaredNorm().transpose());
    Eigen::MatrixXd aug(j.rows() + k, k);
    aug.topRows(j.rows()) = j;
    aug.bottomRows(k) = (mu * diag.cwiseMax(1e-300)).cwiseSqrt().asDiagonal();
    Eigen::VectorXd rhs = Eigen::VectorXd::Zero(j.rows() + k);
    rhs.head(j.rows()) = -r;
    const Eigen::VectorXd h = aug.householderQr().solve(rhs);
    if (!h.allFinite()) break;
    const Eigen::VectorXd fNew = f + h;
    Eigen::VectorXd rNew;
    model.evaluate(fNew, rNew, nullptr);
    const double fsqNew = rNew.squaredNorm();
    const double predicted = fsq - (r + j * h).squaredNorm();
    const double actual = fsq - fsqNew;
    if (std::isfinite(fsqNew) && actual > 0.0) {
      const double rho = predicted > 0.0 ? actual / predicted : 1.0;
      f = fNew;
      model.evaluate(f, r, &j);
      fsq = r.squaredNorm();
      mu *= std::max(1.0 / 3.0, 1.0 - std::pow(2.0 * rho - 1.0, 3));
      nu = 2.0;
      smallSteps = (actual <= 1e-14 * (fsq + model.constant + 1e-300 * model.normaliser) ||
                    h.norm() <= 1e-13 * (f.norm() + 1e-300))
                       ? smallSteps + 1
                       : 0;
    } else {
      mu *= nu;
      nu *= 2.0;
    }
    run.loss.push_back(model.lossOf(fsq));
    run.path.push_back(f);
    if (smallSteps >= 2 || !(mu < 1e30 * std::max(diag.maxCoeff(), 1e-300)) || fsq <= 1e-30 * model.normaliser) break;
    if (h.norm() <= 1e-15 * (f.norm() + 1e-300)) break;
  }
  run.f = f;
  return run;
}

// Sign of f: the first non-zero coefficient positive (f and -f give the same alpha).
std::vector<double> canonical(const Eigen::VectorXd& f) {
  std::vector<double> out(f.data(), f.data() + f.size());
  for (double v : out)
    if (v != 0.0) {
      if (v < 0.0)
        for (double& x : out) x = -x;
      break;
    }
  return out;
}

}  // namespace

namespace fit_detail {
void validateFit(const Graph& graph, const FitTarget& target, const FitOptions& options) { validate(graph, target, options); }
Eigen::MatrixXd symmetricW(const Graph& graph) { return symmetricDenseW(graph); }
std::vector<double> canonicalSign(const Eigen::VectorXd& f) { return canonical(f); }
}  // namespace fit_detail

// ---- public ------------------------------------------------------------------------------------

const char* distanceMetricName(DistanceMetric metric) { return metric == DistanceMetric::Hops ? "hops" : "length"; }

std::string describeTarget(const FitTarget& target) {
  switch (target.kind) {
    case FitTargetKind::Kernel: {
      const MaskFunction fn(target.kernel);
      return fn.name() + " " + fn.formula();
    }
    case FitTargetKind::Dense:
      return "dense " + (target.source.empty() ? std::string("matrix") : target.source) + " (" +
             std::to_string(target.dense.rows()) + " x " + std::to_string(target.dense.cols()) + ")";
    case FitTargetKind::Distance:
      return "distance exp(-d(i,j) / " + number(target.tau) + "), d = " +
             (target.metric == DistanceMetric::Hops ? "hop distance" : "shortest-path length (Euclidean edge lengths)");
  }
  return "?";
}

const EnumTable<FitMethod>& fitMethodTable() {
  static constexpr EnumEntry<FitMethod> entries[] = {
      {FitMethod::Auto, "auto", "exact up to the cap, sampled rows beyond"},
      {FitMethod::Exact, "exact", "exact (dense spectral)"},
      {FitMethod::Sampled, "sampled", "sampled rows"},
  };
  static const EnumTable<FitMethod> table{"fit method", entries};
  return table;
}
FitMethod parseFitMethod(const std::string& text) { return fitMethodTable().parse(text); }

std::vector<double> graphDistances(const Graph& graph, std::int64_t source, DistanceMetric metric) {
  const std::int64_t n = graph.nodeCount();
  if (source < 0 || source >= n) throw usageError("graphDistances: node " + std::to_string(source) + " out of range");
  std::vector<double> d(static_cast<std::size_t>(n), kInfinity);
  d[source] = 0.0;
  if (metric == DistanceMetric::Hops) {
    std::vector<std::int64_t> queue{source};
    for (std::size_t q = 0; q < queue.size(); ++q) {
      const std::int64_t i = queue[q];
      for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
        const std::int32_t j = graph.neighbours[e];
        if (d[j] == kInfinity) {
          d[j] = d[i] + 1.0;
          queue.push_back(j);
        }
      }
    }
    return d;
  }
  if (graph.positions.rows() != n) throw usageError("graphDistances: the graph has no node positions");
  using Item = std::pair<double, std::int64_t>;
  std::priority_queue<Item, std::vector<Item>, std::greater<Item>> heap;
  heap.push({0.0, source});
  while (!heap.empty()) {
    const auto [di, i] = heap.top();
    heap.pop();
    if (di > d[i]) continue;
    for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
      const std::int32_t j = graph.neighbours[e];
      const double nd = di + (graph.positions.row(i) - graph.positions.row(j)).norm();
      if (nd < d[j]) {
        d[j] = nd;
        heap.push({nd, j});
      }
    }
  }
  return d;
}

Eigen::MatrixXd fitTargetRows(const Graph& graph, const FitTarget& target, const std::vector<std::int64_t>& nodes,
                              int threads) {
  FitOptions o;
  validate(graph, target, o);
  const auto op = kernelOperator(graph, target, threads);
  Eigen::MatrixXd t(static_cast<Eigen::Index>(nodes.size()), graph.nodeCount());
  for (std::size_t q = 0; q < nodes.size(); ++q) {
    if (nodes[q] < 0 || nodes[q] >= graph.nodeCount()) throw usageError("fitTargetRows: node out of range");
    t.row(static_cast<Eigen::Index>(q)) = targetRow(graph, target, op.get(), nodes[q]).transpose();
  }
  return t;
}

double fitRelativeLoss(const Graph& graph, const FitTarget& target, const std::vector<double>& f,
                       const FitOptions& options) {
  FitOptions o = options;
  o.terms = static_cast<int>(f.size());
  const BuiltModel built = buildModel(graph, target, o, o.terms, nullptr);
  return built.model.loss(Eigen::Map<const Eigen::VectorXd>(f.data(), static_cast<Eigen::Index>(f.size())));
}

FitResult fitModulation(const Graph& graph, const FitTarget& target, const FitOptions& options, Progress* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  const int terms = options.terms;
  const BuiltModel built = buildModel(graph, target, options, terms, progress);
  const LossModel& model = built.model;

  FitResult result;
  result.method = built.method;
  result.methodDetail = built.detail;
  result.rowsUsed = built.rows;
  result.truncatedRelError = std::numeric_limits<double>::quiet_NaN();

  // Starting points.
  std::vector<std::pair<std::string, Eigen::VectorXd>> starts;
  if (target.kind == FitTargetKind::Kernel) {
    try {
      const std::vector<double> f = MaskFunction(target.kernel).modulation(terms);
      const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(f.data(), terms);
      if (v.allFinite()) {
        starts.emplace_back("closed-form", v);
        result.truncatedRelError = std::sqrt(model.loss(v));
      }
    } catch (const Error&) {
      // alpha_0 <= 0: no real closed-form f
    }
  }
  if (model.spectral) {
    // p_f(lambda) ~ sqrt(max(d, 0)) by least squares with unit-norm columns.
    const Eigen::VectorXd root = model.d.cwiseMax(0.0).cwiseSqrt();
    Eigen::VectorXd scale = model.powersK.colwise().norm().transpose();
    for (Eigen::Index k = 0; k < scale.size(); ++k) scale[k] = scale[k] > 0.0 ? 1.0 / scale[k] : 1.0;
    const Eigen::VectorXd x = (model.powersK * scale.asDiagonal()).colPivHouseholderQr().solve(root);
    const Eigen::VectorXd f = scale.asDiagonal() * x;
    if (f.allFinite() && f.squaredNorm() > 0.0) starts.emplace_back("sqrt-fit", f);
  }
  {
    const Eigen::VectorXd a = model.bestAlpha();
    if (a.allFinite() && a[0] > 0.0) {
      const std::vector<double> f = deconvolve(std::vector<double>(a.data(), a.data() + terms));
      const Eigen::VectorXd v = Eigen::Map<const Eigen::VectorXd>(f.data(), terms);
      if (v.allFinite()) starts.emplace_back("alpha-deconvolution", v);
      Eigen::VectorXd c = Eigen::VectorXd::Zero(terms);
      c[0] = std::sqrt(a[0]);
      starts.emplace_back("constant", c);
    }
  }
  if (starts.empty()) {
    Eigen::VectorXd c = Eigen::VectorXd::Zero(terms);
    c[0] = 1.0;
    starts.emplace_back("constant", c);
  }

  LmRun best;
  double bestLoss = kInfinity;
  auto runFrom = [&](const std::string& name, const Eigen::VectorXd& f0) {
    FitStart s;
    s.name = name;
    s.initialRelError = std::sqrt(model.loss(f0));
    LmRun run = levenbergMarquardt(model, f0, options.maxIterations, progress);
    s.iterations = run.iterations;
    s.finalRelError = std::sqrt(run.loss.back());
    if (options.recordStarts) {
      s.loss = run.loss;
      for (const Eigen::VectorXd& f : run.path) s.path.push_back(canonical(f));
    }
    result.starts.push_back(s);
    if (run.loss.back() < bestLoss) {
      bestLoss = run.loss.back();
      best = std::move(run);
      result.bestStart = name;
    }
  };
  for (const auto& [name, f0] : starts) runFrom(name, f0);
  // No start reached a finite loss (powers of W that overflow, e.g. huge edge weights without
  // normalisation): say so rather than perturb an empty point.
  if (best.loss.empty() || !std::isfinite(best.loss.back()))
    throw Error("the fit's loss is not finite from any start (the powers of W overflow: normalise the graph or use fewer terms)",
                kWhere, Error::Kind::Numeric);
  // Seeded perturbations of the best point: each coefficient moved by a normal deviate of 30 % of
  // its size plus 5 % of the largest.
  for (int i = 0; i < options.restarts; ++i) {
    Rng rng(options.seed, 0x666974ULL, static_cast<std::uint64_t>(i));
    const Eigen::VectorXd base = best.f;
    const double big = base.cwiseAbs().maxCoeff();
    Eigen::VectorXd f0 = base;
    for (int k = 0; k < terms; ++k) f0[k] += rng.normal() * (0.3 * std::abs(base[k]) + 0.05 * big);
    runFrom("perturbed-" + std::to_string(i + 1), f0);
  }

  result.f = canonical(best.f);
  result.alpha = selfConvolve([&] {
    std::vector<double> padded(result.f);
    padded.resize(static_cast<std::size_t>(2 * terms - 1), 0.0);
    return padded;
  }());
  result.loss = best.loss;
  result.path.reserve(best.path.size());
  for (const Eigen::VectorXd& f : best.path) result.path.push_back(canonical(f));
  result.iterations = best.iterations;
  result.relError = std::sqrt(best.loss.back());
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace topomask
