// The attention methods of SPEC section 6 as one registry: what each is called, what it needs, how
// to run it and how to get one attention row. Every front end (the `attention`, `export` and `bench`
// commands, `render --view attention-<name>`, the application's views, the Python module) lists,
// parses and runs methods through this table, so a new method is a new row here, its case in
// methods.cpp and its test.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <Eigen/Core>

#include "topomask/attention/attention.h"

namespace topomask {

// In the order the front ends list them (the `attention` command runs them in this order).
enum class AttentionMethod {
  Softmax,        // softmax, unmasked (dense reference)
  Dense,          // feature-map kernel, exact dense mask (dense reference of exact_masked)
  SoftmaxMasked,  // softmax with the exact dense mask (multiplicative, or additive by option)
  Linear,         // linear attention, unmasked
  ExactMasked,    // linear attention, exact mask by propagation
  GrfMasked,      // linear attention, GRF estimate of the mask, O(N): the paper's method
  ToeplitzFft,    // linear attention, block-Toeplitz mask by FFT (pixel grids; a different mask family)
};

// Which mask a method applies.
enum class MaskSource {
  None,      // unmasked
  Exact,     // the exact mask M: MaskOperator (propagation); dense methods read its N x N matrix
  Grf,       // the GRF estimate Phi_Q Phi_K^T
  Toeplitz,  // the block-Toeplitz mask taken from the exact row of the grid's centre pixel
};

struct AttentionMethodInfo {
  AttentionMethod method;
  const char* name;   // "grf_masked": command-line value, JSON key, Python argument
  const char* label;  // one line for people ("linear attention masked by the GRF estimate ...")
  DenseKernel kernel;
  MaskSource mask;
  bool dense;      // O(N^2): needs the dense N x N mask (front ends cap N), or is quadratic anyway
  bool gridOnly;   // needs a pixel grid (isTokenGrid)
  bool inViews;    // offered in the application's attention views and `render --view attention-<name>`
                   // (dense duplicates exact_masked's row there, so it is not)
  bool inCommand;  // run by `topomask attention` (unmasked softmax is not: it compares masked methods)
};

// Every method, in enum order.
std::span<const AttentionMethodInfo> attentionMethods();
const AttentionMethodInfo& attentionMethodInfo(AttentionMethod method);
const char* attentionMethodName(AttentionMethod method);
const char* attentionMethodLabel(AttentionMethod method);
// The method named `name`; throws usage Error "unknown attention method 'x' (one of: a, b, ...)".
// With `viewsOnly`, only methods offered in the views are accepted (and listed).
AttentionMethod parseAttentionMethod(std::string_view name, bool viewsOnly = false);
// "softmax, dense, ..." (the views' methods only with `viewsOnly`).
std::string attentionMethodList(bool viewsOnly = false);

// A graph whose nodes are the cells of its gridWidth x gridHeight grid (pixels, or patches):
// what the Toeplitz method needs.
bool isTokenGrid(const Graph& graph);
// The block-Toeplitz mask of a grid graph: g from the exact mask row of the centre pixel
// (toeplitzMaskFromRow). Throws usage Error when the graph is not a token grid.
ToeplitzMask gridToeplitzMask(const Graph& graph, const MaskOperator& exact, double relTolerance = 1e-12);

// What the methods read besides the tokens; set the members the method's MaskSource needs.
struct AttentionMasks {
  const MaskOperator* exact = nullptr;          // Exact (propagation)
  const Eigen::MatrixXd* exactDense = nullptr;  // Exact, dense methods: the N x N mask
  const GrfFeatures* grf = nullptr;             // Grf
  const ToeplitzMask* toeplitz = nullptr;       // Toeplitz
};

// Runs the method on all N queries. Throws usage Error when a mask it needs is missing.
AttentionOutput runAttentionMethod(AttentionMethod method, const AttentionInputs& in, const AttentionMasks& masks,
                                   const AttentionOptions& options = {}, Progress* progress = nullptr);
// Row i of the mask the method applies (N entries); empty for an unmasked method (and when the
// mask it needs is missing). Dense methods take exact rows from the dense matrix and the others
// from the operator, so each row is the one its method applied (either source when only one is set).
Eigen::VectorXd methodMaskRow(AttentionMethod method, const AttentionMasks& masks, std::int64_t i);
// The attention row of query i under the method (attentionRow with the method's kernel and mask
// row); pass the method's AttentionOutput::floor when it ran on all queries. Empty when the mask
// it needs is missing.
Eigen::VectorXd methodAttentionRow(AttentionMethod method, const AttentionInputs& in, const AttentionMasks& masks,
                                   std::int64_t i, double floor = 0.0, const AttentionOptions& options = {});

// The masks one method needs, built from the graph and owned here (`masks` points into this
// object; the graph must outlive it). What `export --what attention` and the Python module's
// attention() run; the `attention` command and the application build theirs once for all methods.
struct PreparedMasks {
  std::unique_ptr<MaskOperator> exact;  // Exact and Toeplitz methods
  Eigen::MatrixXd exactDense;           // dense Exact methods (N <= denseCap)
  GrfFeatures grf;                      // Grf methods
  ToeplitzMask toeplitz;                // Toeplitz methods
  AttentionMasks masks;
};
struct PrepareMasksOptions {
  std::int64_t denseCap = 4096;     // largest N of a dense mask (DenseMaskOptions::maxNodes)
  double toeplitzTolerance = 1e-9;  // gridToeplitzMask's relTolerance
  int threads = 0;
};
// Throws usage Error for a grid method on a graph that is not a token grid, or a dense one over
// denseCap nodes (denseMask's error).
std::unique_ptr<PreparedMasks> prepareAttentionMasks(AttentionMethod method, const Graph& graph,
                                                     const MaskFunction& mask, const GrfOptions& grf,
                                                     const PrepareMasksOptions& options = {});

}  // namespace topomask
