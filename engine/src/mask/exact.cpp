#include "topomask/mask/exact.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <sstream>

#include <Eigen/Eigenvalues>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/large_vector.h"
#include "topomask/core/parallel.h"
#include "topomask/graph/spectral.h"


namespace topomask {
namespace {

constexpr std::int64_t kRowGrain = 4096;  // rows per parallel chunk at least

void checkDenseCap(const Graph& graph, const DenseMaskOptions& options) {
  const std::int64_t n = graph.nodeCount();
  if (n > options.maxNodes)
    throw usageError("dense mask: the graph has " + std::to_string(n) + " nodes, more than the dense cap of " +
                     std::to_string(options.maxNodes) +
                     "; ask for rows of chosen query nodes (sparse propagation) or raise the cap");
  if (n > kMaxDenseNodes)
    throw usageError("dense mask: the graph has " + std::to_string(n) + " nodes, more than dense matrices support (" +
                     std::to_string(kMaxDenseNodes) + "); ask for rows of chosen query nodes (sparse propagation)");
  // W, its eigenvectors, and the result: three N x N doubles, and a work copy.
  requireMemory(4.0 * 8.0 * static_cast<double>(n) * static_cast<double>(n),
                "the dense " + std::to_string(n) + " x " + std::to_string(n) + " mask", memoryBudget(0));
}

// sqrt(d_i) for the similarity W_rw = D^-1/2 S D^1/2 (1 for degree-0 nodes, whose row and column are 0).
Eigen::VectorXd rwScale(const Graph& graph) {
  const std::int64_t n = graph.nodeCount();
  Eigen::VectorXd s = Eigen::VectorXd::Ones(n);
  if (graph.degrees.size() != n)
    throw Error("the random-walk graph has no degree vector (" + std::to_string(graph.degrees.size()) + " of " +
                    std::to_string(n) + ")",
                "mask", Error::Kind::Numeric);
  for (std::int64_t i = 0; i < n; ++i) {
    const double d = graph.degrees[i];
    if (graph.degree(i) == 0) continue;
    if (!(d > 0.0) || !std::isfinite(d))
      throw Error("node " + std::to_string(i) + " has weighted degree " + std::to_string(d) +
                      "; the random-walk normalisation needs positive degrees",
                  "mask", Error::Kind::Numeric);
    s[i] = std::sqrt(d);
  }
  return s;
}

// The symmetric form S of W as a dense matrix (S = W unless random-walk), checked for symmetry.
Eigen::MatrixXd denseSymmetricForm(const Graph& graph, Eigen::VectorXd* scale) {
  const std::int64_t n = graph.nodeCount();
  Eigen::MatrixXd s = Eigen::MatrixXd::Zero(n, n);
  const bool rw = graph.normalisation == Normalisation::RandomWalk;
  Eigen::VectorXd sc = rw ? rwScale(graph) : Eigen::VectorXd::Ones(n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
      const std::int32_t j = graph.neighbours[e];
      s(i, j) += graph.weights[e] * sc[i] / sc[j];
    }
  const double scaleOf = s.cwiseAbs().maxCoeff();
  const double asym = n ? (s - s.transpose()).cwiseAbs().maxCoeff() : 0.0;
  if (asym > 1e-12 * std::max(scaleOf, 1e-300))
    throw Error("W has no symmetric form (max |S - S^T| = " + std::to_string(asym) +
                    "); the dense eigen method needs a symmetric or random-walk normalised W",
                "dense mask", Error::Kind::Numeric);
  s = 0.5 * (s + s.transpose()).eval();
  if (scale) *scale = sc;
  return s;
}

Eigen::MatrixXd denseW(const Graph& graph) {
  const std::int64_t n = graph.nodeCount();
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) w(i, graph.neighbours[e]) += graph.weights[e];
  return w;
}

void requireFinite(const Eigen::MatrixXd& m, const MaskFunction& fn) {
  if (!m.allFinite())
    throw Error("the mask " + fn.formula() + " is not finite in double precision on this graph; lower beta or the scale sigma",
                "mask " + fn.name(), Error::Kind::Numeric);
}

}  // namespace

SeriesRadius seriesRadius(const Graph& graph, const MaskFunction& fn) {
  SeriesRadius r;
  if (graph.nonZeros() == 0) {
    r.source = "exact";
    return r;
  }
  if (graph.normalisation != Normalisation::None) {
    // W = sigma * D^-1/2 A D^-1/2 or sigma * D^-1 A with A >= 0: the spectrum of D^-1 A lies in [-1, 1]
    // and contains 1 (its rows sum to one on every node with edges), so rho(W) = |sigma|.
    bool sameSign = true;
    for (double w : graph.weights)
      if (w * graph.sigma < 0.0 || (graph.sigma == 0.0 && w != 0.0)) {
        sameSign = false;
        break;
      }
    if (sameSign) {
      r.value = r.estimate = std::abs(graph.sigma);
      r.source = "exact";
      return r;
    }
  }
  const SpectralRadius s = spectralRadius(graph);
  r.estimate = s.value;
  if (s.upperBound < fn.radiusOfConvergence()) {
    r.value = s.upperBound;
    r.source = "bound";
  } else {
    r.value = s.value;
    r.source = "estimate";
  }
  return r;
}

Eigen::MatrixXd denseMask(const Graph& graph, const MaskFunction& fn, const DenseMaskOptions& options) {
  checkDenseCap(graph, options);
  Eigen::VectorXd scale;
  const Eigen::MatrixXd s = denseSymmetricForm(graph, &scale);
  const std::int64_t n = graph.nodeCount();
  if (n == 0) return {};
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(s);
  if (eig.info() != Eigen::Success)
    throw Error("the eigendecomposition of W did not converge", "dense mask", Error::Kind::Numeric);
  const Eigen::VectorXd& lambda = eig.eigenvalues();
  const double maxAbs = lambda.cwiseAbs().maxCoeff();
  if (maxAbs >= fn.radiusOfConvergence()) fn.termsFor(maxAbs);  // throws the divergence error
  Eigen::VectorXd g(n);
  for (std::int64_t k = 0; k < n; ++k) g[k] = fn(lambda[k]);
  const Eigen::MatrixXd& u = eig.eigenvectors();
  Eigen::MatrixXd m = u * g.asDiagonal() * u.transpose();
  if (graph.normalisation == Normalisation::RandomWalk)  // M_rw = D^-1/2 g(S) D^1/2
    m = scale.cwiseInverse().asDiagonal() * m * scale.asDiagonal();
  requireFinite(m, fn);
  return m;
}

Eigen::MatrixXd denseMaskSeries(const Graph& graph, const MaskFunction& fn, int terms, const DenseMaskOptions& options) {
  checkDenseCap(graph, options);
  const std::int64_t n = graph.nodeCount();
  if (terms <= 0) terms = fn.termsFor(seriesRadius(graph, fn).value, 1e-12);
  const std::vector<double> a = fn.alpha(terms);
  const Eigen::MatrixXd w = denseW(graph);
  Eigen::MatrixXd m = a[terms - 1] * Eigen::MatrixXd::Identity(n, n);
  for (int k = terms - 2; k >= 0; --k) {
    m = (w * m).eval();
    m.diagonal().array() += a[k];
  }
  requireFinite(m, fn);
  return m;
}

MaskOperator::MaskOperator(const Graph& graph, const MaskFunction& fn, const MaskOperatorOptions& options)
    : graph_(graph), fn_(fn), options_(options) {
  radius_ = seriesRadius(graph, fn);
  const int k = fn.termsFor(radius_.value, options.relTolerance, options.maxTerms);
  alpha_ = fn.alpha(k);
  tail_ = fn.tailBound(k, radius_.value);
  if (!graph.symmetricValues()) {
    // Entry (i, j) of the CSR gets W_ji, found by binary search in the sorted row j.
    const std::int64_t n = graph.nodeCount();
    transposedWeights_.resize(graph.weights.size());
    for (std::int64_t i = 0; i < n; ++i)
      for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
        const std::int32_t j = graph.neighbours[e];
        const auto first = graph.neighbours.begin() + graph.offsets[j];
        const auto last = graph.neighbours.begin() + graph.offsets[j + 1];
        const auto at = std::lower_bound(first, last, static_cast<std::int32_t>(i));
        if (at == last || *at != i)
          throw Error("W has edge " + std::to_string(i) + " -> " + std::to_string(j) + " but not its reverse",
                      "mask", Error::Kind::Numeric);
        transposedWeights_[e] = graph.weights[at - graph.neighbours.begin()];
      }
  }
}

namespace {

// One sparse product on row-major blocks with c columns, rows [lo, hi) of the output:
//   y_i = s * sum_j W_ij x_j + a * b_i   (b may be nullptr: then y_i = s * sum_j W_ij x_j).
// Row j of x lives at x + (j & xMask) * c and row i of y at y + (i & yMask) * c: a mask of all ones
// addresses whole N x c blocks, a mask 4B - 1 a ring buffer of four blocks of B rows.
struct Product {
  const std::int64_t* offsets;
  const std::int32_t* neighbours;
  const double* weights;
  const double* x;
  std::int64_t xMask;
  double s;
  const double* b;
  double a;
  double* y;
  std::int64_t yMask;
  int c;
  bool stream;  // streaming stores for y (output not re-read soon; needs 16-byte aligned rows)
};

constexpr std::int64_t kAllRows = -1;

// One tile of T columns col0..col0+T with the T accumulators in registers.
template <int T>
void tileKernel(const Product& p, int col0, std::int64_t lo, std::int64_t hi) {
  const int c = p.c;
  [[maybe_unused]] const bool stream =
      p.stream && c % 2 == 0 && col0 % 2 == 0 && reinterpret_cast<std::uintptr_t>(p.y) % 16 == 0;
  for (std::int64_t i = lo; i < hi; ++i) {
    double acc[T];
    for (int t = 0; t < T; ++t) acc[t] = 0.0;
    for (std::int64_t e = p.offsets[i]; e < p.offsets[i + 1]; ++e) {
      const double we = p.weights[e];
      const double* xj = p.x + (static_cast<std::int64_t>(p.neighbours[e]) & p.xMask) * c + col0;
      for (int t = 0; t < T; ++t) acc[t] += we * xj[t];
    }
    double* yi = p.y + (i & p.yMask) * c + col0;
    if (p.b) {
      const double* bi = p.b + i * c + col0;
      for (int t = 0; t < T; ++t) acc[t] = p.s * acc[t] + p.a * bi[t];
    } else {
      for (int t = 0; t < T; ++t) acc[t] = p.s * acc[t];
    }
#if defined(__SSE2__)
    // Streaming stores skip the read-for-ownership of y's lines when y is not re-read soon.
    if constexpr (T % 2 == 0) {
      if (stream) {
        for (int t = 0; t < T; t += 2) _mm_stream_pd(yi + t, _mm_set_pd(acc[t + 1], acc[t]));
        continue;
      }
    }
#endif
    for (int t = 0; t < T; ++t) yi[t] = acc[t];
  }
}

// Column tiles of 8, 4, 2, 1 so that every width keeps its accumulators in registers.
void multiplyRows(const Product& p, std::int64_t lo, std::int64_t hi) {
  int col = 0;
  for (; col + 8 <= p.c; col += 8) tileKernel<8>(p, col, lo, hi);
  if (col + 4 <= p.c) {
    tileKernel<4>(p, col, lo, hi);
    col += 4;
  }
  if (col + 2 <= p.c) {
    tileKernel<2>(p, col, lo, hi);
    col += 2;
  }
  if (col < p.c) tileKernel<1>(p, col, lo, hi);
#if defined(__SSE2__)
  if (p.stream) _mm_sfence();  // order the streaming stores before the caller's join
#endif
}

// Bandwidth max |i - j| over the entries of W.
std::int64_t bandwidth(const Graph& g) {
  std::int64_t bw = 0;
  for (std::int64_t i = 0; i < g.nodeCount(); ++i)
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) bw = std::max<std::int64_t>(bw, std::abs(g.neighbours[e] - i));
  return bw;
}

}  // namespace

const double* MaskOperator::weightsFor(bool transposed) const {
  return (transposed && !transposedWeights_.empty()) ? transposedWeights_.data() : graph_.weights.data();
}


RowMajorMatrix MaskOperator::horner(const RowMajorMatrix& x, bool transposed, Progress* progress) const {
  const std::int64_t n = graph_.nodeCount();
  if (x.rows() != n)
    throw usageError("mask product: the block has " + std::to_string(x.rows()) + " rows, the graph " +
                     std::to_string(n) + " nodes");
  const int c = static_cast<int>(x.cols());
  const int k = terms();
  if (k == 1 || c == 0 || n == 0) return RowMajorMatrix(alpha_[0] * x);
  const int steps = k - 1;  // Horner steps: y_s = W y_{s-1} + alpha_{K-2-s} x, y_{-1} = alpha_{K-1} x
  const Product base{graph_.offsets.data(), graph_.neighbours.data(), weightsFor(transposed), nullptr, kAllRows,
                     1.0, nullptr, 0.0, nullptr, kAllRows, c, false};
  RowMajorMatrix out(n, c);
  adviseHugePages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(double));

  // Temporal blocking when W is banded (pixel grids, structured meshes): rows in blocks of B >= the
  // bandwidth, step s handling block t - 2s at time t, so every step reads only blocks b-1..b+1 of
  // the previous step, kept in a ring of four blocks per step that stays in cache. Main memory then
  // sees x about once and the output once, instead of three N x c blocks per step. The arithmetic of
  // each row is the same as in the plain loop below, so the results are identical.
  const std::int64_t bw = bandwidth(graph_);
  std::int64_t blockRows = 64;
  while (blockRows < bw) blockRows *= 2;
  const std::int64_t blocks = (n + blockRows - 1) / blockRows;
  const double ringBytes = 8.0 * 4 * blockRows * c * steps;
  if (blocks >= 4 && ringBytes <= 64.0 * (1 << 20)) {
    const std::int64_t ringRows = 4 * blockRows;
    std::vector<double> ring(static_cast<std::size_t>(steps - 1) * ringRows * c);
    auto ringOf = [&](int s) { return ring.data() + static_cast<std::size_t>(s) * ringRows * c; };
    const std::int64_t times = blocks + 2 * (steps - 1);
    for (std::int64_t t = 0; t < times; ++t) {
      // Tasks at time t: steps s with block t - 2s in range; independent of each other.
      const int sLo = static_cast<int>(std::max<std::int64_t>(0, (t - blocks + 2) / 2));
      const int sHi = static_cast<int>(std::min<std::int64_t>(steps - 1, t / 2));
      parallelFor(
          sLo, sHi + 1,
          [&](std::int64_t lo, std::int64_t hi) {
            for (std::int64_t s = lo; s < hi; ++s) {
              const std::int64_t b = t - 2 * s;
              if (b < 0 || b >= blocks) continue;
              Product p = base;
              p.x = s == 0 ? x.data() : ringOf(static_cast<int>(s) - 1);
              p.xMask = s == 0 ? kAllRows : ringRows - 1;
              p.s = s == 0 ? alpha_[k - 1] : 1.0;
              p.a = alpha_[k - 2 - s];
              p.b = p.a != 0.0 ? x.data() : nullptr;
              const bool last = s == steps - 1;
              p.y = last ? out.data() : ringOf(static_cast<int>(s));
              p.yMask = last ? kAllRows : ringRows - 1;
              p.stream = last;
              multiplyRows(p, b * blockRows, std::min(n, (b + 1) * blockRows));
            }
          },
          options_.threads, 1);
      if (t % 64 == 0) reportProgress(progress, static_cast<double>(t) / static_cast<double>(times));
    }
    reportProgress(progress, 1.0);
    return out;
  }

  RowMajorMatrix y(n, c);
  const std::int64_t grain = std::max<std::int64_t>(kRowGrain / std::max(c, 1), 256);
  for (int s = 0; s < steps; ++s) {
    Product p = base;
    p.x = s == 0 ? x.data() : y.data();
    p.s = s == 0 ? alpha_[k - 1] : 1.0;
    p.a = alpha_[k - 2 - s];
    p.b = p.a != 0.0 ? x.data() : nullptr;
    p.y = out.data();
    p.stream = true;
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) { multiplyRows(p, lo, hi); }, options_.threads, grain);
    if (s + 1 < steps) std::swap(y, out);
    reportProgress(progress, static_cast<double>(s + 1) / steps);
  }
  return out;
}

Eigen::VectorXd MaskOperator::apply(const Eigen::VectorXd& x) const {
  const RowMajorMatrix r = horner(RowMajorMatrix(x), false, nullptr);
  return Eigen::VectorXd(r);
}

Eigen::MatrixXd MaskOperator::apply(const Eigen::MatrixXd& x, Progress* progress) const {
  return Eigen::MatrixXd(horner(RowMajorMatrix(x), false, progress));
}

RowMajorMatrix MaskOperator::apply(const RowMajorMatrix& x, Progress* progress) const {
  return horner(x, false, progress);
}

RowMajorMatrix MaskOperator::applyTransposed(const RowMajorMatrix& x, Progress* progress) const {
  return horner(x, true, progress);
}

Eigen::VectorXd MaskOperator::rowFull(std::int64_t i) const {
  // Forward series y = sum_k alpha_k (W^T)^k e_i with full vectors.
  const std::int64_t n = graph_.nodeCount();
  Eigen::VectorXd v = Eigen::VectorXd::Zero(n), nextV(n);
  v[i] = 1.0;
  Eigen::VectorXd y = alpha_[0] * v;
  for (int k = 1; k < terms(); ++k) {
    const Product p{graph_.offsets.data(), graph_.neighbours.data(), weightsFor(true), v.data(), kAllRows, 1.0,
                    nullptr, 0.0, nextV.data(), kAllRows, 1, false};
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) { multiplyRows(p, lo, hi); }, options_.threads, kRowGrain);
    std::swap(v, nextV);
    y += alpha_[k] * v;
  }
  return y;
}

Eigen::VectorXd MaskOperator::row(std::int64_t i) const {
  const std::int64_t n = graph_.nodeCount();
  if (i < 0 || i >= n)
    throw usageError("mask row: node " + std::to_string(i) + " is out of range [0, " + std::to_string(n) + ")");
  const auto limit = static_cast<std::size_t>(options_.localFraction * static_cast<double>(n));
  if (options_.localFraction <= 0.0 || limit < 1) return rowFull(i);

  // Local forward propagation v_k = W^T v_{k-1} over the nodes within k hops of i. nodes[l] is the
  // global id of local index l, local[g] the local index of node g (-1 when not reached). The
  // gather visits each row's neighbours in CSR order, so the sums equal those of rowFull.
  const std::int64_t* off = graph_.offsets.data();
  const std::int32_t* nb = graph_.neighbours.data();
  const double* w = transposedWeights_.empty() ? graph_.weights.data() : transposedWeights_.data();
  std::vector<std::int32_t> local(static_cast<std::size_t>(n), -1);
  std::vector<std::int32_t> nodes{static_cast<std::int32_t>(i)};
  local[i] = 0;
  std::vector<double> v{1.0}, nextV, y{alpha_[0]};
  std::size_t frontier = 0;  // nodes[frontier..] were added in the last step
  int k = 1;
  for (; k < terms(); ++k) {
    const std::size_t before = nodes.size();
    for (std::size_t l = frontier; l < before; ++l) {
      const std::int32_t u = nodes[l];
      for (std::int64_t e = off[u]; e < off[u + 1]; ++e)
        if (local[nb[e]] < 0) {
          local[nb[e]] = static_cast<std::int32_t>(nodes.size());
          nodes.push_back(nb[e]);
        }
    }
    frontier = before;
    if (nodes.size() > limit) break;  // too wide: continue with full products below
    nextV.assign(nodes.size(), 0.0);
    for (std::size_t l = 0; l < nodes.size(); ++l) {
      const std::int32_t u = nodes[l];
      double s = 0.0;
      for (std::int64_t e = off[u]; e < off[u + 1]; ++e) {
        const std::int32_t j = local[nb[e]];
        if (static_cast<std::size_t>(j) < before) s += w[e] * v[j];
      }
      nextV[l] = s;
    }
    std::swap(v, nextV);
    y.resize(nodes.size(), 0.0);
    const double a = alpha_[k];
    for (std::size_t l = 0; l < nodes.size(); ++l) y[l] += a * v[l];
  }
  Eigen::VectorXd out = Eigen::VectorXd::Zero(n);
  for (std::size_t l = 0; l < y.size(); ++l) out[nodes[l]] = y[l];
  if (k >= terms()) return out;

  // Switch to full sparse products for steps k..K-1 (v holds W^T^(k-1) e_i on the first nodes).
  Eigen::VectorXd fullV = Eigen::VectorXd::Zero(n), nextFull(n);
  for (std::size_t l = 0; l < v.size(); ++l) fullV[nodes[l]] = v[l];
  for (; k < terms(); ++k) {
    const Product p{graph_.offsets.data(), graph_.neighbours.data(), weightsFor(true), fullV.data(), kAllRows, 1.0,
                    nullptr, 0.0, nextFull.data(), kAllRows, 1, false};
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) { multiplyRows(p, lo, hi); }, options_.threads, kRowGrain);
    std::swap(fullV, nextFull);
    out += alpha_[k] * fullV;
  }
  return out;
}

Eigen::MatrixXd MaskOperator::rows(const std::vector<std::int64_t>& nodes, Progress* progress) const {
  const std::int64_t n = graph_.nodeCount();
  for (std::int64_t i : nodes)
    if (i < 0 || i >= n)
      throw usageError("mask rows: node " + std::to_string(i) + " is out of range [0, " + std::to_string(n) + ")");
  Eigen::MatrixXd out(static_cast<Eigen::Index>(nodes.size()), n);
  std::atomic<std::int64_t> done{0};
  parallelFor(
      0, static_cast<std::int64_t>(nodes.size()),
      [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t q = lo; q < hi; ++q) {
          out.row(q) = row(nodes[q]).transpose();
          const std::int64_t finished = ++done;
          reportProgress(progress, static_cast<double>(finished) / static_cast<double>(nodes.size()));
        }
      },
      options_.threads, 1);
  return out;
}

}  // namespace topomask
