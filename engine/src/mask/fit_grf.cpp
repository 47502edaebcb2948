// The GRF-aware fit (fit.h): the expected squared error of the independent-ensemble GRF estimate in
// closed form, and its minimisation over f.
//
// Derivation. One walker from node i carries x_i = sum_t f_t w_t e_{v_t}, where v_0 = i, each step
// survives with probability (1 - p) and moves to a uniform neighbour, and the load w_t multiplies
// W_{v_{t-1} v_t} deg(v_{t-1}) / (1 - p) at each hop. So E[w_t 1(v_t = u)] = (W^t)_iu, E[x_i] = F_i
// (row i of F = sum_t f_t W^t), and for s <= t, splitting the walk at step s,
//   E[w_s w_t 1(v_s = u) 1(v_t = v)] = E[w_s^2 1(v_s = u)] (W^{t-s})_uv = (B^s)_iu (W^{t-s})_uv,
// with B_uv = sum over the hop u -> v of probability x load^2 = ((1 - p) / deg u) (W_uv deg u / (1 - p))^2.
// Summing over i (b_s = (B^s)^T 1) and over s, t gives D(f) = sum_i E[x_i x_i^T] as in fit.h, and
// S = sum_i Cov(phi_i) = (D - F F^T) / n for phi_i the mean of n walkers. For independent query and
// key features a = phi_Q,i and b = phi_K,j with means F_i, F_j and covariances C_i, C_j,
//   Var(a . b) = F_j^T C_i F_j + F_i^T C_j F_i + tr(C_i C_j),
// and the sum over all i, j is 2 tr(S F^2) + tr(S^2) (W symmetric: F^T F = F^2). The estimate is
// unbiased, so E||M_hat - T||^2 = ||F^2 - T||^2 + 2 tr(S F^2) + tr(S^2).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "fit_internal.h"
#include "topomask/core/error.h"
#include "topomask/mask/fit.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

namespace {

constexpr const char* kWhere = "fit";

// Everything that does not depend on f: the powers of W, the vectors b_s and the target.
struct GrfModel {
  std::vector<Eigen::MatrixXd> powers;  // W^0 .. W^{2K-2}
  std::vector<Eigen::VectorXd> b;       // b_0 .. b_{K-1}
  Eigen::MatrixXd target;
  double targetNorm2 = 0.0;
  double walkers = 1.0;

  // E||M_hat - T||^2 / ||T||^2, and optionally the mask's part ||F^2 - T||^2 / ||T||^2.
  double loss(const Eigen::VectorXd& f, double* maskPart = nullptr) const {
    const auto k = static_cast<int>(f.size());
    const Eigen::Index n = target.rows();
    // M(f) = F^2 = sum_m (f * f)_m W^m: O(K N^2) from the stored powers, no N^3 product.
    std::vector<double> padded(f.data(), f.data() + k);
    padded.resize(static_cast<std::size_t>(2 * k - 1), 0.0);
    const std::vector<double> alpha = selfConvolve(padded);
    Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n);
    for (std::size_t t = 0; t < alpha.size(); ++t) m += alpha[t] * powers[t];
    // D(f): diag(c_0) + sum_d (diag(c_d) W^d + W^d diag(c_d)).
    Eigen::MatrixXd d = Eigen::MatrixXd::Zero(n, n);
    for (int lag = 0; lag < k; ++lag) {
      Eigen::VectorXd c = Eigen::VectorXd::Zero(n);
      for (int s = 0; s + lag < k; ++s) c += f[s] * f[s + lag] * b[static_cast<std::size_t>(s)];
      if (lag == 0) {
        d.diagonal() += c;
      } else {
        const Eigen::MatrixXd half = c.asDiagonal() * powers[static_cast<std::size_t>(lag)];
        d += half + half.transpose();
      }
    }
    const Eigen::MatrixXd s = (d - m) / walkers;
    const double bias = (m - target).squaredNorm();
    // tr(S F^2) and tr(S^2) of symmetric matrices: sums of entrywise products.
    const double variance = 2.0 * s.cwiseProduct(m).sum() + s.squaredNorm();
    if (maskPart) *maskPart = bias / targetNorm2;
    return (bias + variance) / targetNorm2;
  }
};

GrfModel buildGrfModel(const Graph& graph, const FitTarget& target, int terms, const GrfFitOptions& grf,
                       const FitOptions& options) {
  FitOptions o = options;
  o.terms = terms;
  fit_detail::validateFit(graph, target, o);
  if (grf.walkers < 1 || grf.walkers > 65536) throw usageError("fit: GRF walkers must be between 1 and 65536");
  if (!(grf.pHalt > 0.0) || !(grf.pHalt < 1.0)) throw usageError("fit: the GRF halting probability must be in (0, 1)");
  const std::int64_t n = graph.nodeCount();
  const std::int64_t cap = std::min<std::int64_t>(options.exactCap, kGrfFitMaxNodes);
  if (n > cap)
    throw usageError("fit: the GRF-aware fit is dense (2K - 1 powers of W, O(K N^2) a step) and needs N <= " + std::to_string(cap) +
                     " (the graph has " + std::to_string(n) + " nodes)");
  const Eigen::MatrixXd w = fit_detail::symmetricW(graph);
  if (w.size() == 0)
    throw usageError("fit: the GRF-aware fit needs a symmetric W (symmetric normalisation or none, symmetric weights)");
  // p as the sampler uses it: rounded to the 32-bit lattice of its halting draws.
  const double pEff = std::nearbyint(grf.pHalt * 4294967296.0) / 4294967296.0;
  GrfModel model;
  model.walkers = grf.walkers;
  std::vector<std::int64_t> all(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) all[static_cast<std::size_t>(i)] = i;
  model.target = fitTargetRows(graph, target, all, options.threads);
  model.targetNorm2 = model.target.squaredNorm();
  if (!(model.targetNorm2 > 0.0) || !std::isfinite(model.targetNorm2))
    throw Error("the target is zero (or not finite) on this graph, so the relative error is undefined", kWhere, Error::Kind::Input);
  Eigen::MatrixXd bMatrix = Eigen::MatrixXd::Zero(n, n);  // B_uv = W_uv^2 deg(u) / (1 - p), from W's entries
  for (std::int64_t u = 0; u < n; ++u)
    for (std::int64_t e = graph.offsets[u]; e < graph.offsets[u + 1]; ++e) {
      const double wuv = graph.weights[static_cast<std::size_t>(e)];
      bMatrix(u, graph.neighbours[static_cast<std::size_t>(e)]) += wuv * wuv * static_cast<double>(graph.degree(u)) / (1.0 - pEff);
    }
  model.powers.push_back(Eigen::MatrixXd::Identity(n, n));
  for (int t = 1; t < 2 * terms - 1; ++t) model.powers.push_back(model.powers.back() * w);
  model.b.push_back(Eigen::VectorXd::Ones(n));
  for (int t = 1; t < terms; ++t) model.b.push_back(bMatrix.transpose() * model.b.back());  // b_t = (B^t)^T 1 = B^T b_{t-1}
  return model;
}

}  // namespace

double expectedGrfRelativeLoss(const Graph& graph, const FitTarget& target, const std::vector<double>& f,
                               const GrfFitOptions& grf, const FitOptions& options) {
  if (f.empty()) throw usageError("fit: f has no coefficients");
  const GrfModel model = buildGrfModel(graph, target, static_cast<int>(f.size()), grf, options);
  return model.loss(Eigen::Map<const Eigen::VectorXd>(f.data(), static_cast<Eigen::Index>(f.size())));
}

GrfFitResult fitModulationForGrf(const Graph& graph, const FitTarget& target, const std::vector<double>& start,
                                 const GrfFitOptions& grf, const FitOptions& options, Progress* progress) {
  const auto t0 = std::chrono::steady_clock::now();
  if (start.empty()) throw usageError("fit: the GRF-aware fit needs a starting f");
  const auto k = static_cast<Eigen::Index>(start.size());
  const GrfModel model = buildGrfModel(graph, target, static_cast<int>(k), grf, options);
  Eigen::VectorXd f = Eigen::Map<const Eigen::VectorXd>(start.data(), k);
  auto gradient = [&](const Eigen::VectorXd& x) {
    // Central differences: the loss is a quartic polynomial in f, so the error is O(h^2) and small.
    Eigen::VectorXd g(k);
    const double h = 1e-6 * std::max(1.0, x.cwiseAbs().maxCoeff());
    for (Eigen::Index i = 0; i < k; ++i) {
      Eigen::VectorXd up = x, down = x;
      up[i] += h;
      down[i] -= h;
      g[i] = (model.loss(up) - model.loss(down)) / (2.0 * h);
    }
    return g;
  };
  GrfFitResult result;
  double value = model.loss(f);
  if (!std::isfinite(value))
    throw Error("the expected GRF error is not finite at the starting f (the loads overflow: raise p_halt or use fewer terms)", kWhere,
                Error::Kind::Numeric);
  result.startExpectedRelError = std::sqrt(value);
  result.loss.push_back(value);
  Eigen::MatrixXd h = Eigen::MatrixXd::Identity(k, k);  // inverse Hessian estimate
  Eigen::VectorXd g = gradient(f);
  for (int it = 0; it < options.maxIterations; ++it) {
    if (progress) progress->throwIfCancelled();
    Eigen::VectorXd step = -h * g;
    if (step.dot(g) >= 0.0) {  // not a descent direction: restart from steepest descent
      h.setIdentity();
      step = -g;
    }
    // Backtracking (Armijo) line search.
    double t = 1.0, next = value;
    Eigen::VectorXd candidate = f;
    bool moved = false;
    for (int tries = 0; tries < 60; ++tries, t *= 0.5) {
      candidate = f + t * step;
      next = model.loss(candidate);
      if (std::isfinite(next) && next <= value + 1e-4 * t * g.dot(step)) {
        moved = true;
        break;
      }
    }
    if (!moved || !(next < value)) break;
    const Eigen::VectorXd gNext = gradient(candidate);
    const Eigen::VectorXd sVec = candidate - f, yVec = gNext - g;
    const double sy = sVec.dot(yVec);
    if (sy > 1e-300) {  // BFGS update of the inverse Hessian
      const double rho = 1.0 / sy;
      const Eigen::MatrixXd i = Eigen::MatrixXd::Identity(k, k);
      h = (i - rho * sVec * yVec.transpose()) * h * (i - rho * yVec * sVec.transpose()) + rho * sVec * sVec.transpose();
    }
    const double improvement = value - next;
    f = candidate;
    g = gNext;
    value = next;
    result.loss.push_back(value);
    result.iterations = it + 1;
    if (improvement <= 1e-13 * std::max(value, 1e-300) || g.norm() <= 1e-14) break;
  }
  result.f = fit_detail::canonicalSign(f);
  std::vector<double> padded(result.f);
  padded.resize(static_cast<std::size_t>(2 * k - 1), 0.0);
  result.alpha = selfConvolve(padded);
  double maskPart = 0.0;
  result.expectedRelError = std::sqrt(model.loss(Eigen::Map<const Eigen::VectorXd>(result.f.data(), k), &maskPart));
  result.maskRelError = std::sqrt(maskPart);
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return result;
}

}  // namespace topomask
