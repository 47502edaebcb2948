// The spectrum of W (eigenvalues of its symmetric form): all eigenvalues by dense
// eigendecomposition for small graphs, a density-of-states histogram by the kernel polynomial
// method (Chebyshev moments, stochastic trace, Jackson damping) for large ones.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"

namespace topomask {

struct SpectrumOptions {
  std::int64_t denseCap = 1024;  // N <= denseCap: every eigenvalue (dense, O(N^3)); else KPM
  int bins = 64;                 // histogram bins over [-rho, rho]
  int moments = 256;             // KPM: Chebyshev moments (resolution about pi a / moments)
  int vectors = 16;              // KPM: Rademacher probe vectors of the stochastic trace
  std::uint64_t seed = 0;        // KPM: probe vectors Rng(seed, vector)
  int threads = 0;               // 0 = all cores; results do not depend on it
};

struct Spectrum {
  bool exact = false;             // true: every eigenvalue (eigenvalues holds them all)
  Eigen::VectorXd eigenvalues;    // exact only: the N eigenvalues of W, increasing
  double rho = 0.0;               // histogram interval [-rho, rho]: max |lambda| (exact); KPM: |sigma|
                                  // for normalised W (exact: lambda_max of D^-1/2 A D^-1/2 is 1), else
                                  // spectralRadius's Lanczos estimate
  double chebyshevScale = 0.0;    // KPM: a >= rho(W) (spectralRadius's guaranteed bound), x = lambda / a
  std::vector<double> binEdges;   // bins + 1 edges from -rho to rho
  std::vector<double> fraction;   // bins: fraction of the N eigenvalues in each bin (sums to 1);
                                  // eigenvalues outside [-rho, rho] count in the edge bins
  std::string method;             // e.g. "dense eigendecomposition (N = 900)" or "KPM (256 moments, 16 vectors, Jackson)"
};

// Spectrum of W through its symmetric form S (S = W, or D^1/2 W_rw D^-1/2 for the random-walk
// normalisation; same eigenvalues). N <= denseCap: SelfAdjointEigenSolver on dense S, O(N^3).
// Otherwise the kernel polynomial method: moments mu_k = tr T_k(S / a) / N estimated with
// `vectors` Rademacher vectors (O(moments vectors |E|) / 2 with the doubling identities), Jackson
// damping, and the exact integral of each Chebyshev term over every bin. Polls progress.
// Empty graphs give an empty spectrum (no bins). Throws usage Error for bins < 1, moments < 2,
// vectors < 1.
Spectrum spectrum(const Graph& graph, const SpectrumOptions& options = {}, Progress* progress = nullptr);

// Fraction of `values` in each of `bins` equal bins of [lo, hi] (values outside go to the edge
// bins). Empty input gives zeros. O(values + bins).
std::vector<double> histogramFractions(const Eigen::VectorXd& values, double lo, double hi, int bins);

}  // namespace topomask
