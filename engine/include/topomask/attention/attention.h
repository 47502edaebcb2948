// The attention algorithms of SPEC section 6 over the nodes of a graph: dense reference, unmasked
// linear, exact masked linear by propagation, GRF-masked linear in O(N) (the paper's method), and
// block-Toeplitz masking by FFT on pixel grids; plus attention rows, received attention and errors.
//
// Conventions. a_ij = kappa(q_i, k_j) M_ij / z_i, z_i = sum_j kappa(q_i, k_j) M_ij, out_i = sum_j a_ij v_j.
// Linear kernels: kappa(q, k) = phi(q) . phi(k) with phi from tokens.h. Every normaliser is guarded:
// a GRF estimate (or a signed mask) can make z_i zero or negative. For feature-map kernels the floor is
// guard * mean_i |z_i| (the same rule in every algorithm, so algorithms that agree keep agreeing);
// for softmax it is guard * sum_j |w_ij| of the row. Rows with z_i below the floor have no positive
// attention mass: their output (and attention row, and contribution to received attention) is 0, and
// they are counted in AttentionOutput::guardedRows, which the front ends report as a warning. Results do not depend on the number of threads.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include <Eigen/Core>

#include "topomask/attention/tokens.h"
#include "topomask/core/progress.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask {

using RowMatrixXd = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// What every algorithm reads, stored row-major (one token per row).
struct AttentionInputs {
  RowMatrixXd queries;  // N x d: Q (softmax kernel only; may be left empty for linear algorithms)
  RowMatrixXd keys;     // N x d: K (softmax kernel only)
  RowMatrixXd values;   // N x d_v: V
  RowMatrixXd phiQ;     // N x m: phi(Q)
  RowMatrixXd phiK;     // N x m: phi(K)

  std::int64_t size() const { return values.rows(); }
};

// Copies the tokens and applies the feature map to Q and K. O(N m d).
AttentionInputs makeAttentionInputs(const Tokens& tokens, const FeatureMap& map, int threads = 0);

// The largest work array of the linear algorithms is N x m x (d_v + 1) doubles (T_j = phi(k_j)
// [v_j, 1]^T, and S of the GRF method): throws usage Error before any work when that exceeds 2^31
// numbers or, with the inputs and outputs, the memory budget (core/budget.h; 0 = available memory).
void checkAttentionCost(std::int64_t nodes, int features, int valueDim, std::uint64_t memoryLimit = 0);

enum class DenseKernel {
  Softmax,     // kappa = exp(q.k / sqrt(d)) (shifted by the row maximum, which cancels)
  FeatureMap,  // kappa = phi(q) . phi(k)
};

struct AttentionOptions {
  bool absMask = false;       // use |M_ij| (dense and Toeplitz only: |M| is not a power series of W)
  bool additiveMask = false;  // softmax only: exp(q.k / sqrt(d) + M_ij) instead of exp(q.k / sqrt(d)) M_ij
  double guard = 1e-6;        // relative floor of the normalisers (see the header comment)
  bool received = true;       // also compute the attention each node receives (column sums of a)
  int featureChunk = 0;       // masked linear algorithms work on this many features of phi at a time
                              // (working memory N * featureChunk * (d_v + 1) doubles, or one 64 MB block
                              // of it for the GRF algorithm); 0 = automatic: all m when N m (d_v + 1)
                              // doubles fit in 32 MB or (GRF algorithm) S can be processed in blocks of
                              // columns because node ids are local, else 4 (GRF algorithm: 8, one
                              // vector register of features)
  int gridWidth = 0;          // GRF algorithm on a pixel grid of this width (Graph::gridWidth): rows are
                              // visited in 16 x 16 tiles for cache reuse (same result up to the order of
                              // summation); 0 = node id order
  std::int64_t grfBlockColumns = 0;  // GRF algorithm: columns of Phi per block of S (0 = automatic: 64 MB
                                     // of S per block, one block when rows span more than two blocks
                                     // on average; a value > 0 is used as given, for tests)
  int threads = 0;            // 0 = all cores
};

struct AttentionOutput {
  Eigen::MatrixXd out;         // N x d_v
  Eigen::VectorXd normaliser;  // N: z_i as computed, before guarding (softmax: for the shifted row)
  double floor = 0.0;          // feature-map kernels: rows with z_i < floor are guarded (output 0)
  std::int64_t guardedRows = 0;
  Eigen::VectorXd received;    // N: sum_i a_ij for each key node j (empty unless options.received)
  double seconds = 0.0;        // wall-clock time of the call
};

// 1. Dense reference: any kernel, any dense mask (N x N; 0 x 0 means no mask, M = 1).
//    O(N^2 (d + d_v)) time, O(64 N) extra memory (rows in blocks of 64). The float overload serves
//    masks materialised from GRF estimates at large N (half the memory).
AttentionOutput denseAttention(const AttentionInputs& in, DenseKernel kernel, const Eigen::MatrixXd& mask,
                               const AttentionOptions& options = {});
AttentionOutput denseAttention(const AttentionInputs& in, DenseKernel kernel, const Eigen::MatrixXf& mask,
                               const AttentionOptions& options = {});

// 2. Unmasked linear attention: out_i = phi(q_i)^T S / phi(q_i)^T s with S = sum_j phi(k_j) v_j^T,
//    s = sum_j phi(k_j). O(N m d_v).
AttentionOutput linearAttention(const AttentionInputs& in, const AttentionOptions& options = {});

// A linear operator on N x c row-major blocks: X -> M X (for example MaskOperator::apply).
using BlockOperator = std::function<RowMatrixXd(const RowMatrixXd&)>;

// 3. Exact masked linear attention by propagation:
//    out_i = phi(q_i)^T [M T]_i with T_j = phi(k_j) [v_j, 1]^T, the trailing 1 giving the normaliser.
//    applyMask is called on N x (c (d_v + 1)) blocks, c = featureChunk, so the cost is that of
//    m / c products M X, O(K |E| m d_v) by propagation. applyTranspose (M^T X) serves the received
//    attention; when empty, M is taken as symmetric. Throws usage Error with absMask.
AttentionOutput exactMaskedAttention(const AttentionInputs& in, const BlockOperator& applyMask,
                                     const AttentionOptions& options = {}, Progress* progress = nullptr,
                                     const BlockOperator& applyTranspose = {});
// The same with the exact mask's propagation operator (M X and M^T X by Horner on sparse W).
AttentionOutput exactMaskedAttention(const AttentionInputs& in, const MaskOperator& mask,
                                     const AttentionOptions& options = {}, Progress* progress = nullptr);

// Sparse N x N feature matrix in CSR (columns sorted in each row): the layout of graph random features.
struct SparseRowsView {
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  const std::int64_t* offsets = nullptr;  // rows + 1
  const std::int32_t* indices = nullptr;  // nnz, sorted within each row
  const float* values = nullptr;          // nnz
  std::int64_t nonZeros() const { return rows ? offsets[rows] : 0; }
};

// A view of the sampler's CSR features (no copy; the features must outlive the view).
SparseRowsView viewOf(const SparseFeatures& features);

// 4. GRF-masked linear attention with M_hat = Phi_Q Phi_K^T (pass the same view twice for the shared
//    ensemble; for the asymmetric one Phi_K is the identity pattern):
//      S_l = sum_j Phi_K[j,l] phi(k_j) [v_j, 1]^T,   out_i = sum_l Phi_Q[i,l] phi(q_i)^T S_l.
//    O((nnz(Phi_Q) + nnz(Phi_K)) m d_v) time. S is formed in blocks of columns (64 MB each when node
//    ids are local, e.g. on grids and sheets), each S_l summed in registers from the block's entries
//    of Phi_K collected column by column; extra memory is one block of S, that block's entries
//    (8 bytes each) and the N x (d_v + 1) result. Vectorised 8 features at a time (AVX-512, AVX2 or
//    baseline code chosen at run time). Double precision throughout.
//    Throws usage Error with absMask and when the shapes disagree.
AttentionOutput grfMaskedAttention(const AttentionInputs& in, const SparseRowsView& phiQ,
                                   const SparseRowsView& phiK, const AttentionOptions& options = {},
                                   Progress* progress = nullptr);
// The same with the sampler's features: M_hat = query() key()^T, whatever the ensemble.
AttentionOutput grfMaskedAttention(const AttentionInputs& in, const GrfFeatures& features,
                                   const AttentionOptions& options = {}, Progress* progress = nullptr);

// M_hat = Phi_Q Phi_K^T as a dense N x N matrix (tests and the dense baseline). O(N nnz + N^2).
Eigen::MatrixXd grfDenseEstimate(const SparseRowsView& phiQ, const SparseRowsView& phiK, int threads = 0);
Eigen::MatrixXf grfDenseEstimateFloat(const SparseRowsView& phiQ, const SparseRowsView& phiK, int threads = 0);
// Row i of M_hat (N entries). O(nnz(Phi_K)).
Eigen::VectorXd grfMaskRow(const SparseRowsView& phiQ, const SparseRowsView& phiK, std::int64_t i);

// 5. Block-Toeplitz masks on a width x height pixel grid (node id = y * width + x): M_ij = g(p_i - p_j)
//    depends only on the offset between the two pixels. This is a different mask family from the
//    graph masks M_alpha(W) (which see boundaries and edge weights); it is the classical O(N log N)
//    baseline for grids.
struct ToeplitzMask {
  int width = 0;
  int height = 0;
  int radiusX = 0;  // g(dx, dy) = 0 when |dx| > radiusX or |dy| > radiusY
  int radiusY = 0;
  Eigen::MatrixXd kernel;  // (2 radiusY + 1) x (2 radiusX + 1): kernel(dy + radiusY, dx + radiusX) = g(dx, dy)

  double at(int dx, int dy) const {
    if (dx < -radiusX || dx > radiusX || dy < -radiusY || dy > radiusY) return 0.0;
    return kernel(dy + radiusY, dx + radiusX);
  }
};

// The translation-invariant mask whose g is read from a mask row of the grid's centre pixel c
// (c = (height / 2) * width + width / 2): g(dx, dy) = row[c - (dx + dy width)], within the offsets
// both sides of c cover, and cut to the smallest radii outside which |g| <= relTolerance max |g|.
// On the interior of a unit-weight grid this is the graph mask; near the border it differs.
ToeplitzMask toeplitzMaskFromRow(int width, int height, const Eigen::VectorXd& centreRow,
                                 double relTolerance = 1e-12);
// Dense N x N matrix of the Toeplitz mask (tests; N small).
Eigen::MatrixXd denseToeplitzMask(const ToeplitzMask& mask);
// Row i of the Toeplitz mask (N entries), O(N).
Eigen::VectorXd toeplitzMaskRow(const ToeplitzMask& mask, std::int64_t i);

// Feature-map attention with the Toeplitz mask by zero-padded 2-D FFT convolution (Eigen's FFT
// module, kissfft backend): m (d_v + 1) channels, two per complex transform; padded size
// (width + radiusX) x (height + radiusY) rounded up to 2^a 3^b 5^c. O(m d_v N log N).
AttentionOutput toeplitzAttention(const AttentionInputs& in, const ToeplitzMask& mask,
                                  const AttentionOptions& options = {}, Progress* progress = nullptr);

// The attention row a_i. (N entries) of query node i given row i of the algorithm's mask
// (empty = no mask). For feature-map kernels pass the `floor` of the algorithm's AttentionOutput so
// that a guarded row is normalised as the algorithm did; softmax rows are guarded on their own.
// O(N (m or d)). Rows sum to 1 unless guarded (then 0).
Eigen::VectorXd attentionRow(const AttentionInputs& in, DenseKernel kernel, const Eigen::VectorXd& maskRow,
                             std::int64_t i, double floor = 0.0, const AttentionOptions& options = {});

// Per-node error ||a_i - b_i||_2 (N entries) and the relative error ||a - b||_F / ||b||_F.
Eigen::VectorXd rowErrors(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);
double relativeError(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b);

}  // namespace topomask
