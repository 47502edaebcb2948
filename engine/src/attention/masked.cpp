// Masked linear attention: exact by propagation (M T through a block operator) and with graph random
// features in O(N) (S_l = sum_j Phi_K[j,l] T_j, out_i = sum_l Phi_Q[i,l] phi(q_i)^T S_l).
#include <algorithm>
#include <cmath>
#include <vector>

#include "attention/guard.h"
#include "topomask/attention/attention.h"
#include "topomask/core/error.h"
#include "topomask/core/large_vector.h"
#include "topomask/core/parallel.h"

// The two hot loops are compiled for AVX2/FMA as well as the baseline, chosen at run time.
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__)
#define TOPOMASK_HOT __attribute__((target_clones("arch=x86-64-v3", "default")))
#else
#define TOPOMASK_HOT
#endif

namespace topomask {

namespace {

void checkLinearInputs(const AttentionInputs& in, const AttentionOptions& o, const char* what) {
  const Eigen::Index n = in.size();
  if (in.phiQ.rows() != n || in.phiK.rows() != n || in.phiQ.cols() != in.phiK.cols() || in.phiK.cols() == 0)
    throw usageError(std::string(what) + ": phi(Q) and phi(K) must both be N x m with N = rows of V");
  if (o.absMask)
    throw usageError(std::string(what) + ": |M| is not a power series of W and cannot be applied in linear "
                     "time; use the dense reference for |M|");
  if (o.additiveMask) throw usageError(std::string(what) + ": the additive mask form applies to softmax only");
}

// Features of phi per chunk: options.featureChunk when positive; automatic (0): all m when the whole
// N x m (d_v + 1) block fits in 32 MB (small problems make a single pass), else 4.
int chunkFeatures(const AttentionOptions& o, Eigen::Index n, Eigen::Index m, Eigen::Index d1) {
  if (o.featureChunk > 0) return static_cast<int>(std::min<Eigen::Index>(o.featureChunk, m));
  if (n * m * d1 * static_cast<Eigen::Index>(sizeof(double)) <= (Eigen::Index{32} << 20)) return static_cast<int>(m);
  return static_cast<int>(std::min<Eigen::Index>(4, m));
}


// Source rows of a scatter: T_j = src[j, a0 : a0 + cc] (x) [v_j, 1] when values != nullptr (width
// cc (dv + 1)), else T_j = src[j, a0 : a0 + cc] (width cc).
struct ScatterSource {
  const double* src = nullptr;  // N x srcCols, row-major
  Eigen::Index srcCols = 0;
  const double* values = nullptr;  // N x dv, row-major, or nullptr
  Eigen::Index dv = 0;
};

// Software prefetch for rows visited out of id order (tiles, block lists): the row 4 ahead gets all
// of its sparse entries and its dense rows (up to two arrays of doubles with the given widths)
// prefetched, and the row 8 ahead its offsets, so the cache misses of the next rows overlap the
// arithmetic of this one. At N = 2^20 these arrays live in memory, not in cache.
inline void prefetchRow(const SparseRowsView& phi, const std::int32_t* rows, std::int64_t k, std::int64_t end,
                        const double* dense, Eigen::Index denseCols, const double* dense2 = nullptr,
                        Eigen::Index dense2Cols = 0) {
#if defined(__GNUC__)
  if (k + 8 < end) __builtin_prefetch(phi.offsets + rows[k + 8]);
  if (k + 4 < end) {
    const std::int64_t r = rows[k + 4];
    const std::int64_t b = phi.offsets[r], e = phi.offsets[r + 1];
    for (std::int64_t p = b; p < e; p += 16) {  // 16 entries = one 64-byte line of each array
      __builtin_prefetch(phi.indices + p);
      __builtin_prefetch(phi.values + p);
    }
    for (Eigen::Index c = 0; c < denseCols; c += 8) __builtin_prefetch(dense + r * denseCols + c);
    for (Eigen::Index c = 0; c < dense2Cols; c += 8) __builtin_prefetch(dense2 + r * dense2Cols + c, 1);
  }
#else
  (void)phi, (void)rows, (void)k, (void)end, (void)dense, (void)denseCols, (void)dense2, (void)dense2Cols;
#endif
}

// S[l - lOrigin, :] = sum_j phi[j, l] T_j for l in [lBegin, lEnd), T_j as above, S row-major with
// `width` columns.
// Scans the rows listed in `rows` (those of phi whose sorted columns may meet the range, in the
// visiting order), skipping those whose columns miss it: no transpose is formed, and each l is summed
// in the visiting order of the rows, whatever the partition.
TOPOMASK_HOT void scatterRange(const SparseRowsView& phi, std::int64_t lBegin, std::int64_t lEnd,
                               const ScatterSource& s, Eigen::Index a0, Eigen::Index cc, double* S,
                               std::int64_t lOrigin, Eigen::Index width, double* t, const std::int32_t* rows,
                               std::int64_t rowCount) {
  std::fill(S + (lBegin - lOrigin) * width, S + (lEnd - lOrigin) * width, 0.0);
  const Eigen::Index d1 = s.values ? s.dv + 1 : 1;
  for (std::int64_t k = 0; k < rowCount; ++k) {
    const std::int64_t j = rows[k];
    prefetchRow(phi, rows, k, rowCount, s.src, s.srcCols, s.values, s.dv);
    const std::int64_t b = phi.offsets[j];
    const std::int64_t e = phi.offsets[j + 1];
    if (b == e || phi.indices[e - 1] < lBegin || phi.indices[b] >= lEnd) continue;
    const std::int32_t* first = std::lower_bound(phi.indices + b, phi.indices + e, static_cast<std::int32_t>(lBegin));
    std::int64_t p = first - phi.indices;
    // T_j
    const double* srow = s.src + j * s.srcCols + a0;
    if (s.values) {
      const double* vrow = s.values + j * s.dv;
      for (Eigen::Index a = 0; a < cc; ++a) {
        double* __restrict ta = t + a * d1;
        const double w = srow[a];
        for (Eigen::Index c = 0; c < s.dv; ++c) ta[c] = w * vrow[c];
        ta[s.dv] = w;
      }
    } else {
      for (Eigen::Index a = 0; a < cc; ++a) t[a] = srow[a];
    }
    for (; p < e && phi.indices[p] < lEnd; ++p) {
      const double w = static_cast<double>(phi.values[p]);
      double* __restrict row = S + (static_cast<std::int64_t>(phi.indices[p]) - lOrigin) * width;
      const double* __restrict tj = t;
      for (Eigen::Index c = 0; c < width; ++c) row[c] += w * tj[c];
    }
  }
}

// For the rows i = rows[k], k in [kBegin, kEnd): acc = sum over the columns l of row i in the block
// [lBegin, lEnd) of phi[i, l] S[l - lBegin, :] (width cc d1), then out[i, e] += sum_a q[i, a0 + a]
// acc[a d1 + e] for e < d1 (out row-major with d1 columns).
TOPOMASK_HOT void gatherRows(const SparseRowsView& phi, const std::int32_t* rows, std::int64_t kBegin,
                             std::int64_t kEnd, std::int64_t lBegin, std::int64_t lEnd, const double* S,
                             Eigen::Index width, const double* q, Eigen::Index qCols, Eigen::Index a0,
                             Eigen::Index cc, Eigen::Index d1, double* out, double* acc) {
  for (std::int64_t k = kBegin; k < kEnd; ++k) {
    const std::int64_t i = rows[k];
    prefetchRow(phi, rows, k, kEnd, q, qCols, out, d1);
    std::int64_t p = phi.offsets[i];
    const std::int64_t e = phi.offsets[i + 1];
    if (p == e || phi.indices[e - 1] < lBegin || phi.indices[p] >= lEnd) continue;
    if (phi.indices[p] < lBegin) p = std::lower_bound(phi.indices + p, phi.indices + e, static_cast<std::int32_t>(lBegin)) - phi.indices;
    std::fill(acc, acc + width, 0.0);
    for (; p < e && phi.indices[p] < lEnd; ++p) {
      const double w = static_cast<double>(phi.values[p]);
      const double* __restrict row = S + (static_cast<std::int64_t>(phi.indices[p]) - lBegin) * width;
      double* __restrict a = acc;
      for (Eigen::Index c = 0; c < width; ++c) a[c] += w * row[c];
    }
    const double* qi = q + i * qCols + a0;
    double* __restrict oi = out + i * d1;
    for (Eigen::Index a = 0; a < cc; ++a) {
      const double qa = qi[a];
      const double* __restrict aa = acc + a * d1;
      for (Eigen::Index c = 0; c < d1; ++c) oi[c] += qa * aa[c];
    }
  }
}

// The range p of `parts` consecutive ranges of the columns l (range p = [cols p / parts,
// cols (p + 1) / parts)) that holds column col.
std::int64_t rangeOf(std::int64_t col, std::int64_t cols, std::int64_t parts) {
  std::int64_t p = std::min<std::int64_t>(parts - 1, col * parts / std::max<std::int64_t>(cols, 1));
  while (p > 0 && cols * p / parts > col) --p;
  while (p + 1 < parts && cols * (p + 1) / parts <= col) ++p;
  return p;
}

// The mean number of the `parts` column ranges that a non-empty row's column range [first, last]
// spans (1 when every row stays within one). O(N).
double meanRangesPerRow(const SparseRowsView& phi, std::int64_t cols, std::int64_t parts) {
  std::int64_t spanned = 0, nonEmpty = 0;
  for (std::int64_t j = 0; j < phi.rows; ++j) {
    const std::int64_t b = phi.offsets[j], e = phi.offsets[j + 1];
    if (b == e) continue;
    spanned += rangeOf(phi.indices[e - 1], cols, parts) - rangeOf(phi.indices[b], cols, parts) + 1;
    ++nonEmpty;
  }
  return nonEmpty > 0 ? static_cast<double>(spanned) / static_cast<double>(nonEmpty) : 1.0;
}

// Lists, for each of the `parts` column ranges, the rows of phi whose column range [first, last]
// meets it, in the visiting order (ord, or id order when null). A row goes to every range its
// columns span: one or two on graphs with local node ids.
std::vector<std::vector<std::int32_t>> rowsMeetingRanges(const SparseRowsView& phi, std::int64_t cols,
                                                         std::int64_t parts, const std::int32_t* ord) {
  const std::int64_t rows = phi.rows;
  std::vector<std::int32_t> first(static_cast<std::size_t>(rows), 0), last(static_cast<std::size_t>(rows), -1);
  std::vector<std::int64_t> counts(static_cast<std::size_t>(parts), 0);
  for (std::int64_t j = 0; j < rows; ++j) {
    const std::int64_t b = phi.offsets[j], e = phi.offsets[j + 1];
    if (b == e) continue;
    first[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(rangeOf(phi.indices[b], cols, parts));
    last[static_cast<std::size_t>(j)] = static_cast<std::int32_t>(rangeOf(phi.indices[e - 1], cols, parts));
    for (std::int32_t p = first[static_cast<std::size_t>(j)]; p <= last[static_cast<std::size_t>(j)]; ++p) ++counts[static_cast<std::size_t>(p)];
  }
  std::vector<std::vector<std::int32_t>> lists(static_cast<std::size_t>(parts));
  for (std::int64_t p = 0; p < parts; ++p) lists[static_cast<std::size_t>(p)].reserve(static_cast<std::size_t>(counts[static_cast<std::size_t>(p)]));
  for (std::int64_t k = 0; k < rows; ++k) {
    const std::int64_t j = ord ? ord[k] : k;
    for (std::int32_t p = first[static_cast<std::size_t>(j)]; p <= last[static_cast<std::size_t>(j)]; ++p)
      lists[static_cast<std::size_t>(p)].push_back(static_cast<std::int32_t>(j));
  }
  return lists;
}

// out (N x d1, row-major) = sum over feature chunks of the two-phase product
//   out_i = sum_a q[i, a] sum_l PhiGather[i, l] sum_j PhiScatter[j, l] T_j[a, :].
// The columns l are processed in blocks of at most kBlockBytes of S each (a block size that depends
// on N and the width only, not on the threads): scatter S for the block, then add the block's part of
// every row's gather. S is then one block, reused, instead of N rows (2.2 GB at N = 2^20 with 16
// features of width 17), so all features go in one pass over Phi. On graphs whose node ids are not
// local (a row's columns span many blocks) one block covers all columns and `chunk` features (the
// automatic choice, or AttentionOptions::featureChunk when `chunkGiven`) go per pass.
// Within a block the scatter is split into 4 x threads column ranges; each S_l sums its rows in the
// visiting order and each row's gather runs over its columns in order, so the result does not depend
// on the number of threads.
RowMatrixXd twoPhaseProduct(const SparseRowsView& scatterPhi, const ScatterSource& source,
                            const SparseRowsView& gatherPhi, const RowMatrixXd& q, int chunk, bool chunkGiven,
                            int threads, const std::vector<std::int32_t>& order, std::int64_t blockColumns,
                            Progress* progress) {
  const std::int32_t* ord = order.empty() ? nullptr : order.data();
  const std::int64_t n = gatherPhi.rows;
  const std::int64_t l = scatterPhi.cols;
  const Eigen::Index m = q.cols();
  const Eigen::Index d1 = source.values ? source.dv + 1 : 1;
  const int workers = resolveThreads(threads);
  constexpr std::int64_t kBlockBytes = std::int64_t{64} << 20;
  auto blockCount = [&](int features) {
    const std::int64_t rowsPerBlock =
        blockColumns > 0 ? blockColumns
                         : std::max<std::int64_t>(4096, kBlockBytes / (features * d1 * static_cast<std::int64_t>(sizeof(double))));
    return std::max<std::int64_t>(1, (l + rowsPerBlock - 1) / rowsPerBlock);
  };
  // All m features in one pass when S fits one block, or when the rows' columns are local enough for
  // blocks (each row in at most two on average): one pass over Phi instead of m / chunk. Otherwise
  // the given chunk, in blocks if local, else in one block of N rows.
  auto local = [&](std::int64_t b) { return b == 1 || blockColumns > 0 || meanRangesPerRow(gatherPhi, l, b) <= 2.0; };
  std::int64_t blocks = blockCount(static_cast<int>(m));
  if (!chunkGiven && local(blocks)) {
    chunk = static_cast<int>(m);
  } else {
    blocks = blockCount(chunk);
    if (!local(blocks)) blocks = 1;  // columns spread over many blocks: one block
  }
  const std::vector<std::vector<std::int32_t>> gatherLists = rowsMeetingRanges(gatherPhi, l, blocks, ord);
  const Eigen::Index maxWidth = chunk * d1;
  // Small problems run on the caller: starting threads would cost more than the work.
  const bool small = scatterPhi.nonZeros() * chunk * d1 < (std::int64_t{1} << 20);
  const std::int64_t tasksPerBlock = small ? 1 : std::max<std::int64_t>(1, 4 * workers);
  // Scatter task t of block b covers columns [l s / S, l (s + 1) / S) with s = b tasksPerBlock + t.
  const std::int64_t ranges = blocks * tasksPerBlock;
  const std::vector<std::vector<std::int32_t>> scatterLists = rowsMeetingRanges(scatterPhi, l, ranges, ord);
  auto rangeBegin = [&](std::int64_t r) { return l * r / ranges; };

  RowMatrixXd out(n, d1);
  adviseHugePages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(double));  // rows visited out of order
  out.setZero();
  std::int64_t blockRows = 0;
  for (std::int64_t b = 0; b < blocks; ++b)
    blockRows = std::max(blockRows, rangeBegin((b + 1) * tasksPerBlock) - rangeBegin(b * tasksPerBlock));
  // One block of S (uninitialised: each scatter range zeroes its rows; huge pages when large).
  LargeVector<double> S(static_cast<std::size_t>(std::max<std::int64_t>(blockRows, 1) * maxWidth));
  const Eigen::Index chunks = (m + chunk - 1) / chunk;
  for (Eigen::Index k = 0; k < chunks; ++k) {
    const Eigen::Index a0 = k * chunk;
    const Eigen::Index cc = std::min<Eigen::Index>(chunk, m - a0);
    const Eigen::Index width = cc * d1;
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t lBegin = rangeBegin(b * tasksPerBlock), lEnd = rangeBegin((b + 1) * tasksPerBlock);
      parallelFor(0, tasksPerBlock, [&](std::int64_t lo, std::int64_t hi) {
        std::vector<double> t(static_cast<std::size_t>(width));
        for (std::int64_t task = lo; task < hi; ++task) {
          const std::int64_t r = b * tasksPerBlock + task;
          const std::vector<std::int32_t>& rowList = scatterLists[static_cast<std::size_t>(r)];
          scatterRange(scatterPhi, rangeBegin(r), rangeBegin(r + 1), source, a0, cc, S.data(), lBegin, width,
                       t.data(), rowList.data(), static_cast<std::int64_t>(rowList.size()));
        }
      }, threads, 1);
      const std::vector<std::int32_t>& rows = gatherLists[static_cast<std::size_t>(b)];
      parallelFor(0, static_cast<std::int64_t>(rows.size()), [&](std::int64_t lo, std::int64_t hi) {
        std::vector<double> acc(static_cast<std::size_t>(width));
        gatherRows(gatherPhi, rows.data(), lo, hi, lBegin, lEnd, S.data(), width, q.data(), m, a0, cc, d1,
                   out.data(), acc.data());
      }, threads, 512);
      reportProgress(progress, (static_cast<double>(k * blocks + b) + 1.0) / static_cast<double>(chunks * blocks));
    }
  }
  return out;
}

// Visiting order of the nodes of a width-W grid (empty = id order): 16 x 16 tiles, the tiles in
// Morton (Z-curve) order. Neighbouring rows of Phi touch nearby rows of S, and the Z-curve comes back
// to the tiles above and left of the current one after a few tiles, not after a whole row of tiles,
// so the window of S in use stays a few hundred KB at any N (row-major tiles need ~40 grid rows of
// S, 20 MB at width 1024).
std::vector<std::int32_t> tileOrder(std::int64_t n, int gridWidth) {
  std::vector<std::int32_t> order;
  if (gridWidth <= 0 || n <= 0 || n % gridWidth != 0) return order;
  constexpr std::int64_t kTile = 16;
  const std::int64_t w = gridWidth, h = n / gridWidth;
  const std::int64_t tilesX = (w + kTile - 1) / kTile, tilesY = (h + kTile - 1) / kTile;
  // Tiles sorted by the interleaved bits of (tx, ty).
  auto spread = [](std::uint64_t v) {
    v &= 0xffffffffULL;
    v = (v | (v << 16)) & 0x0000ffff0000ffffULL;
    v = (v | (v << 8)) & 0x00ff00ff00ff00ffULL;
    v = (v | (v << 4)) & 0x0f0f0f0f0f0f0f0fULL;
    v = (v | (v << 2)) & 0x3333333333333333ULL;
    v = (v | (v << 1)) & 0x5555555555555555ULL;
    return v;
  };
  std::vector<std::pair<std::uint64_t, std::int64_t>> tiles;
  tiles.reserve(static_cast<std::size_t>(tilesX * tilesY));
  for (std::int64_t ty = 0; ty < tilesY; ++ty)
    for (std::int64_t tx = 0; tx < tilesX; ++tx)
      tiles.emplace_back(spread(static_cast<std::uint64_t>(tx)) | (spread(static_cast<std::uint64_t>(ty)) << 1), ty * tilesX + tx);
  std::sort(tiles.begin(), tiles.end());
  order.reserve(static_cast<std::size_t>(n));
  for (const auto& [key, tile] : tiles) {
    const std::int64_t tx = tile % tilesX * kTile, ty = tile / tilesX * kTile;
    for (std::int64_t y = ty; y < std::min(h, ty + kTile); ++y)
      for (std::int64_t x = tx; x < std::min(w, tx + kTile); ++x) order.push_back(static_cast<std::int32_t>(y * w + x));
  }
  return order;
}

void checkView(const SparseRowsView& v, std::int64_t n, const char* name) {
  if (v.rows != n || v.cols < 0 || (v.rows > 0 && (!v.offsets || (v.nonZeros() > 0 && (!v.indices || !v.values)))))
    throw usageError(std::string("GRF-masked attention: ") + name + " must have N = " + std::to_string(n) + " rows");
}

}  // namespace

AttentionOutput exactMaskedAttention(const AttentionInputs& in, const BlockOperator& applyMask,
                                     const AttentionOptions& o, Progress* progress,
                                     const BlockOperator& applyTranspose) {
  detail::Stopwatch clock;
  checkLinearInputs(in, o, "exact masked attention");
  if (!applyMask) throw usageError("exact masked attention: no mask operator given");
  const Eigen::Index n = in.size();
  const Eigen::Index m = in.phiK.cols();
  const Eigen::Index dv = in.values.cols();
  const Eigen::Index d1 = dv + 1;
  const int chunk = chunkFeatures(o, n, m, d1);
  RowMatrixXd numz = RowMatrixXd::Zero(n, d1);
  const Eigen::Index chunks = (m + chunk - 1) / chunk;
  for (Eigen::Index k = 0; k < chunks; ++k) {
    const Eigen::Index a0 = k * chunk;
    const Eigen::Index cc = std::min<Eigen::Index>(chunk, m - a0);
    RowMatrixXd t(n, cc * d1);
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t j = lo; j < hi; ++j)
        for (Eigen::Index a = 0; a < cc; ++a) {
          const double w = in.phiK(j, a0 + a);
          for (Eigen::Index c = 0; c < dv; ++c) t(j, a * d1 + c) = w * in.values(j, c);
          t(j, a * d1 + dv) = w;
        }
    }, o.threads, 4096);
    const RowMatrixXd y = applyMask(t);
    if (y.rows() != n || y.cols() != t.cols())
      throw usageError("exact masked attention: the mask operator returned a block of the wrong shape");
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i)
        for (Eigen::Index a = 0; a < cc; ++a) {
          const double q = in.phiQ(i, a0 + a);
          for (Eigen::Index c = 0; c < d1; ++c) numz(i, c) += q * y(i, a * d1 + c);
        }
    }, o.threads, 4096);
    reportProgress(progress, (k + 1.0) / static_cast<double>(chunks + (o.received ? 1 : 0)));
  }
  AttentionOutput result;
  const Eigen::VectorXd z = numz.col(dv);
  detail::finishFeatureMap(result, numz.leftCols(dv), z, o.guard);
  if (o.received) {
    // received_j = phi(k_j) . [M^T R]_j with R_i = phi(q_i) / z_i.
    const Eigen::VectorXd r = detail::guardedInverse(z, result.floor);
    const RowMatrixXd rq = in.phiQ.array().colwise() * r.array();
    const RowMatrixXd y = applyTranspose ? applyTranspose(rq) : applyMask(rq);
    result.received = (in.phiK.array() * y.array()).rowwise().sum();
  }
  result.seconds = clock.seconds();
  return result;
}

AttentionOutput exactMaskedAttention(const AttentionInputs& in, const MaskOperator& mask,
                                     const AttentionOptions& options, Progress* progress) {
  if (mask.graph().nodeCount() != in.size())
    throw usageError("exact masked attention: the mask has " + std::to_string(mask.graph().nodeCount()) +
                     " nodes, the tokens " + std::to_string(in.size()));
  const BlockOperator apply = [&](const RowMatrixXd& x) { return mask.apply(x); };
  const BlockOperator transposed = [&](const RowMatrixXd& x) { return mask.applyTransposed(x); };
  return exactMaskedAttention(in, apply, options, progress, transposed);
}

SparseRowsView viewOf(const SparseFeatures& f) {
  SparseRowsView v;
  v.rows = f.rows;
  v.cols = f.cols;
  v.offsets = f.offsets.data();
  v.indices = f.indices.data();
  v.values = f.values.data();
  return v;
}

AttentionOutput grfMaskedAttention(const AttentionInputs& in, const GrfFeatures& features,
                                   const AttentionOptions& options, Progress* progress) {
  return grfMaskedAttention(in, viewOf(features.query()), viewOf(features.key()), options, progress);
}

AttentionOutput grfMaskedAttention(const AttentionInputs& in, const SparseRowsView& phiQ,
                                   const SparseRowsView& phiK, const AttentionOptions& o, Progress* progress) {
  detail::Stopwatch clock;
  checkLinearInputs(in, o, "GRF-masked attention");
  const Eigen::Index n = in.size();
  checkView(phiQ, n, "Phi_Q");
  checkView(phiK, n, "Phi_K");
  if (phiQ.cols != phiK.cols) throw usageError("GRF-masked attention: Phi_Q and Phi_K must have the same columns");
  const Eigen::Index dv = in.values.cols();
  const int chunk = chunkFeatures(o, n, in.phiK.cols(), dv + 1);
  ScatterSource source{in.phiK.data(), in.phiK.cols(), in.values.data(), dv};
  const std::vector<std::int32_t> order = tileOrder(n, o.gridWidth);
  const RowMatrixXd numz = twoPhaseProduct(phiK, source, phiQ, in.phiQ, chunk, o.featureChunk > 0, o.threads, order, o.grfBlockColumns, progress);
  AttentionOutput result;
  const Eigen::VectorXd z = numz.col(dv);
  detail::finishFeatureMap(result, numz.leftCols(dv), z, o.guard);
  if (o.received) {
    // received_j = phi(k_j) . sum_l Phi_K[j,l] P_l with P_l = sum_i Phi_Q[i,l] phi(q_i) / z_i.
    const Eigen::VectorXd r = detail::guardedInverse(z, result.floor);
    const RowMatrixXd rq = in.phiQ.array().colwise() * r.array();
    ScatterSource rs{rq.data(), rq.cols(), nullptr, 0};
    const Eigen::Index m = rq.cols();
    const RowMatrixXd rec = twoPhaseProduct(phiQ, rs, phiK, in.phiK, static_cast<int>(m), true, o.threads, order, o.grfBlockColumns, nullptr);
    result.received = rec.col(0);
  }
  result.seconds = clock.seconds();
  return result;
}

namespace {

// M_hat = Phi_Q Phi_K^T through the transpose (CSC) of Phi_Q, one column at a time (the result is
// column-major): column j accumulates Phi_K[j,l] Phi_Q[i,l] over the columns l of row j of Phi_K and
// the rows i of column l of Phi_Q. O(N nnz_row nnz_col + N^2).
template <typename Scalar>
Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> denseEstimate(const SparseRowsView& phiQ,
                                                                   const SparseRowsView& phiK, int threads) {
  const std::int64_t n = phiQ.rows;
  if (phiK.rows != n || phiQ.cols != phiK.cols) throw usageError("grfDenseEstimate: Phi_Q and Phi_K differ in shape");
  const std::int64_t cols = phiQ.cols;
  std::vector<std::int64_t> colStart(static_cast<std::size_t>(cols + 1), 0);
  for (std::int64_t p = 0; p < phiQ.nonZeros(); ++p) ++colStart[static_cast<std::size_t>(phiQ.indices[p] + 1)];
  for (std::int64_t c = 0; c < cols; ++c) colStart[c + 1] += colStart[c];
  std::vector<std::int64_t> fill(colStart.begin(), colStart.end() - 1);
  std::vector<std::int32_t> rowOf(static_cast<std::size_t>(phiQ.nonZeros()));
  std::vector<double> valOf(static_cast<std::size_t>(phiQ.nonZeros()));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t p = phiQ.offsets[i]; p < phiQ.offsets[i + 1]; ++p) {
      const std::int64_t slot = fill[static_cast<std::size_t>(phiQ.indices[p])]++;
      rowOf[static_cast<std::size_t>(slot)] = static_cast<std::int32_t>(i);
      valOf[static_cast<std::size_t>(slot)] = phiQ.values[p];
    }
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic> m(n, n);
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    std::vector<double> col(static_cast<std::size_t>(n));
    for (std::int64_t j = lo; j < hi; ++j) {
      std::fill(col.begin(), col.end(), 0.0);
      for (std::int64_t p = phiK.offsets[j]; p < phiK.offsets[j + 1]; ++p) {
        const double w = phiK.values[p];
        const std::int64_t l = phiK.indices[p];
        for (std::int64_t s = colStart[l]; s < colStart[l + 1]; ++s) col[rowOf[s]] += valOf[s] * w;
      }
      Scalar* out = m.data() + j * n;
      for (std::int64_t i = 0; i < n; ++i) out[i] = static_cast<Scalar>(col[i]);
    }
  }, threads, 16);
  return m;
}

}  // namespace

Eigen::MatrixXd grfDenseEstimate(const SparseRowsView& phiQ, const SparseRowsView& phiK, int threads) {
  return denseEstimate<double>(phiQ, phiK, threads);
}

Eigen::MatrixXf grfDenseEstimateFloat(const SparseRowsView& phiQ, const SparseRowsView& phiK, int threads) {
  return denseEstimate<float>(phiQ, phiK, threads);
}

Eigen::VectorXd grfMaskRow(const SparseRowsView& phiQ, const SparseRowsView& phiK, std::int64_t i) {
  const std::int64_t n = phiQ.rows;
  if (i < 0 || i >= n) throw usageError("query node " + std::to_string(i) + " is out of range");
  std::vector<double> dense(static_cast<std::size_t>(phiQ.cols), 0.0);
  for (std::int64_t p = phiQ.offsets[i]; p < phiQ.offsets[i + 1]; ++p) dense[phiQ.indices[p]] = phiQ.values[p];
  Eigen::VectorXd row(phiK.rows);
  for (std::int64_t j = 0; j < phiK.rows; ++j) {
    double s = 0;
    for (std::int64_t p = phiK.offsets[j]; p < phiK.offsets[j + 1]; ++p)
      s += dense[phiK.indices[p]] * static_cast<double>(phiK.values[p]);
    row(j) = s;
  }
  return row;
}

}  // namespace topomask
