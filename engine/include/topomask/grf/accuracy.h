// Accuracy of a GRF estimate M_hat against the exact mask M (SPEC section 5): relative Frobenius
// error (exact under the dense cap, from sampled exact rows above it), per-node row errors, empirical
// tails P(|M_hat_ij - M_ij| > t), and the paper's concentration bound with its constant c.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/grf/options.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

struct AccuracyOptions {
  std::int64_t denseCap = 4096;   // N <= denseCap: exact over all N rows (dense M); else sampled rows
  std::int64_t sampleRows = 256;  // rows drawn uniformly without replacement when N > denseCap
  std::uint64_t seed = 0;         // of the row sample
  double relTolerance = 1e-9;     // series tolerance of the exact rows (mask propagation)
  int threads = 0;                // 0 = all cores; results do not depend on it
};

// ||M_hat - M||_F / ||M||_F over the rows used. With sampled rows (a uniform sample S) the ratio
// sum_{i in S} ||E_i||^2 / sum_{i in S} ||M_i||^2 estimates the full one (consistent, exact when S = all).
struct FrobeniusError {
  double relFrobenius = 0.0;
  double relFrobeniusSq = 0.0;
  double errorFrobeniusSq = 0.0;  // sum over rows used of ||M_hat_i - M_i||^2
  double exactFrobeniusSq = 0.0;  // sum over rows used of ||M_i||^2
  std::int64_t rowsUsed = 0;      // N when exact over all rows
  bool allRows = false;
  std::vector<std::int64_t> rows;  // the rows used, increasing
  // Per row used: ||M_hat_i - M_i||_2 / ||M_i||_2 (the absolute error where M_i = 0).
  Eigen::VectorXd rowErrors;
};

// From dense matrices (N x N each, same shape). O(N^2).
FrobeniusError frobeniusError(const Eigen::MatrixXd& exact, const Eigen::MatrixXd& estimate);
// From the rows `rows` of both: exactRows and estimateRows are |rows| x N. O(|rows| N).
FrobeniusError frobeniusError(const std::vector<std::int64_t>& rows, const Eigen::MatrixXd& exactRows,
                              const Eigen::MatrixXd& estimateRows, std::int64_t totalRows);

// `count` distinct nodes of [0, n) drawn uniformly with a seed, increasing (all nodes when count >= n).
std::vector<std::int64_t> sampleNodes(std::int64_t n, std::int64_t count, std::uint64_t seed);

// Exact rows M[rows, :] (|rows| x N): from the dense mask when N <= denseCap, else by propagation
// (MaskOperator). Throws Numeric Error when the series does not converge on this graph.
Eigen::MatrixXd exactMaskRows(const Graph& graph, const MaskFunction& mask, const std::vector<std::int64_t>& rows,
                              const AccuracyOptions& options = {}, Progress* progress = nullptr);
// GRF rows M_hat[rows, :] (|rows| x N) through the transposed key features. O(sum of row work).
Eigen::MatrixXd estimateRows(const GrfFeatures& features, const std::vector<std::int64_t>& rows);

// The error of `features` against the exact mask of (graph, mask): over all rows when
// N <= options.denseCap (dense eigendecomposition, O(N^3)), else over options.sampleRows exact rows
// (O(sampleRows K |E|)). rowsUsed says which.
FrobeniusError grfError(const Graph& graph, const MaskFunction& mask, const GrfFeatures& features,
                        const AccuracyOptions& options = {}, Progress* progress = nullptr);

// Empirical tail: for each t, the fraction of entries (i, j) with |estimate - exact| > t, over all
// entries, or over i != j only (the shared ensemble is biased on the diagonal). Inputs r x N rows;
// `rows` names the node of each row (needed for offDiagonal; may be empty for square inputs).
std::vector<double> tailFraction(const Eigen::MatrixXd& exactRows, const Eigen::MatrixXd& estimateRows,
                                 const std::vector<double>& thresholds, bool offDiagonal = false,
                                 const std::vector<std::int64_t>& rows = {});

// c = sum_k |f_k| r^k with r = max_ij |W_ij| deg_i / (1 - p_halt) (the paper's constant), summed
// over k <= L_max when the walks are capped, else over the whole series.
struct ConcentrationConstant {
  double loadGrowth = 0.0;  // r
  double c = 0.0;           // meaningful when finite
  bool finite = false;      // false: the series sum |f_k| r^k diverges (or does not settle in 4096 terms)
  int terms = 0;            // terms summed
  std::string statement;    // one line for users, e.g. "c = 1.36 (r = 0.61, 65 terms)"
};
ConcentrationConstant concentrationConstant(const Graph& graph, const MaskFunction& mask,
                                            const GrfOptions& options);

// P(|phi(i).phi(j) - M_ij| > t) <= 2 exp(-t^2 n^3 / (2 (2n - 1)^2 c^4)) for n walkers.
struct ConcentrationBound {
  bool available = false;    // c finite (and the ensemble is covered by the theorem)
  bool vacuous = true;       // bound >= 1 (says nothing) or not available
  double probability = 1.0;  // the bound, min(1, ...), when available; 1 (trivial) otherwise
  double c = 0.0;
  std::string statement;     // "P(|err| > 0.1) <= 0.03", or why there is no bound
};
// The theorem covers symmetric features (shared and independent ensembles); for the asymmetric
// ensemble `available` is false and the statement says so.
ConcentrationBound concentrationBound(const ConcentrationConstant& constant, int walkers, double t,
                                      Ensemble ensemble = Ensemble::Shared);

// The concentration bound as a curve over the convergence experiment's y quantity, the mean squared
// relative Frobenius error E ||M_hat - M||_F^2 / ||M||_F^2 over the entries used. From the tail bound
// P(|M_hat_ij - M_ij| > t) <= min(1, 2 exp(-t^2 n^3 / (2 (2n - 1)^2 c^4))) (concentrationBound), each
// entry has E e_ij^2 = int_0^inf P(e_ij^2 > u) du <= int_0^inf P_bound(sqrt u) du (integrated
// numerically by boundOnMeanSquaredEntryError; closed form (1 + ln 2) 2 (2n - 1)^2 c^4 / n^3), so
// E sum e_ij^2 / sum M_ij^2 <= entries * that / exactFrobeniusSq. Points where this is >= 1 (worse than
// the trivial estimate 0) are vacuous and left out of walkers / value; `note` says so in words, and
// says why there is no bound at all when there is none (infinite c, asymmetric ensemble).
struct BoundCurve {
  std::vector<double> walkers, value;  // the non-vacuous points
  std::vector<double> allValues;       // value at every walker count given (inf when unavailable)
  bool available = false;
  double c = 0.0;
  std::string note;
};
BoundCurve concentrationCurve(const ConcentrationConstant& constant, Ensemble ensemble,
                              const std::vector<double>& walkers, double entries, double exactFrobeniusSq);
double boundOnMeanSquaredEntryError(const ConcentrationConstant& constant, Ensemble ensemble, int walkers);

// The convergence experiment (`topomask convergence` and the app's error-against-walkers view): for
// each walker count, `trials` samplings with the GRF options, trial t seeded mix64(seed ^ mix64(t + 1))
// (the same seeds for every count: common random numbers); the relative Frobenius error of the
// estimate against the exact mask over all rows (N <= denseCap: dense exact mask and dense estimate)
// or over `sampleRows` rows drawn with the options' seed (exact rows by propagation); and the
// concentration bound on the mean squared error. Throws usage Error when a walker count is invalid
// with the other options (validateGrfOptions), before any work. Polls progress.
struct ConvergenceRequest {
  std::vector<int> walkers{2, 4, 8, 16};
  int trials = 10;
  std::int64_t denseCap = 4096;
  std::int64_t sampleRows = 256;
};
struct ConvergencePoint {
  int walkers = 0;
  double meanSq = 0.0;    // mean over trials of ||M_hat - M||_F^2 / ||M||_F^2
  double stderrSq = 0.0;  // its standard error
  double mean = 0.0;      // mean of the relative Frobenius error itself
  double nnzPerRow = 0.0;
  double seconds = 0.0;   // sampling and estimating, all trials
};
struct ConvergenceResult {
  std::vector<std::int64_t> rows;  // the rows compared
  bool allRows = false;
  double exactFrobeniusSq = 0.0;   // ||M||_F^2 on those rows
  double exactSeconds = 0.0;
  std::vector<ConvergencePoint> points;
  double loglogSlope = 0.0;        // least-squares slope of log meanSq against log n (-1: the 1/n law)
  ConcentrationConstant constant;
  BoundCurve bound;                // over the walker counts
};
ConvergenceResult convergenceExperiment(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                                        const ConvergenceRequest& request, Progress* progress = nullptr);

}  // namespace topomask
