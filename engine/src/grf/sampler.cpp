#include "topomask/grf/sampler.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <memory>
#include <utility>

#include "grf/walk_kernel.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/large_vector.h"
#include "topomask/core/parallel.h"

namespace topomask {

GrfFeatures::GrfFeatures(SparseFeatures query, SparseFeatures key, bool keyIsQuery)
    : query_(std::move(query)), key_(std::move(key)), keyIsQuery_(keyIsQuery) {}

void validateGrfOptions(const GrfOptions& o) {
  // Error::where() is the parameter's engine name; each front end words it its own way (the
  // command line's flag, the Python keyword, the GUI's slider label).
  auto refuse = [](const char* parameter, const std::string& cause) { throw Error(cause, parameter, Error::Kind::Usage); };
  if (o.walkers < 1 || o.walkers > kMaxWalkers)
    refuse("walkers", "must be between 1 and " + std::to_string(kMaxWalkers) + " (got " + std::to_string(o.walkers) + ")");
  if (o.maxLength < 0 || o.maxLength > kMaxWalkLength)
    refuse("max_length", "the walk length cap must be between 0 (no cap: walks are cut where one survives with "
                         "probability 1e-18) and " + std::to_string(kMaxWalkLength) + " hops (got " +
                         std::to_string(o.maxLength) + ")");
  if (!(o.pHalt >= 0.0 && o.pHalt < 1.0)) refuse("p_halt", "must be in [0, 1) (got " + std::to_string(o.pHalt) + ")");
  if (o.pHalt == 0.0 && o.maxLength == 0)
    refuse("max_length", "walks that never halt (p_halt = 0) need a finite length cap > 0 (fixed-length walks)");
  if (o.sampling == Sampling::Antithetic && o.walkers % 2 != 0)
    refuse("walkers", "antithetic termination pairs the walkers: their number must be even (got " +
                          std::to_string(o.walkers) + ")");
}

GrfCost estimateGrfCost(std::int64_t nodes, const MaskFunction& mask, const GrfOptions& options) {
  validateGrfOptions(options);
  const grf_detail::WalkPlan plan = grf_detail::planWalks(mask, options);
  const double keep = plan.keep;
  // Expected positions visited by one walker: sum_{t=0..L} keep^t (a walk may stop earlier at a node
  // without neighbours, so this is an upper estimate).
  const double visits = keep >= 1.0 ? plan.length + 1.0 : (1.0 - std::pow(keep, plan.length + 1.0)) / (1.0 - keep);
  const double sides = options.ensemble == Ensemble::Independent ? 2.0 : 1.0;  // shared non-symmetric: also 2 (same walks)
  const double n = static_cast<double>(nodes);
  GrfCost cost;
  cost.hops = sides * n * options.walkers * (visits - 1.0);
  const double entriesPerRow = std::min(n, options.walkers * visits);
  cost.bytes = sides * n * (8.0 * entriesPerRow + 8.0);
  return cost;
}

void checkGrfCost(std::int64_t nodes, const MaskFunction& mask, const GrfOptions& options) {
  const GrfCost cost = estimateGrfCost(nodes, mask, options);
  if (!(cost.hops <= kMaxWalkSteps)) {
    char text[160];
    std::snprintf(text, sizeof text, "GRF sampling would take about %.3g walk steps (%d walkers on %lld nodes), more than the limit of %.3g",
                  cost.hops, options.walkers, static_cast<long long>(nodes), kMaxWalkSteps);
    throw usageError(std::string(text) + ": use fewer walkers, a larger p_halt or a shorter length cap");
  }
  requireMemory(cost.bytes, "GRF features of " + std::to_string(nodes) + " nodes with " + std::to_string(options.walkers) + " walkers",
                memoryBudget(options.memoryLimit));
}

namespace {

using namespace grf_detail;

constexpr std::int64_t kBlockNodes = 2048;  // nodes per work block: fixed, so results ignore threads

// Per-thread scratch: the walkers' state; a dense accumulator indexed by node, zero between rows;
// the list of nodes the current row touched; a two-level bitmap that orders them (bit per node, bit
// per non-zero 64-node word; all zero between rows); and the sorted row before it is stored.
struct Scratch {
  Scratch(std::int64_t n, const WalkSetup& w)
      : walk(n, w.walkers, w.sampling == Sampling::Repelling) {
    acc.assign(static_cast<std::size_t>(n) + 1, 0.0);
    acc[static_cast<std::size_t>(n)] = std::numeric_limits<double>::quiet_NaN();  // the sink of Accumulate
    bits.assign(static_cast<std::size_t>(n / 64 + 1), 0);
    summary.assign(static_cast<std::size_t>(n / 4096 + 1), 0);
    // One slot per visit at most (and a spare for the unconditional store of Accumulate), up to a
    // size that grows on demand beyond it (long walks of many walkers).
    const double visits = static_cast<double>(w.walkers) * (w.length + 1.0);
    bounded = visits <= static_cast<double>(1 << 22);
    touched.resize(static_cast<std::size_t>(std::min<double>(visits, 1 << 22)) + 1);
    const auto rowMax = static_cast<std::size_t>(std::min<double>(static_cast<double>(n), visits));
    rowIndices.resize(rowMax);
    rowValues.resize(rowMax);
  }
  WalkState walk;
  LargeVector<double> acc;
  std::vector<std::uint64_t> bits;
  std::vector<std::uint64_t> summary;
  std::vector<std::int32_t> touched;
  bool bounded = true;  // touched holds every visit of a row: no capacity checks
  std::vector<std::int32_t> rowIndices;
  std::vector<float> rowValues;
};

// The visitor of the sampler: adds load * f_t to entry v of the row being built. A node whose
// accumulator held exactly zero is appended to `touched` (the store is unconditional, the count moves
// only for such nodes: no branch on data). A node whose partial sum cancels to exactly zero may be
// listed twice; the bitmap ordering removes repeats. kBounded: `touched` has a slot for every visit
// a row can make (walkers x (length + 1)), so the capacity check is compiled out.
template <bool kBounded>
struct Accumulate {
  double* acc;
  const double* f;
  std::vector<std::int32_t>* list;
  std::int32_t* touched;
  std::int64_t capacity;   // slots in touched, the last one spare
  std::int64_t count = 0;  // int64: cannot alias the int32 stores into touched

  void operator()(int /*walker*/, int t, std::int32_t v, double load) {
    const double old = acc[v];
    acc[v] = old + load * f[t];
    touched[count] = v;
    count += old == 0.0 ? 1 : 0;
    if constexpr (!kBounded) {
      if (count == capacity - 1) [[unlikely]] grow();
    }
  }
  // Step 0: n visits of load 1 at i, summed in the same order as n calls would (acc[i] is 0 here).
  void start(std::int32_t i, int n) {
    double sum = 0.0;
    for (int k = 0; k < n; ++k) sum += f[0];
    (*this)(0, 0, i, 0.0);  // lists i (its accumulator is 0 between rows)
    acc[i] = sum;
  }
  // Halted walkers visit the extra accumulator slot N, which holds NaN: never equal to 0, so never
  // listed, and never emitted.
  std::int32_t sinkNode() const { return sink; }
  std::int32_t sink = 0;
  void grow() {
    list->resize(list->size() * 2);
    touched = list->data();
    capacity = static_cast<std::int64_t>(list->size());
  }
};

// Stores one 4-byte word. Streaming (non-temporal) stores for the features, which are written once
// and not read during sampling: no read-for-ownership of each output line, and the accumulator and
// graph stay cached. Ordered by the sfence at the end of samplePart.
template <bool kStream, class T>
inline void put(T* to, T value) {
  static_assert(sizeof(T) == 4);
#if defined(__SSE2__)
  if constexpr (kStream) {
    int word;
    std::memcpy(&word, &value, 4);
    _mm_stream_si32(reinterpret_cast<int*>(to), word);
    return;
  }
#endif
  *to = value;
}

// Writes the distinct touched nodes in increasing order to outIndex and their values acc * invN to
// outValue (room for `count` entries), zeroes their accumulators and returns how many there were.
// `check` collects 0 * value, which stays 0 unless a value is inf or NaN. The two-level bitmap
// costs O(count + span / 2^12) for a span of node ids; when the touched nodes are spread so widely
// that the summary scan would dominate, std::sort orders them instead. Either way the order is the
// unique sorted one.
template <bool kStream>
std::int64_t emitRow(Scratch& s, std::int64_t count, double invN, std::int32_t* outIndex, float* outValue,
                     float& check) {
  if (count == 0) return 0;
  const std::int32_t* touched = s.touched.data();
  double* acc = s.acc.data();
  std::int32_t lo = touched[0], hi = touched[0];
  for (std::int64_t k = 1; k < count; ++k) {
    lo = std::min(lo, touched[k]);
    hi = std::max(hi, touched[k]);
  }
  const std::int64_t firstSummary = lo >> 12, lastSummary = hi >> 12;
  std::int64_t out = 0;
  auto emit = [&](std::int32_t v) {
    const auto value = static_cast<float>(acc[v] * invN);
    check += 0.0f * value;
    acc[v] = 0.0;
    put<kStream>(outIndex + out, v);
    put<kStream>(outValue + out, value);
    ++out;
  };
  if (lastSummary - firstSummary > 64 + 4 * count) {
    std::vector<std::int32_t> sorted(touched, touched + count);
    std::sort(sorted.begin(), sorted.end());
    for (std::int64_t k = 0; k < count; ++k)
      if (k == 0 || sorted[static_cast<std::size_t>(k)] != sorted[static_cast<std::size_t>(k - 1)])
        emit(sorted[static_cast<std::size_t>(k)]);
    return out;
  }
  std::uint64_t* bits = s.bits.data();
  std::uint64_t* summary = s.summary.data();
  for (std::int64_t k = 0; k < count; ++k) {
    const std::int32_t v = touched[k];
    bits[v >> 6] |= std::uint64_t{1} << (v & 63);
    summary[v >> 12] |= std::uint64_t{1} << ((v >> 6) & 63);
  }
  for (std::int64_t sw = firstSummary; sw <= lastSummary; ++sw) {
    std::uint64_t words = summary[sw];
    summary[sw] = 0;
    while (words != 0) {
      const std::int64_t w = sw * 64 + std::countr_zero(words);
      words &= words - 1;
      std::uint64_t word = bits[w];
      bits[w] = 0;
      do {
        emit(static_cast<std::int32_t>(w * 64 + std::countr_zero(word)));
        word &= word - 1;
      } while (word != 0);
    }
  }
  return out;
}

// Walks source i; returns the number of touched-list entries (an upper bound on the row's length).
template <bool kBounded>
std::int64_t walkRowWith(const WalkSetup& w, Scratch& s, std::int64_t i, std::int64_t& hops) {
  Accumulate<kBounded> visit{s.acc.data(), w.f, &s.touched, s.touched.data(), static_cast<std::int64_t>(s.touched.size())};
  visit.sink = static_cast<std::int32_t>(w.nodes);
  hops += walkSource<false>(w, s.walk, i, visit);
  return visit.count;
}
std::int64_t walkRow(const WalkSetup& w, Scratch& s, std::int64_t i, std::int64_t& hops) {
  return s.bounded ? walkRowWith<true>(w, s, i, hops) : walkRowWith<false>(w, s, i, hops);
}

// Walks source i and leaves its sorted row in s.rowIndices / s.rowValues; returns its length.
std::int64_t sampleRow(const WalkSetup& w, Scratch& s, std::int64_t i, std::int64_t& hops, float& check) {
  const std::int64_t count = walkRow(w, s, i, hops);
  return emitRow<false>(s, count, 1.0 / w.walkers, s.rowIndices.data(), s.rowValues.data(), check);
}

// One contiguous range of rows, sampled by one thread into its slot [slotBegin, slotEnd) of the
// shared output arrays. Rows that no longer fit go to the part's own spill arrays (rare: slots are
// sized from a pilot estimate with slack).
struct Part {
  std::int64_t rowBegin = 0, rowEnd = 0;
  std::int64_t slotBegin = 0, slotEnd = 0;
  std::int64_t used = 0;  // entries written into the slot
  std::vector<std::int64_t> rowNnz;
  LargeVector<std::int32_t> spillIndices;
  LargeVector<float> spillValues;
  std::int64_t hops = 0;
  bool finite = true;
};

void samplePart(const WalkSetup& w, Scratch& s, Part& part, std::int32_t* indices, float* values, Progress* progress,
                double progressBase, double progressSpan, std::atomic<std::int64_t>& done, std::int64_t totalRows) {
  part.rowNnz.resize(static_cast<std::size_t>(part.rowEnd - part.rowBegin));
  const double invN = 1.0 / w.walkers;
  float check = 0.0f;
  bool spilling = false;
  for (std::int64_t b = part.rowBegin; b < part.rowEnd; b += kBlockNodes) {
    const std::int64_t e = std::min(part.rowEnd, b + kBlockNodes);
    for (std::int64_t i = b; i < e; ++i) {
      const std::int64_t bound = walkRow(w, s, i, part.hops);
      std::int64_t count;
      spilling = spilling || part.slotBegin + part.used + bound > part.slotEnd;
      if (!spilling) {  // straight into the slot
        const std::int64_t at = part.slotBegin + part.used;
        count = emitRow<true>(s, bound, invN, indices + at, values + at, check);
        part.used += count;
      } else {
        count = emitRow<false>(s, bound, invN, s.rowIndices.data(), s.rowValues.data(), check);
        part.spillIndices.insert(part.spillIndices.end(), s.rowIndices.data(), s.rowIndices.data() + count);
        part.spillValues.insert(part.spillValues.end(), s.rowValues.data(), s.rowValues.data() + count);
      }
      part.rowNnz[static_cast<std::size_t>(i - part.rowBegin)] = count;
    }
    done += e - b;
    reportProgress(progress, progressBase + progressSpan * static_cast<double>(done.load()) / static_cast<double>(totalRows));
  }
  part.finite = check == 0.0f;
#if defined(__SSE2__)
  _mm_sfence();  // the streamed rows are visible before the part is reported done
#endif
}

// Samples one side (one ensemble). The rows are split into one contiguous part per thread (block
// boundaries, so the split changes nothing in the result). To write every entry once, straight into
// the result, each part gets a slot of the output arrays sized from a pilot: the rows of a sample of
// nodes (every ~512th, at least 64 when there are that many) are walked first and their non-zeros
// counted per part. Parts then sample in parallel into their slots and are moved down to close the
// gaps (the slots are a few percent larger than needed). The pilot only sizes memory; its rows are
// walked again in place, so the output is the same for any thread count.
// Rows [rowBegin, rowEnd) only (a shard): every row is walked with its own stream, so a shard's rows
// are bit for bit those of the full matrix; work and output scale with the shard, scratch with N.
SparseFeatures sampleSide(const WalkSetup& w, int threads, Progress* progress, double progressBase,
                          double progressSpan, std::int64_t& hops, std::int64_t rowBegin, std::int64_t rowEnd) {
  const std::int64_t n = w.nodes;
  const std::int64_t rows = rowEnd - rowBegin;
  const std::int64_t blocks = (rows + kBlockNodes - 1) / kBlockNodes;
  const int partCount = static_cast<int>(std::max<std::int64_t>(1, std::min<std::int64_t>(resolveThreads(threads), blocks)));
  std::vector<Part> parts(static_cast<std::size_t>(partCount));
  for (int p = 0; p < partCount; ++p) {
    parts[static_cast<std::size_t>(p)].rowBegin = rowBegin + std::min(rows, blocks * p / partCount * kBlockNodes);
    parts[static_cast<std::size_t>(p)].rowEnd = rowBegin + std::min(rows, blocks * (p + 1) / partCount * kBlockNodes);
  }

  // Pilot: mean non-zeros per row of each part from an evenly spaced sample of its rows. Its scratch
  // (clean again after every row) is then the first part's.
  Scratch pilot(n, w);
  {
    Scratch& s = pilot;
    std::int64_t pilotHops = 0;
    float pilotCheck = 0.0f;  // the pilot rows are sampled again below, checked there
    for (Part& part : parts) {
      const std::int64_t partRows = part.rowEnd - part.rowBegin;
      const std::int64_t samples = std::min(partRows, std::max<std::int64_t>(64, partRows / 512));
      double nnz = 0.0;
      // One row at a hashed position in each of `samples` equal strata (an evenly spaced sample would
      // alias with the width of an image: every 512th pixel of a 1024-wide grid is on its border).
      for (std::int64_t k = 0; k < samples; ++k) {
        const std::int64_t lo = k * partRows / samples, hi = (k + 1) * partRows / samples;
        const auto jitter = static_cast<std::int64_t>(mix64(static_cast<std::uint64_t>(part.rowBegin + k)) %
                                                      static_cast<std::uint64_t>(hi - lo));
        nnz += static_cast<double>(sampleRow(w, s, part.rowBegin + lo + jitter, pilotHops, pilotCheck));
      }
      const double expected = samples > 0 ? nnz / static_cast<double>(samples) * static_cast<double>(partRows) : 0.0;
      // Slack: 4 % for the sampling error of the mean (about 0.5 % at 1024 sampled rows whose
      // non-zero counts vary by ~15 %, measured on grids and meshes), plus room for small parts.
      part.slotEnd = static_cast<std::int64_t>(std::ceil(expected * 1.04)) + 4096;
    }
    // The last slot is open-ended in address space only (never touched unless used).
    parts.back().slotEnd += parts.back().slotEnd / 4;
    std::int64_t at = 0;
    for (Part& part : parts) {
      const std::int64_t size = part.slotEnd;
      part.slotBegin = at;
      part.slotEnd = at + size;
      at += size;
    }
  }

  SparseFeatures out;
  out.rows = rows;
  out.cols = n;
  out.indices.resize(static_cast<std::size_t>(parts.back().slotEnd));  // uninitialised: no page touched yet
  out.values.resize(static_cast<std::size_t>(parts.back().slotEnd));
  std::atomic<std::int64_t> done{0};
  parallelFor(
      0, partCount,
      [&](std::int64_t lo, std::int64_t hi) {
        for (std::int64_t p = lo; p < hi; ++p) {
          std::unique_ptr<Scratch> own;
          if (p != 0) own = std::make_unique<Scratch>(n, w);
          samplePart(w, p == 0 ? pilot : *own, parts[static_cast<std::size_t>(p)], out.indices.data(),
                     out.values.data(), progress, progressBase, progressSpan, done, rows);
        }
      },
      partCount, 1);

  bool finite = true, spilled = false;
  for (const Part& part : parts) {
    hops += part.hops;
    finite = finite && part.finite;
    spilled = spilled || !part.spillIndices.empty();
  }
  if (!finite) {
    throw Error(
        "GRF loads overflowed to non-finite values: loads grow like (|W_ij| deg_i / (1 - p_halt))^t; lower "
        "sigma or beta, raise p_halt or cap the walk length",
        "graph random features", Error::Kind::Numeric);
  }
  out.offsets.reserve(static_cast<std::size_t>(rows + 1));
  adviseHugePages(out.offsets.data(), static_cast<std::size_t>(rows + 1) * sizeof(std::int64_t));
  out.offsets.assign(static_cast<std::size_t>(rows + 1), 0);
  std::int64_t total = 0, row = 0;
  for (const Part& part : parts)
    for (const std::int64_t c : part.rowNnz) out.offsets[static_cast<std::size_t>(++row)] = (total += c);
  assert(row == rows && "every row sampled");

  if (!spilled) {
    // Close the gaps: each part moves down to where the previous one ended (never up, since every
    // part fits its slot), in increasing order so no part overwrites one not yet moved.
    std::int64_t at = 0;
    for (const Part& part : parts) {
      if (part.slotBegin != at) {
        std::memmove(out.indices.data() + at, out.indices.data() + part.slotBegin, static_cast<std::size_t>(part.used) * sizeof(std::int32_t));
        std::memmove(out.values.data() + at, out.values.data() + part.slotBegin, static_cast<std::size_t>(part.used) * sizeof(float));
      }
      at += part.used;
    }
    out.indices.resize(static_cast<std::size_t>(total));  // shrinks the size only: no copy
    out.values.resize(static_cast<std::size_t>(total));
  } else {
    // A part outgrew its slot: assemble a fresh copy (correct, just slower).
    LargeVector<std::int32_t> indices(static_cast<std::size_t>(total));
    LargeVector<float> values(static_cast<std::size_t>(total));
    std::int64_t at = 0;
    for (const Part& part : parts) {
      std::copy_n(out.indices.data() + part.slotBegin, part.used, indices.data() + at);
      std::copy_n(out.values.data() + part.slotBegin, part.used, values.data() + at);
      at += part.used;
      std::copy(part.spillIndices.begin(), part.spillIndices.end(), indices.data() + at);
      std::copy(part.spillValues.begin(), part.spillValues.end(), values.data() + at);
      at += static_cast<std::int64_t>(part.spillIndices.size());
    }
    out.indices = std::move(indices);
    out.values = std::move(values);
  }
  assert(static_cast<std::int64_t>(out.indices.size()) == total);
  return out;
}

// W^T in the CSR layout of W: entry e = (v -> u) holds W[u,v] (structure is symmetric).
std::vector<double> transposedWeights(const Graph& g) {
  const std::int64_t n = g.nodeCount();
  std::vector<double> out(g.weights.size());
  for (std::int64_t v = 0; v < n; ++v)
    for (std::int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const std::int32_t u = g.neighbours[e];
      const auto first = g.neighbours.begin() + g.offsets[u], last = g.neighbours.begin() + g.offsets[u + 1];
      const auto it = std::lower_bound(first, last, static_cast<std::int32_t>(v));
      out[e] = (it != last && *it == v) ? g.weights[static_cast<std::size_t>(it - g.neighbours.begin())] : 0.0;
    }
  return out;
}

// The walk setup of sampleFeatures for a graph, mask and options (validated and cost-checked by the
// caller); `backward` receives W^T in the CSR layout of W when the key side needs it.
WalkSetup makeWalkSetup(const Graph& graph, const WalkPlan& plan, const GrfOptions& options) {
  WalkSetup w;
  w.offsets = graph.offsets.data();
  w.neighbours = graph.neighbours.data();
  w.invKeep = 1.0 / plan.keep;
  w.f = plan.f.data();
  // Without edges every walker halts at once; a zero length also keeps the branch-free hop of a
  // halted walker (which reads edge 0) away from an empty edge array.
  w.length = graph.neighbours.empty() ? 0 : plan.length;
  w.haltThreshold = plan.haltThreshold;
  w.walkers = options.walkers;
  w.sampling = options.sampling;
  w.seed = options.seed;
  w.nodes = graph.nodeCount();
  w.weights = graph.weights.data();
  w.substream = 0;
  return w;
}

void checkNodeCount(std::int64_t n) {
  if (n > 0x7fffffffLL) throw usageError("GRFs support at most 2^31 - 1 nodes");
}

// Rows [begin, end) of the n x n identity.
SparseFeatures identityRows(std::int64_t n, std::int64_t begin, std::int64_t end) {
  SparseFeatures out;
  out.rows = end - begin;
  out.cols = n;
  out.offsets.resize(static_cast<std::size_t>(out.rows + 1));
  out.indices.resize(static_cast<std::size_t>(out.rows));
  out.values.resize(static_cast<std::size_t>(out.rows));
  for (std::int64_t r = 0; r <= out.rows; ++r) out.offsets[static_cast<std::size_t>(r)] = r;
  for (std::int64_t r = 0; r < out.rows; ++r) {
    out.indices[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(begin + r);
    out.values[static_cast<std::size_t>(r)] = 1.0f;
  }
  return out;
}

}  // namespace

GrfFeatures sampleFeatures(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                           Progress* progress) {
  const auto start = std::chrono::steady_clock::now();
  validateGrfOptions(options);
  const std::int64_t n = graph.nodeCount();
  checkNodeCount(n);

  checkGrfCost(n, mask, options);
  const WalkPlan plan = planWalks(mask, options);
  const bool asymmetric = options.ensemble == Ensemble::Asymmetric;
  WalkSetup w = makeWalkSetup(graph, plan, options);

  const bool symmetric = graph.symmetricValues();
  std::vector<double> backward;
  if (!symmetric && !asymmetric) backward = transposedWeights(graph);

  std::int64_t hops = 0;
  SparseFeatures query, key;
  bool keyIsQuery = false;
  std::int64_t walkedSides = 1;
  switch (options.ensemble) {
    case Ensemble::Shared:
      if (symmetric) {
        query = sampleSide(w, options.threads, progress, 0.0, 1.0, hops, 0, n);
        keyIsQuery = true;
      } else {
        query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops, 0, n);
        w.weights = backward.data();  // same walks (same streams), loads of W^T
        key = sampleSide(w, options.threads, progress, 0.5, 0.5, hops, 0, n);
        walkedSides = 2;
      }
      break;
    case Ensemble::Independent:
      query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops, 0, n);
      w.weights = symmetric ? graph.weights.data() : backward.data();
      w.substream = 1;
      key = sampleSide(w, options.threads, progress, 0.5, 0.5, hops, 0, n);
      walkedSides = 2;
      break;
    case Ensemble::Asymmetric:
      query = sampleSide(w, options.threads, progress, 0.0, 1.0, hops, 0, n);
      key = identityFeatures(n);
      break;
  }

  GrfFeatures out(std::move(query), std::move(key), keyIsQuery);
  out.hops = hops;
  out.visits = hops + walkedSides * n * options.walkers;
  out.lengthUsed = plan.length;
  out.options = options;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

const char* grfSideName(GrfSide side) { return side == GrfSide::Query ? "query" : "key"; }

SparseFeatures sampleFeatureRows(const Graph& graph, const MaskFunction& mask, const GrfOptions& options, GrfSide side,
                                 std::int64_t rowBegin, std::int64_t rowEnd, Progress* progress) {
  validateGrfOptions(options);
  const std::int64_t n = graph.nodeCount();
  checkNodeCount(n);
  if (rowBegin < 0 || rowEnd < rowBegin || rowEnd > n)
    throw usageError("GRF node range " + std::to_string(rowBegin) + ":" + std::to_string(rowEnd) +
                     " is not within the graph's " + std::to_string(n) + " nodes (0 <= A <= B <= N)");
  const bool asymmetric = options.ensemble == Ensemble::Asymmetric;
  if (side == GrfSide::Key && asymmetric) return identityRows(n, rowBegin, rowEnd);
  // The cost of the rows asked for (and of one side only).
  GrfOptions one = options;
  if (one.ensemble == Ensemble::Independent) one.ensemble = Ensemble::Shared;
  checkGrfCost(rowEnd - rowBegin, mask, one);
  // Memory: the shard's share of the whole side's features (entries per row capped by the graph's
  // N, not the shard's) plus each worker's scratch, about 8.3 bytes per node of the graph.
  const double share = static_cast<double>(rowEnd - rowBegin) / static_cast<double>(std::max<std::int64_t>(n, 1));
  const double scratch = static_cast<double>(resolveThreads(options.threads)) * 8.5 * static_cast<double>(n);
  requireMemory(estimateGrfCost(n, mask, one).bytes * share + scratch,
                "GRF features of nodes " + std::to_string(rowBegin) + ":" + std::to_string(rowEnd) + " of " + std::to_string(n),
                memoryBudget(options.memoryLimit));
  const WalkPlan plan = planWalks(mask, options);
  WalkSetup w = makeWalkSetup(graph, plan, options);
  std::vector<double> backward;
  if (side == GrfSide::Key) {
    // As sampleFeatures: the key side walks with the loads of W^T (the same walks for the shared
    // ensemble, an independent ensemble on substream 1 for the independent one).
    if (!graph.symmetricValues()) {
      backward = transposedWeights(graph);
      w.weights = backward.data();
    }
    if (options.ensemble == Ensemble::Independent) w.substream = 1;
  }
  std::int64_t hops = 0;
  return sampleSide(w, options.threads, progress, 0.0, 1.0, hops, rowBegin, rowEnd);
}

}  // namespace topomask
