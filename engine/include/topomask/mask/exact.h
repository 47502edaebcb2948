// The exact topological mask M = sum_k alpha_k W^k (SPEC section 4): dense M for small graphs
// (eigendecomposition, series cross-check) and sparse propagation (M x, M X, rows of M) at any size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

// Row-major N x c block: the layout the propagation works in (one node's c values contiguous).
using RowMajorMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The spectral radius used to choose the number of series terms, and where it came from.
struct SeriesRadius {
  // rho(W) used for the convergence test and the tail bound.
  double value = 0.0;
  // "exact": W = sigma * (sym or rw normalised non-negative A), so rho = |sigma| (0 without edges);
  // "bound": the guaranteed bound min(max row sum, max column sum) of |W| (graph/spectral.h);
  // "estimate": the Lanczos estimate, used only when the bound lies outside the radius of convergence
  //             of the series while the estimate lies inside it (the tail is then not guaranteed).
  std::string source;
  double estimate = 0.0;  // Lanczos estimate (or the exact value) for reporting
};

// rho(W) for choosing K and for the divergence test (see SeriesRadius). O(|E|), plus O(60 |E|)
// Lanczos iterations for Normalisation::None or signed weights.
SeriesRadius seriesRadius(const Graph& graph, const MaskFunction& fn);

struct DenseMaskOptions {
  std::int64_t maxNodes = 4096;  // cap on N; beyond it denseMask throws a usage Error
};

// Dense M = U g(Lambda) U^T from the eigendecomposition of the symmetric form S of W
// (S = W, or S = D^1/2 W_rw D^-1/2 under the random-walk normalisation, whence
// M_rw = D^-1/2 g(S) D^1/2; nodes of degree 0 use d = 1, their rows and columns of W being 0).
// g is evaluated in closed form on the eigenvalues (MaskFunction::operator()). N x N, O(N^3).
// Throws Error (Usage) when N > options.maxNodes and Error (Numeric) when the series diverges on
// the spectrum (max |lambda| >= radius of convergence).
Eigen::MatrixXd denseMask(const Graph& graph, const MaskFunction& fn, const DenseMaskOptions& options = {});

// Dense truncated series sum_{k<terms} alpha_k W^k by Horner on the dense W: the cross-check of
// denseMask. terms <= 0 chooses K with fn.termsFor(seriesRadius) at relative tolerance 1e-12.
// N x N, O(K N^3). Same cap as denseMask.
Eigen::MatrixXd denseMaskSeries(const Graph& graph, const MaskFunction& fn, int terms = 0,
                                const DenseMaskOptions& options = {});

struct MaskOperatorOptions {
  double relTolerance = 1e-9;  // relative tail sum_{k>=K} |alpha_k| rho^k / sum_k |alpha_k| rho^k
  int maxTerms = 100000;       // refuse (Error Numeric) series that need more terms
  int threads = 0;             // 0 = all cores
  // Rows propagate over the nodes reached so far while they number at most localFraction * N,
  // then switch to full sparse products. 0 = always full products (used by tests).
  double localFraction = 0.125;
};

// M as an operator on vectors and blocks by propagation on the sparse W. Built once per
// graph and function (chooses K); keeps a reference to the graph, which must outlive it.
// All methods are const and thread-safe; results do not depend on the thread count
// (every output row is summed in a fixed order by one thread).
class MaskOperator {
 public:
  // Throws Error (Numeric) when the series diverges on this graph or needs more than maxTerms terms.
  MaskOperator(const Graph& graph, const MaskFunction& fn, const MaskOperatorOptions& options = {});

  // M x by Horner's rule y <- W y + alpha_k x. x: N. O(K |E|).
  Eigen::VectorXd apply(const Eigen::VectorXd& x) const;
  // M X for an N x c block X. O(K |E| c), row-parallel.
  Eigen::MatrixXd apply(const Eigen::MatrixXd& x, Progress* progress = nullptr) const;
  // The same on a row-major block, without layout copies (the fast path for large N x c blocks).
  // Pass a concrete matrix (not an Eigen expression) to pick between the two overloads.
  RowMajorMatrix apply(const RowMajorMatrix& x, Progress* progress = nullptr) const;
  // M^T X on a row-major block (equal to M X unless W is the random-walk W). O(K |E| c).
  RowMajorMatrix applyTransposed(const RowMajorMatrix& x, Progress* progress = nullptr) const;

  // Row i of M (N entries), i.e. M^T e_i. Propagates over the k-hop neighbourhood of i while it is
  // small (O(K * sum of degrees within K hops)), then by full sparse products (O(K |E|)).
  Eigen::VectorXd row(std::int64_t i) const;
  // Rows of M for the given nodes: Q x N, computed in parallel over queries.
  Eigen::MatrixXd rows(const std::vector<std::int64_t>& nodes, Progress* progress = nullptr) const;

  int terms() const { return static_cast<int>(alpha_.size()); }      // K: alpha_0..alpha_{K-1}
  double rho() const { return radius_.value; }                      // rho(W) used to choose K
  const SeriesRadius& radius() const { return radius_; }
  const std::vector<double>& alpha() const { return alpha_; }       // alpha_0..alpha_{K-1}
  // Upper bound of sum_{k>=K} |alpha_k| rho^k (the truncation error bound relative to |x| scale).
  double tailBound() const { return tail_; }
  const Graph& graph() const { return graph_; }
  const MaskFunction& function() const { return fn_; }

 private:
  const double* weightsFor(bool transposed) const;  // W or W^T values in the CSR layout of W
  RowMajorMatrix horner(const RowMajorMatrix& x, bool transposed, Progress* progress) const;
  Eigen::VectorXd rowFull(std::int64_t i) const;

  const Graph& graph_;
  MaskFunction fn_;
  MaskOperatorOptions options_;
  SeriesRadius radius_;
  std::vector<double> alpha_;
  double tail_ = 0.0;
  // W^T values in the CSR layout of W (empty when W is symmetric): entry (i, j) holds W_ji.
  std::vector<double> transposedWeights_;
};

}  // namespace topomask
