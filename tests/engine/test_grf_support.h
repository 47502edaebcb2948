// Helpers shared by the GRF tests: dense references computed independently of the mask module
// (truncated series on Graph::dense()) and small statistics.
#pragma once

#include <cmath>
#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "topomask/graph/graph.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/mask_function.h"

namespace topomask::testing {

// GRF options for tests: one thread (results do not depend on it; the thread tests set their own).
inline GrfOptions opts(int walkers, double pHalt, int maxLength, Sampling s = Sampling::Iid,
                       Ensemble e = Ensemble::Shared, std::uint64_t seed = 1) {
  GrfOptions o;
  o.walkers = walkers;
  o.pHalt = pHalt;
  o.maxLength = maxLength;
  o.sampling = s;
  o.ensemble = e;
  o.seed = seed;
  o.threads = 1;
  return o;
}

// sum_{k < coeffs.size()} coeffs[k] W^k for a dense W (Horner). O(K N^3).
inline Eigen::MatrixXd denseSeries(const Eigen::MatrixXd& w, const std::vector<double>& coeffs) {
  const Eigen::Index n = w.rows();
  Eigen::MatrixXd out = Eigen::MatrixXd::Zero(n, n);
  for (std::size_t k = coeffs.size(); k-- > 0;) {
    out = (w * out).eval();
    out.diagonal().array() += coeffs[k];
  }
  return out;
}

// Exact mask by the truncated series with `terms` terms (heat/series masks on small graphs with
// rho(W) <= 1 converge far below double round-off with 80 terms).
inline Eigen::MatrixXd exactMaskDense(const Graph& g, const MaskFunction& fn, int terms = 80) {
  return denseSeries(g.dense(), fn.alpha(terms));
}

// Mean and standard error of a sample.
struct MeanStderr {
  double mean = 0.0;
  double stderr_ = 0.0;
};
inline MeanStderr meanStderr(const std::vector<double>& xs) {
  MeanStderr out;
  const double n = static_cast<double>(xs.size());
  for (double x : xs) out.mean += x;
  out.mean /= n;
  double ss = 0.0;
  for (double x : xs) ss += (x - out.mean) * (x - out.mean);
  out.stderr_ = n > 1 ? std::sqrt(ss / (n - 1) / n) : 0.0;
  return out;
}

}  // namespace topomask::testing
