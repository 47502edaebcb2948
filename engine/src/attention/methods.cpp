#include "topomask/attention/methods.h"

#include "topomask/core/error.h"

namespace topomask {

namespace {

using K = DenseKernel;
using S = MaskSource;
using M = AttentionMethod;

// The registry. A new method: a row here (in the order front ends should list it), its cases in
// runAttentionMethod and methodMaskRow when it needs a new MaskSource, and its test.
constexpr AttentionMethodInfo kMethods[] = {
    {M::Softmax, "softmax", "softmax, unmasked (dense reference)", K::Softmax, S::None, true, false, true, false},
    {M::Dense, "dense", "feature-map kernel with the exact dense mask (dense reference)", K::FeatureMap, S::Exact, true,
     false, false, true},
    {M::SoftmaxMasked, "softmax_masked", "softmax masked by the exact M (dense reference)", K::Softmax, S::Exact, true,
     false, true, true},
    {M::Linear, "linear", "linear attention, unmasked", K::FeatureMap, S::None, false, false, true, true},
    {M::ExactMasked, "exact_masked", "linear attention masked by the exact M (propagation)", K::FeatureMap, S::Exact,
     false, false, true, true},
    {M::GrfMasked, "grf_masked", "linear attention masked by the GRF estimate (the paper's method)", K::FeatureMap,
     S::Grf, false, false, true, true},
    {M::ToeplitzFft, "toeplitz_fft",
     "linear attention, block-Toeplitz mask by FFT (grids only; a different mask family)", K::FeatureMap,
     S::Toeplitz, false, true, true, true},
};

static_assert(std::size(kMethods) == static_cast<std::size_t>(M::ToeplitzFft) + 1, "one row per method");

[[noreturn]] void missing(AttentionMethod method, const char* what) {
  throw usageError(std::string("attention method ") + attentionMethodName(method) + " needs " + what);
}

}  // namespace

std::span<const AttentionMethodInfo> attentionMethods() { return kMethods; }

const AttentionMethodInfo& attentionMethodInfo(AttentionMethod method) {
  const auto k = static_cast<std::size_t>(method);
  if (k >= std::size(kMethods) || kMethods[k].method != method) throw usageError("unknown attention method");
  return kMethods[k];
}

const char* attentionMethodName(AttentionMethod method) { return attentionMethodInfo(method).name; }
const char* attentionMethodLabel(AttentionMethod method) { return attentionMethodInfo(method).label; }

std::string attentionMethodList(bool viewsOnly) {
  std::string out;
  for (const AttentionMethodInfo& m : kMethods)
    if (!viewsOnly || m.inViews) out += std::string(out.empty() ? "" : ", ") + m.name;
  return out;
}

AttentionMethod parseAttentionMethod(std::string_view name, bool viewsOnly) {
  for (const AttentionMethodInfo& m : kMethods)
    if (name == m.name && (!viewsOnly || m.inViews)) return m.method;
  throw usageError("unknown attention method '" + std::string(name) + "' (one of: " + attentionMethodList(viewsOnly) +
                   ")");
}

bool isTokenGrid(const Graph& graph) {
  return graph.gridWidth > 0 && graph.gridHeight > 0 &&
         static_cast<std::int64_t>(graph.gridWidth) * graph.gridHeight == graph.nodeCount();
}

ToeplitzMask gridToeplitzMask(const Graph& graph, const MaskOperator& exact, double relTolerance) {
  if (!isTokenGrid(graph)) throw usageError("toeplitz_fft needs a pixel grid (an image with grid4 or grid8)");
  const std::int64_t centre =
      static_cast<std::int64_t>(graph.gridHeight / 2) * graph.gridWidth + graph.gridWidth / 2;
  return toeplitzMaskFromRow(graph.gridWidth, graph.gridHeight, exact.row(centre), relTolerance);
}

AttentionOutput runAttentionMethod(AttentionMethod method, const AttentionInputs& in, const AttentionMasks& masks,
                                   const AttentionOptions& options, Progress* progress) {
  const AttentionMethodInfo& info = attentionMethodInfo(method);
  switch (info.mask) {
    case S::None:
      if (info.kernel == K::Softmax) return denseAttention(in, K::Softmax, Eigen::MatrixXd(), options);
      return linearAttention(in, options);
    case S::Exact:
      if (info.dense) {
        if (!masks.exactDense) missing(method, "the dense exact mask");
        return denseAttention(in, info.kernel, *masks.exactDense, options);
      }
      if (!masks.exact) missing(method, "the exact mask operator");
      return exactMaskedAttention(in, *masks.exact, options, progress);
    case S::Grf:
      if (!masks.grf) missing(method, "graph random features");
      return grfMaskedAttention(in, *masks.grf, options, progress);
    case S::Toeplitz:
      if (!masks.toeplitz) missing(method, "a Toeplitz mask (a pixel grid)");
      return toeplitzAttention(in, *masks.toeplitz, options, progress);
  }
  missing(method, "a known mask");
}

Eigen::VectorXd methodMaskRow(AttentionMethod method, const AttentionMasks& masks, std::int64_t i) {
  switch (attentionMethodInfo(method).mask) {
    case S::None: return {};
    case S::Exact:  // dense methods read the dense matrix, the others the operator (either if alone)
      if (masks.exactDense && (attentionMethodInfo(method).dense || !masks.exact))
        return masks.exactDense->row(i).transpose();
      if (masks.exact) return masks.exact->row(i);
      return {};
    case S::Grf:
      if (!masks.grf) return {};
      return grfMaskRow(viewOf(masks.grf->query()), viewOf(masks.grf->key()), i);
    case S::Toeplitz:
      if (!masks.toeplitz) return {};
      return toeplitzMaskRow(*masks.toeplitz, i);
  }
  return {};
}

Eigen::VectorXd methodAttentionRow(AttentionMethod method, const AttentionInputs& in, const AttentionMasks& masks,
                                   std::int64_t i, double floor, const AttentionOptions& options) {
  const AttentionMethodInfo& info = attentionMethodInfo(method);
  const Eigen::VectorXd maskRow = methodMaskRow(method, masks, i);
  if (info.mask != S::None && maskRow.size() == 0) return {};
  return attentionRow(in, info.kernel, maskRow, i, floor, options);
}

std::unique_ptr<PreparedMasks> prepareAttentionMasks(AttentionMethod method, const Graph& graph,
                                                     const MaskFunction& mask, const GrfOptions& grf,
                                                     const PrepareMasksOptions& options) {
  const AttentionMethodInfo& info = attentionMethodInfo(method);
  auto out = std::make_unique<PreparedMasks>();
  if (info.gridOnly && !isTokenGrid(graph))
    throw usageError(std::string(info.name) + " needs a pixel grid (an image with grid4 or grid8)");
  MaskOperatorOptions mo;
  mo.threads = options.threads;
  switch (info.mask) {
    case S::None: break;
    case S::Exact:
      if (info.dense) {
        DenseMaskOptions dmo;
        dmo.maxNodes = options.denseCap;
        out->exactDense = denseMask(graph, mask, dmo);
        out->masks.exactDense = &out->exactDense;
      } else {
        out->exact = std::make_unique<MaskOperator>(graph, mask, mo);
        out->masks.exact = out->exact.get();
      }
      break;
    case S::Grf:
      out->grf = sampleFeatures(graph, mask, grf);
      out->masks.grf = &out->grf;
      break;
    case S::Toeplitz:
      out->exact = std::make_unique<MaskOperator>(graph, mask, mo);
      out->toeplitz = gridToeplitzMask(graph, *out->exact, options.toeplitzTolerance);
      out->masks.toeplitz = &out->toeplitz;
      break;
  }
  return out;
}

}  // namespace topomask
