#include "topomask/grf/sampler.h"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cassert>
#include <chrono>
#include <cmath>
#include <sstream>
#include <utility>
#include <mutex>

#include <sys/mman.h>

#include "topomask/core/error.h"
#include "topomask/core/parallel.h"
#include "topomask/core/rng.h"

namespace topomask {

GrfFeatures::GrfFeatures(SparseFeatures query, SparseFeatures key, bool keyIsQuery)
    : query_(std::move(query)), key_(std::move(key)), keyIsQuery_(keyIsQuery) {}

void validateGrfOptions(const GrfOptions& o) {
  if (o.walkers < 1) throw usageError("GRF walkers must be at least 1 (got " + std::to_string(o.walkers) + ")");
  if (!(o.pHalt >= 0.0 && o.pHalt < 1.0))
    throw usageError("GRF p_halt must be in [0, 1) (got " + std::to_string(o.pHalt) + ")");
  if (o.pHalt == 0.0 && o.maxLength <= 0)
    throw usageError("GRF p_halt = 0 needs a finite length cap L_max > 0 (fixed-length walks)");
  if (o.sampling == Sampling::Antithetic && o.walkers % 2 != 0)
    throw usageError("antithetic termination pairs the walkers: the number of walkers must be even (got " +
                     std::to_string(o.walkers) + ")");
}

namespace {

constexpr std::int64_t kBlockNodes = 2048;  // nodes per work block: fixed, so results ignore threads
constexpr int kInternalCap = 4096;          // hops when L_max <= 0 (see sampler.h)

// Everything the walkers of one side read. Plain pointers: no virtual calls in the hot loop.
struct WalkSetup {
  const std::int64_t* offsets = nullptr;
  const std::int32_t* neighbours = nullptr;
  const double* weights = nullptr;  // W[v,u] in the CSR layout of W (W[u,v] on the transposed key side)
  double invKeep = 1.0;             // 1 / (1 - p_halt): a hop multiplies the load by W[v,u] deg(v) / (1 - p)
  const double* f = nullptr;        // f_0 .. f_length
  int length = 0;                   // hops at most
  std::uint64_t haltThreshold = 0;  // halt when the top 32 bits of a draw are below it
  int walkers = 1;
  Sampling sampling = Sampling::Iid;
  std::uint64_t seed = 0;
  std::uint64_t substream = 0;
  std::int64_t nodes = 0;
};

// Uniform index in [0, d) from a 32-bit uniform x: Lemire's multiply-shift with rejection (exact).
inline std::uint32_t pickNeighbour(std::uint32_t x, std::uint32_t d, Rng& rng) {
  std::uint64_t m = static_cast<std::uint64_t>(x) * d;
  std::uint32_t low = static_cast<std::uint32_t>(m);
  if (low < d) [[unlikely]] {
    const std::uint32_t threshold = static_cast<std::uint32_t>(-d) % d;
    while (low < threshold) {
      x = static_cast<std::uint32_t>(rng.next() >> 32);
      m = static_cast<std::uint64_t>(x) * d;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

// Reserves `count` elements and asks the kernel for transparent huge pages on the (untouched)
// reservation: the features are hundreds of MB on large graphs and 4 KiB page faults cost more than
// the walks themselves.
template <class T>
void reserveLarge(std::vector<T>& v, std::int64_t count) {
  v.reserve(static_cast<std::size_t>(std::max<std::int64_t>(count, 0)));
#ifdef MADV_HUGEPAGE
  constexpr std::uintptr_t huge = std::uintptr_t{1} << 21;
  const auto begin = reinterpret_cast<std::uintptr_t>(v.data());
  const std::uintptr_t end = begin + v.capacity() * sizeof(T);
  const std::uintptr_t lo = (begin + huge - 1) & ~(huge - 1), hi = end & ~(huge - 1);
  if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);  // advice only: ignore failure
#endif
}

// The dense accumulator of the row being built: value and the row that last touched the node,
// side by side (one cache line per visit).
struct Cell {
  double acc;
  std::int64_t row;
};

// Per-thread scratch: a dense accumulator indexed by node with a touched list (no sort+merge of
// visit lists), the walkers' state, and the group tables of repelling walks.
struct Scratch {
  explicit Scratch(std::int64_t n, int walkers, bool repelling) {
    reserveLarge(cells, n);
    cells.assign(static_cast<std::size_t>(n), Cell{0.0, -1});
    bits.assign(static_cast<std::size_t>(n / 64 + 1), 0);
    touched.reserve(1024);
    if (repelling) {
      groupStamp.assign(static_cast<std::size_t>(n), 0);
      groupCount.assign(static_cast<std::size_t>(n), 0);
      groupRotation.assign(static_cast<std::size_t>(n), 0);
    }
    pos.resize(static_cast<std::size_t>(walkers));
    load.resize(static_cast<std::size_t>(walkers));
    alive.resize(static_cast<std::size_t>(walkers));
  }
  std::vector<Cell> cells;
  std::vector<std::uint64_t> bits;  // all zero between rows
  std::vector<std::int32_t> touched;
  std::vector<std::uint64_t> groupStamp;
  std::vector<std::uint32_t> groupCount;
  std::vector<std::uint32_t> groupRotation;
  std::uint64_t stamp = 0;
  std::vector<std::int32_t> pos;
  std::vector<double> load;
  std::vector<unsigned char> alive;
};

struct BlockResult {
  std::vector<std::int64_t> rowNnz;
  std::vector<std::int32_t> indices;
  std::vector<float> values;
  std::int64_t hops = 0;
  bool finite = true;
};

// Accumulates one contribution into the row `row` being built.
inline void add(Cell* cells, std::vector<std::int32_t>& touched, std::int64_t row, std::int32_t v, double value) {
  Cell& c = cells[v];
  if (c.row != row) {
    c.row = row;
    c.acc = value;
    touched.push_back(v);
  } else {
    c.acc += value;
  }
}

// I.i.d. walkers, advanced in lockstep: the n walkers of a node take their t-th hop together, so the
// memory loads of different walkers overlap instead of forming one long chain of cache misses.
// Halted walkers are swapped out of the active prefix.
std::int64_t walkIid(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  const std::int64_t* off = w.offsets;
  const std::int32_t* nbr = w.neighbours;
  const double* weights = w.weights;
  const double invKeep = w.invKeep;
  const std::uint64_t threshold = w.haltThreshold;
  const int length = w.length;
  Cell* cells = s.cells.data();
  std::int32_t* pos = s.pos.data();
  double* load = s.load.data();
  int active = w.walkers;
  for (int k = 0; k < active; ++k) {
    pos[k] = static_cast<std::int32_t>(i);
    load[k] = 1.0;
  }
  std::int64_t hops = 0;
  for (int t = 0;; ++t) {
    const double ft = w.f[t];
    for (int k = 0; k < active; ++k) add(cells, s.touched, i, pos[k], load[k] * ft);
    if (t == length) break;
    int k = 0;
    while (k < active) {
      const std::uint64_t x = rng.next();
      const std::int32_t v = pos[k];
      const std::int64_t o = off[v];
      const std::uint32_t d = static_cast<std::uint32_t>(off[v + 1] - o);
      if ((x >> 32) < threshold || d == 0) {
        --active;
        pos[k] = pos[active];
        load[k] = load[active];
        continue;
      }
      const std::int64_t e = o + pickNeighbour(static_cast<std::uint32_t>(x), d, rng);
      load[k] *= weights[e] * (d * invKeep);
      pos[k] = nbr[e];
      ++k;
    }
    hops += active;
    if (active == 0) break;
  }
  return hops;
}

// Moves a walker standing on v one hop using the 32-bit uniform x; false when v has no neighbour.
inline bool hop(const WalkSetup& w, std::int32_t& v, double& load, std::uint32_t x, Rng& rng) {
  const std::int64_t o = w.offsets[v];
  const std::uint32_t d = static_cast<std::uint32_t>(w.offsets[v + 1] - o);
  if (d == 0) return false;
  const std::int64_t e = o + pickNeighbour(x, d, rng);
  load *= w.weights[e] * (d * w.invKeep);
  v = w.neighbours[e];
  return true;
}

// Antithetic termination: walkers 2p and 2p + 1 read the halting uniforms u and u + 1/2 mod 1 of the
// same draw at every step; their neighbour choices are independent. All pairs move in lockstep.
std::int64_t walkAntithetic(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  const int n = w.walkers;
  Cell* cells = s.cells.data();
  std::int64_t hops = 0;
  std::fill(s.pos.begin(), s.pos.end(), static_cast<std::int32_t>(i));
  std::fill(s.load.begin(), s.load.end(), 1.0);
  std::fill(s.alive.begin(), s.alive.end(), static_cast<unsigned char>(1));
  int aliveCount = n;
  for (int t = 0; aliveCount > 0; ++t) {
    for (int k = 0; k < n; ++k)
      if (s.alive[k]) add(cells, s.touched, i, s.pos[k], s.load[k] * w.f[t]);
    if (t == w.length) break;
    for (int a = 0; a < n; a += 2) {
      const int b = a + 1;
      if (!s.alive[a] && !s.alive[b]) continue;
      const std::uint64_t x = rng.next();
      const std::uint32_t u = static_cast<std::uint32_t>(x >> 32);
      const std::uint32_t uTwin = u + 0x80000000u;  // (u + 1/2) mod 1 on the 32-bit lattice
      if (s.alive[a]) {
        if (u < w.haltThreshold || !hop(w, s.pos[a], s.load[a], static_cast<std::uint32_t>(x), rng)) {
          s.alive[a] = 0;
          --aliveCount;
        } else {
          ++hops;
        }
      }
      if (s.alive[b]) {
        if (uTwin < w.haltThreshold ||
            !hop(w, s.pos[b], s.load[b], static_cast<std::uint32_t>(rng.next() >> 32), rng)) {
          s.alive[b] = 0;
          --aliveCount;
        } else {
          ++hops;
        }
      }
    }
  }
  return hops;
}

std::int64_t walkRepelling(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  const int n = w.walkers;
  Cell* cells = s.cells.data();
  std::int64_t hops = 0;
  std::fill(s.pos.begin(), s.pos.end(), static_cast<std::int32_t>(i));
  std::fill(s.load.begin(), s.load.end(), 1.0);
  std::fill(s.alive.begin(), s.alive.end(), static_cast<unsigned char>(1));
  int aliveCount = n;
  for (int t = 0; aliveCount > 0; ++t) {
    for (int k = 0; k < n; ++k)
      if (s.alive[k]) add(cells, s.touched, i, s.pos[k], s.load[k] * w.f[t]);
    if (t == w.length) break;
    const std::uint64_t stamp = ++s.stamp;
    for (int k = 0; k < n; ++k) {
      if (!s.alive[k]) continue;
      const std::uint64_t x = rng.next();
      const std::int32_t v = s.pos[k];
      const std::int64_t o = w.offsets[v];
      const std::uint32_t d = static_cast<std::uint32_t>(w.offsets[v + 1] - o);
      if ((x >> 32) < w.haltThreshold || d == 0) {
        s.alive[k] = 0;
        --aliveCount;
        continue;
      }
      // The first walker to leave v at this step draws the rotation r; the m-th takes r + m mod d.
      if (s.groupStamp[v] != stamp) {
        s.groupStamp[v] = stamp;
        s.groupCount[v] = 0;
        s.groupRotation[v] = pickNeighbour(static_cast<std::uint32_t>(x), d, rng);
      }
      const std::uint32_t c = static_cast<std::uint32_t>(
          (static_cast<std::uint64_t>(s.groupRotation[v]) + s.groupCount[v]++) % d);
      const std::int64_t e = o + c;
      s.load[k] *= w.weights[e] * (d * w.invKeep);
      s.pos[k] = w.neighbours[e];
      ++hops;
    }
  }
  return hops;
}

// Calls visit(v) for the touched nodes in increasing order. When they span few 64-bit words (walks are
// local on grids and well-ordered meshes) a bitmap scan orders them; otherwise std::sort does.
// Either way the order is the unique sorted one, so the output does not depend on the choice.
template <class Visit>
void sortedVisit(Scratch& s, Visit&& visit) {
  std::vector<std::int32_t>& touched = s.touched;
  if (touched.empty()) return;
  std::int32_t lo = touched[0], hi = touched[0];
  for (const std::int32_t v : touched) {
    lo = std::min(lo, v);
    hi = std::max(hi, v);
  }
  const std::int64_t firstWord = lo >> 6, lastWord = hi >> 6;
  if (lastWord - firstWord > 16 * static_cast<std::int64_t>(touched.size())) {
    std::sort(touched.begin(), touched.end());
    for (const std::int32_t v : touched) visit(v);
    return;
  }
  std::uint64_t* bits = s.bits.data();
  for (const std::int32_t v : touched) bits[v >> 6] |= std::uint64_t{1} << (v & 63);
  for (std::int64_t w = firstWord; w <= lastWord; ++w) {
    std::uint64_t word = bits[w];
    if (word == 0) continue;
    bits[w] = 0;
    do {
      visit(static_cast<std::int32_t>(w * 64 + std::countr_zero(word)));
      word &= word - 1;
    } while (word != 0);
  }
}

// Runs the walkers of rows [lo, hi) and appends their sorted rows to `out`.
void sampleRows(const WalkSetup& w, Scratch& s, std::int64_t lo, std::int64_t hi, BlockResult& out) {
  const double invN = 1.0 / w.walkers;
  const Cell* cells = s.cells.data();
  for (std::int64_t i = lo; i < hi; ++i) {
    Rng rng(w.seed, static_cast<std::uint64_t>(i), w.substream);
    s.touched.clear();
    switch (w.sampling) {
      case Sampling::Iid: out.hops += walkIid(w, s, i, rng); break;
      case Sampling::Antithetic: out.hops += walkAntithetic(w, s, i, rng); break;
      case Sampling::Repelling: out.hops += walkRepelling(w, s, i, rng); break;
    }
    bool finite = true;
    auto emit = [&](std::int32_t v) {
      const float value = static_cast<float>(cells[v].acc * invN);
      finite = finite && std::isfinite(value);
      out.indices.push_back(v);
      out.values.push_back(value);
    };
    sortedVisit(s, emit);
    out.finite = out.finite && finite;
    out.rowNnz.push_back(static_cast<std::int64_t>(s.touched.size()));
  }
}

// Samples one side (one ensemble) with the given per-edge load factors. parallelFor hands each
// thread one contiguous range of rows; the range starting at row 0 reserves room for all rows and
// becomes the result, the others are appended in row order (so the output ignores the thread count).
SparseFeatures sampleSide(const WalkSetup& w, int threads, Progress* progress, double progressBase,
                          double progressSpan, std::int64_t& hops) {
  const std::int64_t n = w.nodes;
  // Expected visits per row bound the non-zeros: n min(L + 1, 1 / p) (capped for the reservation).
  const double visitsPerWalker = w.haltThreshold > 0
                                     ? std::min<double>(w.length + 1.0, 4294967296.0 / static_cast<double>(w.haltThreshold))
                                     : w.length + 1.0;
  const double perRow = std::min(256.0, w.walkers * visitsPerWalker);
  std::mutex partsMutex;
  std::vector<std::pair<std::int64_t, BlockResult>> parts;
  std::atomic<std::int64_t> done{0};
  parallelFor(
      0, n,
      [&](std::int64_t lo, std::int64_t hi) {
        Scratch scratch(n, w.walkers, w.sampling == Sampling::Repelling);
        BlockResult part;
        part.rowNnz.reserve(static_cast<std::size_t>(hi - lo));
        const std::int64_t reserveRows = lo == 0 ? n : hi - lo;
        reserveLarge(part.indices, static_cast<std::int64_t>(perRow * static_cast<double>(reserveRows)));
        reserveLarge(part.values, static_cast<std::int64_t>(perRow * static_cast<double>(reserveRows)));
        for (std::int64_t b = lo; b < hi; b += kBlockNodes) {
          const std::int64_t e = std::min(hi, b + kBlockNodes);
          sampleRows(w, scratch, b, e, part);
          done += e - b;
          reportProgress(progress, progressBase + progressSpan * static_cast<double>(done.load()) / static_cast<double>(n));
        }
        std::lock_guard<std::mutex> lock(partsMutex);
        parts.emplace_back(lo, std::move(part));
      },
      threads, kBlockNodes);
  std::sort(parts.begin(), parts.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  SparseFeatures out;
  out.rows = n;
  out.cols = n;
  out.offsets.assign(static_cast<std::size_t>(n + 1), 0);
  std::int64_t total = 0, row = 0;
  bool finite = true;
  for (const auto& [lo, r] : parts) {
    for (const std::int64_t c : r.rowNnz) {
      total += c;
      out.offsets[static_cast<std::size_t>(++row)] = total;
    }
    hops += r.hops;
    finite = finite && r.finite;
  }
  assert(row == n && "every row sampled");
  if (!finite) {
    throw Error(
        "GRF loads overflowed to non-finite values: loads grow like (|W_ij| deg_i / (1 - p_halt))^t; lower "
        "sigma or beta, raise p_halt or cap the walk length",
        "graph random features", Error::Kind::Numeric);
  }
  if (!parts.empty()) {
    out.indices = std::move(parts.front().second.indices);
    out.values = std::move(parts.front().second.values);
    for (std::size_t k = 1; k < parts.size(); ++k) {
      auto& r = parts[k].second;
      out.indices.insert(out.indices.end(), r.indices.begin(), r.indices.end());
      out.values.insert(out.values.end(), r.values.begin(), r.values.end());
      r = BlockResult{};  // free as we go
    }
  }
  // The unused tail of the reservation stays virtual (never touched), so it is not given back: that
  // would copy the whole matrix.
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

}  // namespace

GrfFeatures sampleFeatures(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                           Progress* progress) {
  const auto start = std::chrono::steady_clock::now();
  validateGrfOptions(options);
  const std::int64_t n = graph.nodeCount();
  if (n > 0x7fffffffLL) throw usageError("GRFs support at most 2^31 - 1 nodes");

  // Halting on the 32-bit lattice: p_eff = T / 2^32 exactly, and the loads use the same p_eff.
  const double scaled = std::nearbyint(options.pHalt * 4294967296.0);
  const std::uint64_t threshold = static_cast<std::uint64_t>(std::min(scaled, 4294967295.0));
  const double pEff = static_cast<double>(threshold) / 4294967296.0;
  const double keep = 1.0 - pEff;

  int cap = options.maxLength;
  if (cap <= 0) {
    if (threshold == 0) throw usageError("GRF p_halt is too small to halt the walks: give a finite length cap");
    cap = static_cast<int>(std::min<double>(kInternalCap, std::ceil(std::log(1e-18) / std::log1p(-pEff))));
  }

  const bool asymmetric = options.ensemble == Ensemble::Asymmetric;
  std::vector<double> f = asymmetric ? mask.alpha(cap + 1) : mask.modulation(cap + 1);
  int length = 0;
  for (int t = 0; t <= cap; ++t)
    if (f[static_cast<std::size_t>(t)] != 0.0) length = t;  // walking past the last non-zero f adds nothing

  WalkSetup w;
  w.offsets = graph.offsets.data();
  w.neighbours = graph.neighbours.data();
  w.invKeep = 1.0 / keep;
  w.f = f.data();
  w.length = length;
  w.haltThreshold = threshold;
  w.walkers = options.walkers;
  w.sampling = options.sampling;
  w.seed = options.seed;
  w.nodes = n;

  const bool symmetric = graph.symmetricValues();
  std::vector<double> backward;
  if (!symmetric && !asymmetric) backward = transposedWeights(graph);

  std::int64_t hops = 0;
  SparseFeatures query, key;
  bool keyIsQuery = false;
  std::int64_t walkedSides = 1;
  w.weights = graph.weights.data();
  w.substream = 0;
  switch (options.ensemble) {
    case Ensemble::Shared:
      if (symmetric) {
        query = sampleSide(w, options.threads, progress, 0.0, 1.0, hops);
        keyIsQuery = true;
      } else {
        query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops);
        w.weights = backward.data();  // same walks (same streams), loads of W^T
        key = sampleSide(w, options.threads, progress, 0.5, 0.5, hops);
        walkedSides = 2;
      }
      break;
    case Ensemble::Independent:
      query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops);
      w.weights = symmetric ? graph.weights.data() : backward.data();
      w.substream = 1;
      key = sampleSide(w, options.threads, progress, 0.5, 0.5, hops);
      walkedSides = 2;
      break;
    case Ensemble::Asymmetric:
      query = sampleSide(w, options.threads, progress, 0.0, 1.0, hops);
      key = identityFeatures(n);
      break;
  }

  GrfFeatures out(std::move(query), std::move(key), keyIsQuery);
  out.hops = hops;
  out.visits = hops + walkedSides * n * options.walkers;
  out.lengthUsed = length;
  out.options = options;
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace topomask
