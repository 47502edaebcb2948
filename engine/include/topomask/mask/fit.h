// Fitting the modulation f (issue 17): learn f_0..f_{K-1} so that the mask
//   M(f) = sum_k (f * f)_k W^k      (alpha = f * f, the full self-convolution: 2K - 1 terms)
// approximates a target T, minimising the relative loss ||M(f) - T||_F^2 / ||T||_F^2.
//
// Methods (FitResult::method):
//  * "exact-spectral": W symmetric (sym or none normalisation), N <= exactCap. With S = W =
//    U diag(lambda) U^T and p_f(x) = sum_k f_k x^k, M(f) = U diag(p_f(lambda)^2) U^T, so
//      ||M(f) - T||^2 = sum_i (p_f(lambda_i)^2 - d_i)^2 + (||T||^2 - sum_i d_i^2),  d_i = (U^T T U)_ii
//    (for a kernel target g_T(W), d_i = g_T(lambda_i) and the constant is 0). Residuals r_i are
//    minimised by Levenberg-Marquardt.
//  * "exact-rows": W not symmetric (random-walk normalisation), N <= exactCap: the loss on all N rows
//    through the Gram matrix of the powers W^0..W^{2K-2} (below), which is exact as well.
//  * "sampled-rows": N > exactCap (or asked for): rows R of a seeded sample of nodes. The loss
//    restricted to those rows, ||sum_m alpha_m W^m[R,:] - T[R,:]||^2, is the quadratic form
//    alpha^T G alpha - 2 b^T alpha + c with G_ml = <W^m[R,:], W^l[R,:]>, b_m = <W^m[R,:], T[R,:]>,
//    c = ||T[R,:]||^2, accumulated row by row by sparse propagation (O(|R| 2K |E|)). Its ratio to c
//    estimates the relative loss over all rows.
// Starts: the kernel's closed-form f truncated to K terms (kernel targets), a least-squares fit of
// p_f(lambda) to sqrt(max(d, 0)) (spectral), the deconvolution of the best unconstrained alpha of
// degree 2K - 2, and seeded perturbations of the best result; the best local optimum is returned.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/enum_table.h"
#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

inline constexpr int kMaxFitTerms = 32;  // K: f_0..f_31 (alpha up to W^62)

enum class FitTargetKind {
  Kernel,    // a mask function g_T(W) (presets heat, reglap1, reglap2, pstep, cosine, or custom)
  Dense,     // a dense N x N matrix (e.g. read from a .npy file)
  Distance,  // exp(-d(i, j) / tau), d the hop distance or the shortest-path length (0 when unreachable)
};

enum class DistanceMetric {
  Hops,    // breadth-first search: number of edges
  Length,  // Dijkstra with edge length |p_i - p_j| (needs the graph's positions)
};

struct FitTarget {
  FitTargetKind kind = FitTargetKind::Kernel;
  MaskSpec kernel;          // Kernel
  Eigen::MatrixXd dense;    // Dense: N x N
  std::string source;       // Dense: where it came from (file name), for messages
  double tau = 1.0;         // Distance: > 0
  DistanceMetric metric = DistanceMetric::Hops;
};

// "heat exp(3 W)", "file T.npy (77 x 77)", "distance exp(-d/2), hop distance".
std::string describeTarget(const FitTarget& target);
const char* distanceMetricName(DistanceMetric metric);  // "hops", "length"

enum class FitMethod { Auto, Exact, Sampled };
const EnumTable<FitMethod>& fitMethodTable();  // core/enum_table.h
FitMethod parseFitMethod(const std::string& text);  // "auto", "exact", "sampled" (usage Error otherwise)

struct FitOptions {
  int terms = 6;                   // K, 1..kMaxFitTerms
  FitMethod method = FitMethod::Auto;
  std::int64_t exactCap = 4096;    // Auto: exact when N <= exactCap; Exact refuses N > exactCap
  std::int64_t sampleRows = 256;   // sampled-rows: number of rows (at most N)
  std::uint64_t seed = 0;          // the row sample and the perturbed restarts
  int maxIterations = 300;         // Levenberg-Marquardt iterations per start
  int restarts = 6;                // seeded perturbations of the best start
  int threads = 0;                 // 0 = all cores; results do not depend on it
  bool recordStarts = false;       // keep every start's loss and path in FitResult::starts (for replay)
};

struct FitStart {
  std::string name;          // "closed-form", "sqrt-fit", "alpha-deconvolution", "constant", "perturbed-<i>"
  double initialRelError = 0.0;
  double finalRelError = 0.0;
  int iterations = 0;
  std::vector<double> loss;               // FitOptions::recordStarts: as FitResult::loss, for this start
  std::vector<std::vector<double>> path;  // FitOptions::recordStarts: as FitResult::path, for this start
};

struct FitResult {
  std::vector<double> f;        // f_0..f_{K-1}, sign chosen so that the first non-zero f_k > 0
  std::vector<double> alpha;    // f * f: alpha_0..alpha_{2K-2}
  std::vector<double> loss;     // relative loss ||M - T||^2 / ||T||^2 at every iteration of the winning start
                                // (loss[0] at its starting point), non-increasing
  std::vector<std::vector<double>> path;  // f at every entry of `loss` (same sign rule as f): the
                                          // trajectory the application and `render --view learn` replay
  double relError = 0.0;        // final relative Frobenius error ||M(f) - T||_F / ||T||_F (on the rows used)
  // The same error for the kernel's closed-form f truncated to K terms (kernel targets with a real
  // modulation), NaN otherwise: the baseline the fit is compared with.
  double truncatedRelError = 0.0;
  std::string method;           // "exact-spectral", "exact-rows", "sampled-rows"
  std::string methodDetail;     // one line for people
  std::int64_t rowsUsed = 0;    // N for the exact methods
  std::vector<FitStart> starts; // every start tried, in order
  std::string bestStart;
  int iterations = 0;           // iterations of the winning start
  double seconds = 0.0;
};

// Validates the options and the target against the graph (usage Error: K out of range, tau <= 0,
// dense target not N x N or not finite, Exact with N > exactCap, Length metric without positions;
// Numeric Error: a kernel target whose series diverges on this graph) and fits. Polls progress.
FitResult fitModulation(const Graph& graph, const FitTarget& target, const FitOptions& options = {},
                        Progress* progress = nullptr);

// Relative loss ||M(f) - T||^2 / ||T||^2 of a given f under the model the options select (the same
// model fitModulation minimises; f may have any length up to kMaxFitTerms).
double fitRelativeLoss(const Graph& graph, const FitTarget& target, const std::vector<double>& f,
                       const FitOptions& options = {});

// The GRF-aware fit: the f whose GRF *estimate* is closest to the target, not only its mask. For the
// independent ensemble of i.i.d. walkers (n per node, halting probability p, walks never cut by
// L_max: K - 1 <= L_max), M_hat = Phi_Q Phi_K^T is unbiased for M(f), and with W symmetric
//   E ||M_hat(f) - T||_F^2 = ||M(f) - T||_F^2 + 2 tr(S F^2) + tr(S^2),
//   F = sum_k f_k W^k (so M(f) = F^2),  S = sum_i Cov(phi_i) = (D(f) - F^2) / n,
//   D(f) = sum_i E[x_i x_i^T] = diag(c_0) + sum_{d >= 1} (diag(c_d) W^d + W^d diag(c_d)),
//   c_d = sum_s f_s f_{s+d} b_s,  b_s = (B^s)^T 1,  B_uv = W_uv^2 deg(u) / (1 - p),
// where x_i is one walker's feature from node i (phi_i averages n of them). B is the second moment
// of a hop's load W_uv deg(u) / (1 - p) under the walk's hop probability (1 - p) / deg(u); the sum
// of Var(phi_Q,i . phi_K,j) over i, j gives the two trace terms (a derivation is in fit_grf.cpp).
// Dense: the 2K - 1 powers of W are stored (O(K N^3) set-up, O(K N^2) memory), then O(K N^2) per
// evaluation of the loss; N <= min(FitOptions::exactCap, kGrfFitMaxNodes).
inline constexpr std::int64_t kGrfFitMaxNodes = 1000;
struct GrfFitOptions {
  int walkers = 16;    // n
  double pHalt = 0.1;  // p, as the sampler rounds it (to a multiple of 2^-32)
};
// E||M_hat(f) - T||^2 / ||T||^2 for f (any length up to kMaxFitTerms) and the dense target of
// `target` on this graph. Usage Error: W not symmetric, N > options.exactCap, walkers < 1, p
// outside (0, 1).
double expectedGrfRelativeLoss(const Graph& graph, const FitTarget& target, const std::vector<double>& f,
                               const GrfFitOptions& grf, const FitOptions& options = {});
struct GrfFitResult {
  std::vector<double> f;           // minimises the expected relative loss; first non-zero f_k > 0
  std::vector<double> alpha;       // f * f
  std::vector<double> loss;        // expected relative loss at every iteration (non-increasing)
  double expectedRelError = 0.0;   // sqrt(E||M_hat - T||^2 / ||T||^2) at f
  double maskRelError = 0.0;       // ||M(f) - T|| / ||T|| at f (the bias part)
  double startExpectedRelError = 0.0;  // the same expectation at the start (the mask fit's f)
  int iterations = 0;
  double seconds = 0.0;
};
// Minimises expectedGrfRelativeLoss from `start` (typically fitModulation's f) by BFGS with central
// differences and a backtracking line search (at most options.maxIterations iterations).
GrfFitResult fitModulationForGrf(const Graph& graph, const FitTarget& target, const std::vector<double>& start,
                                 const GrfFitOptions& grf, const FitOptions& options = {}, Progress* progress = nullptr);

// Distances from `source` to every node: hops (BFS) or shortest-path lengths (Dijkstra with the
// Euclidean lengths of the edges between graph.positions). Infinity where unreachable. O(|E| log N).
std::vector<double> graphDistances(const Graph& graph, std::int64_t source, DistanceMetric metric);

// Rows T[nodes, :] of the target (|nodes| x N): kernel targets by propagation (MaskOperator, relative
// tail 1e-13), dense targets copied, distance targets by one search per node.
Eigen::MatrixXd fitTargetRows(const Graph& graph, const FitTarget& target, const std::vector<std::int64_t>& nodes,
                              int threads = 0);

}  // namespace topomask
