// Masked linear attention: exact by propagation (M T through a block operator) and with graph random
// features in O(N) (S_l = sum_j Phi_K[j,l] T_j, out_i = sum_l Phi_Q[i,l] phi(q_i)^T S_l).
#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <utility>
#include <vector>

#include "attention/guard.h"
#include "topomask/attention/attention.h"
#include "topomask/core/error.h"
#include "topomask/core/large_vector.h"
#include "topomask/core/parallel.h"

// The two hot loops are compiled for AVX2/FMA as well as the baseline, chosen at run time (one
// version in sanitizer builds, which test correctness and compile three times slower otherwise).
#if defined(__GNUC__) && defined(__x86_64__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define TOPOMASK_HOT __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
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

// Source rows of a scatter: T_j = src[j, a0 : a0 + cc] (x) [v_j, 1] when values != nullptr (d1 = dv + 1
// columns), else T_j = src[j, a0 : a0 + cc] (d1 = 1).
struct ScatterSource {
  const double* src = nullptr;  // N x srcCols, row-major
  Eigen::Index srcCols = 0;
  const double* values = nullptr;  // N x dv, row-major, or nullptr
  Eigen::Index dv = 0;
};

// The two hot loops work on 8 features of phi at a time (one 512-bit register of doubles; GCC's vector
// extension, lowered to narrower registers by the AVX2 and baseline clones). One column S_l of the
// product is stored as lane groups g = 0 .. G-1, each d1 rows of 8 lanes: S_l[g][c][lane] holds
// sum_j Phi[j,l] src[j, a0 + 8 g + lane] [v_j, 1][c]. Lanes past the chunk's features hold zeros.
using Lanes = double __attribute__((vector_size(64)));
constexpr int kLanes = 8;
// Columns c of [v, 1] per register block: the accumulators of one pass stay in registers (32 vector
// registers with AVX-512); wider d1 is split into nearly equal blocks of at most this many.
constexpr int kMaxColumnBlock = 24;

// v = p[0 .. count), zero-padded to 8 lanes.
inline void loadLanes(Lanes& v, const double* p, int count) {
  if (count == kLanes) {
    std::memcpy(&v, p, sizeof(Lanes));
  } else {
    v = Lanes{};
    std::memcpy(&v, p, static_cast<std::size_t>(count) * sizeof(double));
  }
}

// Sum of the 8 lanes, in a fixed order.
inline double sumLanes(const Lanes& v) { return ((v[0] + v[4]) + (v[2] + v[6])) + ((v[1] + v[5]) + (v[3] + v[7])); }

// One entry of a column of phi: its row and value.
struct ColumnEntry {
  std::int32_t row;
  float value;
};

// One column block c0 .. c0 + CB of one lane group of S_l from the column's entries (rows j_e, values
// w_e, in the visiting order): dst[c][lane] = sum_e w_e src[j_e, lane] [v_j_e, 1][c0 + c]. The last
// column of [v, 1] (the normaliser's ones) is in the block when kOne.
template <int CB, bool kOne>
[[gnu::always_inline]] inline void scatterColumn(const ColumnEntry* entries, std::int64_t count,
                                                 const double* src, Eigen::Index srcCols, int lanes,
                                                 const double* values, Eigen::Index dv, double* dst) {
  Lanes acc[CB];
#pragma GCC unroll 24
  for (int c = 0; c < CB; ++c) acc[c] = Lanes{};
  for (std::int64_t e = 0; e < count; ++e) {
    const std::int64_t j = entries[e].row;
    Lanes u;
    loadLanes(u, src + j * srcCols, lanes);
    u *= static_cast<double>(entries[e].value);
    const double* vj = values + j * dv;
#pragma GCC unroll 24
    for (int c = 0; c < CB - (kOne ? 1 : 0); ++c) acc[c] += u * vj[c];
    if constexpr (kOne) acc[CB - 1] += u;
  }
#pragma GCC unroll 24
  for (int c = 0; c < CB; ++c) std::memcpy(dst + c * kLanes, &acc[c], sizeof(Lanes));
}

// Scatter of the columns [lBegin, lEnd) (a sub-range of the block starting at lOrigin) for column
// block c0 .. c0 + CB: the entries of these columns are first collected column by column from the rows
// that may meet the range (`rows`, in the visiting order), so each S_l is summed in registers and
// written once, in the visiting order of its rows.
template <int CB, bool kOne>
[[gnu::always_inline]] inline void scatterColumnsT(std::int64_t lBegin, std::int64_t lEnd,
                                                   const std::int64_t* start, const ColumnEntry* entries,
                                                   const ScatterSource& s, Eigen::Index a0,
                                                   Eigen::Index cc, Eigen::Index c0, Eigen::Index d1, double* S,
                                                   std::int64_t lOrigin, Eigen::Index colStride) {
  const Eigen::Index groups = (cc + kLanes - 1) / kLanes;
  for (std::int64_t l = lBegin; l < lEnd; ++l) {
    const std::int64_t b = start[l - lBegin], count = start[l - lBegin + 1] - b;
    double* col = S + (l - lOrigin) * colStride;
    for (Eigen::Index g = 0; g < groups; ++g) {
      const int lanes = static_cast<int>(std::min<Eigen::Index>(kLanes, cc - g * kLanes));
      scatterColumn<CB, kOne>(entries + b, count, s.src + a0 + g * kLanes, s.srcCols, lanes,
                              s.values ? s.values + c0 : nullptr, s.dv, col + (g * d1 + c0) * kLanes);
    }
  }
}

// For each row i = rows[k], k in [kBegin, kEnd), with its entries [from[k], to[k]) in the block
// starting at column lOrigin, for lane group g and column block c0 .. c0 + CB:
//   out[i, c0 + c] += sum_lane q[i, a0 + 8 g + lane] sum_p phi[i, l_p] S_{l_p}[g][c0 + c][lane].
template <int CB>
[[gnu::always_inline]] inline void gatherRowsT(const SparseRowsView& phi, const std::int32_t* rows,
                                               const std::int64_t* from, const std::int64_t* to, std::int64_t kBegin,
                                               std::int64_t kEnd, const double* S, std::int64_t lOrigin,
                                               Eigen::Index colStride, const double* q, Eigen::Index qCols,
                                               Eigen::Index a0, Eigen::Index cc, Eigen::Index g, Eigen::Index c0,
                                               Eigen::Index d1, double* out) {
  const int lanes = static_cast<int>(std::min<Eigen::Index>(kLanes, cc - g * kLanes));
  const double* base = S + (g * d1 + c0) * kLanes - lOrigin * colStride;
  for (std::int64_t k = kBegin; k < kEnd; ++k) {
    const std::int64_t i = rows[k];
    Lanes acc[CB];
#pragma GCC unroll 24
    for (int c = 0; c < CB; ++c) acc[c] = Lanes{};
    for (std::int64_t p = from[k]; p < to[k]; ++p) {
      const double w = static_cast<double>(phi.values[p]);
      const double* col = base + static_cast<std::int64_t>(phi.indices[p]) * colStride;
#pragma GCC unroll 24
      for (int c = 0; c < CB; ++c) {
        Lanes sv;
        std::memcpy(&sv, col + c * kLanes, sizeof(Lanes));
        acc[c] += w * sv;
      }
    }
    Lanes qv;
    loadLanes(qv, q + i * qCols + a0 + g * kLanes, lanes);
    double* oi = out + (k - kBegin) * d1 + c0;
#pragma GCC unroll 24
    for (int c = 0; c < CB; ++c) oi[c] += sumLanes(acc[c] * qv);
  }
}

// The instantiations for column blocks of 1 .. kMaxColumnBlock columns, called through a switch in
// each clone of the two entry points below (the templates are inlined into each clone, so each gets
// the clone's instruction set).
#define TOPOMASK_COLUMN_BLOCKS(X)                                                                         \
  X(1) X(2) X(3) X(4) X(5) X(6) X(7) X(8) X(9) X(10) X(11) X(12) X(13) X(14) X(15) X(16) X(17) X(18) X(19) \
  X(20) X(21) X(22) X(23) X(24)
static_assert(kMaxColumnBlock == 24, "TOPOMASK_COLUMN_BLOCKS lists 1 .. kMaxColumnBlock");

TOPOMASK_HOT void scatterColumns(int cb, bool one, std::int64_t lBegin, std::int64_t lEnd,
                                 const std::int64_t* start, const ColumnEntry* entries,
                                 const ScatterSource& s, Eigen::Index a0, Eigen::Index cc, Eigen::Index c0,
                                 Eigen::Index d1, double* S, std::int64_t lOrigin, Eigen::Index colStride) {
  switch (cb) {
#define TOPOMASK_SCATTER_CASE(k)                                                                              \
  case k:                                                                                                     \
    if (one)                                                                                                  \
      scatterColumnsT<k, true>(lBegin, lEnd, start, entries, s, a0, cc, c0, d1, S, lOrigin, colStride);  \
    else                                                                                                      \
      scatterColumnsT<k, false>(lBegin, lEnd, start, entries, s, a0, cc, c0, d1, S, lOrigin, colStride); \
    break;
    TOPOMASK_COLUMN_BLOCKS(TOPOMASK_SCATTER_CASE)
#undef TOPOMASK_SCATTER_CASE
    default: break;
  }
}

TOPOMASK_HOT void gatherRows(int cb, const SparseRowsView& phi, const std::int32_t* rows, const std::int64_t* from,
                             const std::int64_t* to, std::int64_t kBegin, std::int64_t kEnd, const double* S,
                             std::int64_t lOrigin, Eigen::Index colStride, const double* q, Eigen::Index qCols,
                             Eigen::Index a0, Eigen::Index cc, Eigen::Index g, Eigen::Index c0, Eigen::Index d1,
                             double* out) {
  switch (cb) {
#define TOPOMASK_GATHER_CASE(k)                                                                                 \
  case k:                                                                                                       \
    gatherRowsT<k>(phi, rows, from, to, kBegin, kEnd, S, lOrigin, colStride, q, qCols, a0, cc, g, c0, d1, out); \
    break;
    TOPOMASK_COLUMN_BLOCKS(TOPOMASK_GATHER_CASE)
#undef TOPOMASK_GATHER_CASE
    default: break;
  }
}
#undef TOPOMASK_COLUMN_BLOCKS

// The entries [first, second) of row j of phi whose columns lie in [lBegin, lEnd) (a row's columns
// are sorted).
inline std::pair<std::int64_t, std::int64_t> entriesIn(const SparseRowsView& phi, std::int64_t j, std::int64_t lBegin,
                                                       std::int64_t lEnd) {
  const std::int64_t e = phi.offsets[j + 1];
  std::int64_t p = phi.offsets[j];
  if (p < e && phi.indices[p] < lBegin)
    p = std::lower_bound(phi.indices + p, phi.indices + e, static_cast<std::int32_t>(lBegin)) - phi.indices;
  std::int64_t q = p;
  while (q < e && phi.indices[q] < lEnd) ++q;
  return {p, q};
}

// The entries of the columns [lBegin, lEnd) of phi, column by column (a transpose of that part of
// phi): column l's entries are entries()[start()[l - lBegin] .. start()[l - lBegin + 1]), in the order
// of `rows` (the rows that may meet the range, in the visiting order). Built in `parts` contiguous
// parts of `rows`, which the threads take as they go: part p's entries of a column follow those of
// parts < p, so the order does not depend on the number of parts or threads.
class ColumnEntries {
 public:
  void build(const SparseRowsView& phi, std::int64_t lBegin, std::int64_t lEnd, const std::int32_t* rows,
             std::int64_t count, int parts, int threads) {
    const std::int64_t cols = lEnd - lBegin;
    parts = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(parts, count)));
    from_.resize(static_cast<std::size_t>(count));
    to_.resize(static_cast<std::size_t>(count));
    counts_.assign(static_cast<std::size_t>(parts * (cols + 1)), 0);
    auto partBegin = [&](std::int64_t p) { return count * p / parts; };
    // Each listed row's entries in the range, and their count per column and part.
    parallelForDynamic(0, parts, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t part = lo; part < hi; ++part) {
        std::int64_t* cnt = counts_.data() + part * (cols + 1);
        for (std::int64_t k = partBegin(part); k < partBegin(part + 1); ++k) {
          const auto [p0, p1] = entriesIn(phi, rows[k], lBegin, lEnd);
          from_[static_cast<std::size_t>(k)] = p0;
          to_[static_cast<std::size_t>(k)] = p1;
          for (std::int64_t p = p0; p < p1; ++p) ++cnt[phi.indices[p] - lBegin];
        }
      }
    }, threads, 1);
    // Column starts, and each part's first slot in every column.
    start_.resize(static_cast<std::size_t>(cols + 1));
    std::int64_t total = 0;
    for (std::int64_t c = 0; c < cols; ++c) {
      start_[static_cast<std::size_t>(c)] = total;
      for (std::int64_t part = 0; part < parts; ++part) {
        std::int64_t& cnt = counts_[static_cast<std::size_t>(part * (cols + 1) + c)];
        const std::int64_t n = cnt;
        cnt = total;
        total += n;
      }
    }
    start_[static_cast<std::size_t>(cols)] = total;
    if (entries_.size() < static_cast<std::size_t>(total)) entries_.resize(static_cast<std::size_t>(total));
    parallelForDynamic(0, parts, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t part = lo; part < hi; ++part) {
        std::int64_t* slot = counts_.data() + part * (cols + 1);
        for (std::int64_t k = partBegin(part); k < partBegin(part + 1); ++k) {
          const std::int32_t j = rows[k];
          for (std::int64_t p = from_[static_cast<std::size_t>(k)]; p < to_[static_cast<std::size_t>(k)]; ++p) {
            const std::int64_t s = slot[phi.indices[p] - lBegin]++;
            entries_[static_cast<std::size_t>(s)] = ColumnEntry{j, phi.values[p]};
          }
        }
      }
    }, threads, 1);
  }
  const std::int64_t* start() const { return start_.data(); }
  const ColumnEntry* entries() const { return entries_.data(); }
  // Each listed row's entries in the range: [from()[k], to()[k]).
  const std::vector<std::int64_t>& from() const { return from_; }
  const std::vector<std::int64_t>& to() const { return to_; }

 private:
  std::vector<std::int64_t> from_, to_, counts_, start_;
  LargeVector<ColumnEntry> entries_;
};

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

// For each of the `parts` column ranges, the rows of phi whose column range [first, last] meets it,
// in the visiting order (ord, or id order when null): range p's rows are rows[start[p] ..
// start[p + 1]). A row goes to every range its columns span: one or two on graphs with local node
// ids. Built by the threads in contiguous parts of the visiting order (each part's rows of a range
// follow those of the parts before it, so the lists do not depend on the threads).
struct RowLists {
  std::vector<std::int64_t> start;
  LargeVector<std::int32_t> rows;
  const std::int32_t* of(std::int64_t p) const { return rows.data() + start[static_cast<std::size_t>(p)]; }
  std::int64_t size(std::int64_t p) const {
    return start[static_cast<std::size_t>(p + 1)] - start[static_cast<std::size_t>(p)];
  }
};

RowLists rowsMeetingRanges(const SparseRowsView& phi, std::int64_t cols, std::int64_t parts, const std::int32_t* ord,
                           int threads) {
  const std::int64_t n = phi.rows;
  LargeVector<std::int32_t> first(static_cast<std::size_t>(n)), last(static_cast<std::size_t>(n));
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t j = lo; j < hi; ++j) {
      const std::int64_t b = phi.offsets[j], e = phi.offsets[j + 1];
      first[static_cast<std::size_t>(j)] = b == e ? 0 : static_cast<std::int32_t>(rangeOf(phi.indices[b], cols, parts));
      last[static_cast<std::size_t>(j)] =
          b == e ? -1 : static_cast<std::int32_t>(rangeOf(phi.indices[e - 1], cols, parts));
    }
  }, threads, 1 << 14);
  const std::int64_t pieces = std::max<std::int64_t>(1, std::min<std::int64_t>(4 * resolveThreads(threads), n >> 14));
  auto pieceBegin = [&](std::int64_t q) { return n * q / pieces; };
  auto visit = [&](std::int64_t q, auto&& f) {
    for (std::int64_t k = pieceBegin(q); k < pieceBegin(q + 1); ++k) {
      const std::int64_t j = ord ? ord[k] : k;
      for (std::int32_t p = first[static_cast<std::size_t>(j)]; p <= last[static_cast<std::size_t>(j)]; ++p) f(p, j);
    }
  };
  // counts[q parts + p]: rows of piece q in range p; then the slot of piece q's first row in range p.
  std::vector<std::int64_t> counts(static_cast<std::size_t>(pieces * parts), 0);
  parallelForDynamic(0, pieces, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t q = lo; q < hi; ++q)
      visit(q, [&](std::int32_t p, std::int64_t) { ++counts[static_cast<std::size_t>(q * parts + p)]; });
  }, threads, 1);
  RowLists lists;
  lists.start.assign(static_cast<std::size_t>(parts + 1), 0);
  std::int64_t total = 0;
  for (std::int64_t p = 0; p < parts; ++p) {
    lists.start[static_cast<std::size_t>(p)] = total;
    for (std::int64_t q = 0; q < pieces; ++q) {
      std::int64_t& c = counts[static_cast<std::size_t>(q * parts + p)];
      const std::int64_t k = c;
      c = total;
      total += k;
    }
  }
  lists.start[static_cast<std::size_t>(parts)] = total;
  lists.rows.resize(static_cast<std::size_t>(total));
  parallelForDynamic(0, pieces, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t q = lo; q < hi; ++q)
      visit(q, [&](std::int32_t p, std::int64_t j) {
        std::int64_t& slot = counts[static_cast<std::size_t>(q * parts + p)];
        lists.rows[static_cast<std::size_t>(slot++)] = static_cast<std::int32_t>(j);
      });
  }, threads, 1);
  return lists;
}

// out (N x d1, column-major) = sum over feature chunks of the two-phase product
//   out_i = sum_a q[i, a] sum_l PhiGather[i, l] sum_j PhiScatter[j, l] T_j[a, :].
// The columns l are processed in blocks of at most kBlockBytes of S each (a block size that depends
// on N and the widths only, not on the threads): scatter S for the block, then add the block's part
// of every row's gather. S is then one block, reused, instead of N columns (2.2 GB at N = 2^20 with
// 16 features and d1 = 17), so all features go in one pass over Phi. On graphs whose node ids are not
// local (a row's columns span many blocks) one block covers all columns and `chunk` features (the
// automatic choice, or AttentionOptions::featureChunk when `chunkGiven`) go per pass.
// Per block: (1) the block's entries of PhiScatter are collected column by column (ColumnEntries);
// (2) each S_l is summed in registers from its column's entries and written once; (3) the rows that
// meet the block add its part of their gather. Each S_l sums its rows in the visiting order and each
// row's gather runs over its columns in order, so the result does not depend on the number of threads.
Eigen::MatrixXd twoPhaseProduct(const SparseRowsView& scatterPhi, const ScatterSource& source,
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
  // Doubles of one column of S for `features` features: lane groups of 8, d1 columns each.
  auto columnDoubles = [&](Eigen::Index features) { return (features + kLanes - 1) / kLanes * kLanes * d1; };
  auto blockCount = [&](Eigen::Index features) {
    const std::int64_t rowsPerBlock =
        blockColumns > 0 ? blockColumns
                         : std::max<std::int64_t>(4096, kBlockBytes / (columnDoubles(features) * static_cast<std::int64_t>(sizeof(double))));
    return std::max<std::int64_t>(1, (l + rowsPerBlock - 1) / rowsPerBlock);
  };
  // All m features in one pass when S fits one block, or when the rows' columns are local enough for
  // blocks (each row in at most two on average): one pass over Phi instead of m / chunk. Otherwise
  // the given chunk, in blocks if local, else in one block of N rows.
  auto local = [&](std::int64_t b) { return b == 1 || blockColumns > 0 || meanRangesPerRow(gatherPhi, l, b) <= 2.0; };
  std::int64_t blocks = blockCount(m);
  if (!chunkGiven)  // a lane group at least
    chunk = static_cast<int>(std::min<Eigen::Index>(m, std::max<Eigen::Index>(chunk, kLanes)));
  if (!chunkGiven && local(blocks)) {
    chunk = static_cast<int>(m);
  } else {
    blocks = blockCount(chunk);
    if (!local(blocks)) blocks = 1;  // columns spread over many blocks: one block
  }
  // The shared ensemble gathers and scatters through the same Phi: one set of row lists, and the
  // scatter's row ranges serve the gather.
  const bool samePhi = scatterPhi.offsets == gatherPhi.offsets && scatterPhi.indices == gatherPhi.indices &&
                       scatterPhi.rows == gatherPhi.rows;
  RowLists gatherLists;
  if (!samePhi) gatherLists = rowsMeetingRanges(gatherPhi, l, blocks, ord, threads);
  // Small problems run on the caller: starting threads would cost more than the work.
  const bool small = scatterPhi.nonZeros() * chunk * d1 < (std::int64_t{1} << 20);
  const int parallel = small ? 1 : threads;
  const RowLists scatterLists = rowsMeetingRanges(scatterPhi, l, blocks, ord, threads);
  auto blockBegin = [&](std::int64_t b) { return l * b / blocks; };
  // Column blocks of [v, 1]: nearly equal, at most kMaxColumnBlock each.
  const Eigen::Index columnBlocks = (d1 + kMaxColumnBlock - 1) / kMaxColumnBlock;
  auto columnBlockBegin = [&](Eigen::Index k) { return d1 * k / columnBlocks; };
  constexpr std::int64_t kRowGroup = 64;

  // Column-major, so that the caller can drop the last column (z) in place and keep the rest as the
  // output. Not zeroed: a row's first block (with the first chunk) writes it, later ones add to it;
  // only rows without entries are zeroed here.
  Eigen::MatrixXd out(n, d1);
  adviseHugePages(out.data(), static_cast<std::size_t>(out.size()) * sizeof(double));  // rows visited out of order
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i)
      if (gatherPhi.offsets[i] == gatherPhi.offsets[i + 1])
        for (Eigen::Index c = 0; c < d1; ++c) out(i, c) = 0.0;
  }, threads, 1 << 16);
  std::int64_t blockRows = 0;
  for (std::int64_t b = 0; b < blocks; ++b) blockRows = std::max(blockRows, blockBegin(b + 1) - blockBegin(b));
  // One block of S (uninitialised: the scatter writes every column of it; huge pages when large).
  const Eigen::Index colStride = columnDoubles(chunk);
  LargeVector<double> S(static_cast<std::size_t>(std::max<std::int64_t>(blockRows, 1) * colStride));
  // Each gathered row's entries in the current block.
  std::vector<std::int64_t> from, to;
  ColumnEntries entries;
  const Eigen::Index chunks = (m + chunk - 1) / chunk;
  for (Eigen::Index k = 0; k < chunks; ++k) {
    const Eigen::Index a0 = k * chunk;
    const Eigen::Index cc = std::min<Eigen::Index>(chunk, m - a0);
    const Eigen::Index laneGroups = (cc + kLanes - 1) / kLanes;
    for (std::int64_t b = 0; b < blocks; ++b) {
      const std::int64_t lBegin = blockBegin(b), lEnd = blockBegin(b + 1);
      entries.build(scatterPhi, lBegin, lEnd, scatterLists.of(b), scatterLists.size(b), 4 * workers, parallel);
      parallelForDynamic(lBegin, lEnd, [&](std::int64_t lo, std::int64_t hi) {
        for (Eigen::Index cb = 0; cb < columnBlocks; ++cb) {
          const Eigen::Index c0 = columnBlockBegin(cb), c1 = columnBlockBegin(cb + 1);
          scatterColumns(static_cast<int>(c1 - c0), c1 == d1, lo, hi, entries.start() + (lo - lBegin),
                         entries.entries(), source, a0, cc, c0, d1, S.data(), lBegin, colStride);
        }
      }, parallel, 1024);
      const RowLists& lists = samePhi ? scatterLists : gatherLists;
      const std::int32_t* rows = lists.of(b);
      const std::int64_t rowCount = lists.size(b);
      if (!samePhi) {
        from.resize(static_cast<std::size_t>(rowCount));
        to.resize(static_cast<std::size_t>(rowCount));
      }
      const std::int64_t* rowFrom = samePhi ? entries.from().data() : from.data();
      const std::int64_t* rowTo = samePhi ? entries.to().data() : to.data();
      parallelForDynamic(0, rowCount, [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t r = samePhi ? hi : lo; r < hi; ++r) {
          const auto [p0, p1] = entriesIn(gatherPhi, rows[r], lBegin, lEnd);
          from[static_cast<std::size_t>(r)] = p0;
          to[static_cast<std::size_t>(r)] = p1;
        }
        // Rows in groups of kRowGroup, one lane group and column block at a time (the group's columns
        // of S, one lane group, stay in the L2 cache). The group's sums go to `local` (row-major), then
        // once into the column-major out.
        std::vector<double> local(static_cast<std::size_t>(kRowGroup * d1));
        std::array<bool, kRowGroup> first{};  // the row's first block: write, do not add
        for (std::int64_t k0 = lo; k0 < hi; k0 += kRowGroup) {
          const std::int64_t k1 = std::min(hi, k0 + kRowGroup);
          std::fill(local.begin(), local.end(), 0.0);
          for (Eigen::Index g = 0; g < laneGroups; ++g)
            for (Eigen::Index cb = 0; cb < columnBlocks; ++cb) {
              const Eigen::Index c0 = columnBlockBegin(cb), c1 = columnBlockBegin(cb + 1);
              gatherRows(static_cast<int>(c1 - c0), gatherPhi, rows, rowFrom, rowTo, k0, k1, S.data(),
                         lBegin, colStride, q.data(), m, a0, cc, g, c0, d1, local.data());
            }
          for (std::int64_t k = k0; k < k1; ++k) {
            const std::int64_t i = rows[k];
            first[static_cast<std::size_t>(k - k0)] = a0 == 0 && gatherPhi.indices[gatherPhi.offsets[i]] >= lBegin;
          }
          for (Eigen::Index c = 0; c < d1; ++c) {
            double* col = out.data() + c * n;
            for (std::int64_t k = k0; k < k1; ++k) {
              double& o = col[rows[k]];
              const double v = local[static_cast<std::size_t>((k - k0) * d1 + c)];
              o = first[static_cast<std::size_t>(k - k0)] ? v : o + v;
            }
          }
        }
      }, parallel, 16 * kRowGroup);
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
  Eigen::MatrixXd numz = twoPhaseProduct(phiK, source, phiQ, in.phiQ, chunk, o.featureChunk > 0, o.threads, order, o.grfBlockColumns, progress);
  AttentionOutput result;
  detail::finishFeatureMapInPlace(result, std::move(numz), o.guard, o.threads);
  const Eigen::VectorXd& z = result.normaliser;
  if (o.received) {
    // received_j = phi(k_j) . sum_l Phi_K[j,l] P_l with P_l = sum_i Phi_Q[i,l] phi(q_i) / z_i.
    const Eigen::VectorXd r = detail::guardedInverse(z, result.floor);
    const RowMatrixXd rq = in.phiQ.array().colwise() * r.array();
    ScatterSource rs{rq.data(), rq.cols(), nullptr, 0};
    const Eigen::Index m = rq.cols();
    const Eigen::MatrixXd rec = twoPhaseProduct(phiQ, rs, phiK, in.phiK, static_cast<int>(m), true, o.threads, order, o.grfBlockColumns, nullptr);
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
