#include "topomask/grf/sampler.h"

#include <algorithm>
#include <atomic>
#include <cassert>
#include <chrono>
#include <cmath>
#include <sstream>
#include <utility>

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
  const double* factor = nullptr;  // per edge e = (v -> u): W[v,u] deg(v) / (1 - p) (or W[u,v] ...)
  const double* f = nullptr;       // f_0 .. f_length
  int length = 0;                  // hops at most
  std::uint64_t haltThreshold = 0; // halt when the top 32 bits of a draw are below it
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
  if (low < d) {
    const std::uint32_t threshold = static_cast<std::uint32_t>(-d) % d;
    while (low < threshold) {
      x = static_cast<std::uint32_t>(rng.next() >> 32);
      m = static_cast<std::uint64_t>(x) * d;
      low = static_cast<std::uint32_t>(m);
    }
  }
  return static_cast<std::uint32_t>(m >> 32);
}

// Per-thread scratch: a dense accumulator indexed by node with a touched list (no sort+merge of
// visit lists), and the group tables of repelling walks.
struct Scratch {
  explicit Scratch(std::int64_t n, int walkers, bool repelling)
      : acc(static_cast<std::size_t>(n), 0.0), mark(static_cast<std::size_t>(n), -1) {
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
  std::vector<double> acc;
  std::vector<std::int64_t> mark;  // row that last touched the node
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
inline void add(Scratch& s, std::int64_t row, std::int32_t v, double value) {
  double* acc = s.acc.data();
  if (s.mark[static_cast<std::size_t>(v)] != row) {
    s.mark[static_cast<std::size_t>(v)] = row;
    s.touched.push_back(v);
    acc[v] = value;
  } else {
    acc[v] += value;
  }
}

std::int64_t walkIid(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  const std::int64_t* off = w.offsets;
  const std::int32_t* nbr = w.neighbours;
  const double* factor = w.factor;
  const double* f = w.f;
  const std::uint64_t threshold = w.haltThreshold;
  const int length = w.length;
  double* acc = s.acc.data();
  std::int64_t* mark = s.mark.data();
  std::int64_t hops = 0;
  for (int k = 0; k < w.walkers; ++k) {
    std::int32_t v = static_cast<std::int32_t>(i);
    double load = 1.0;
    int t = 0;
    for (;;) {
      const double value = load * f[t];
      if (mark[v] != i) {
        mark[v] = i;
        s.touched.push_back(v);
        acc[v] = value;
      } else {
        acc[v] += value;
      }
      if (t == length) break;
      const std::uint64_t x = rng.next();
      if ((x >> 32) < threshold) break;
      const std::int64_t o = off[v];
      const std::uint32_t d = static_cast<std::uint32_t>(off[v + 1] - o);
      if (d == 0) break;
      const std::int64_t e = o + pickNeighbour(static_cast<std::uint32_t>(x), d, rng);
      load *= factor[e];
      v = nbr[e];
      ++t;
    }
    hops += t;
  }
  return hops;
}

// Moves a walker standing on v one hop using the 32-bit uniform x; false when v has no neighbour.
inline bool hop(const WalkSetup& w, std::int32_t& v, double& load, std::uint32_t x, Rng& rng) {
  const std::int64_t o = w.offsets[v];
  const std::uint32_t d = static_cast<std::uint32_t>(w.offsets[v + 1] - o);
  if (d == 0) return false;
  const std::int64_t e = o + pickNeighbour(x, d, rng);
  load *= w.factor[e];
  v = w.neighbours[e];
  return true;
}

std::int64_t walkAntithetic(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  std::int64_t hops = 0;
  for (int k = 0; k + 1 < w.walkers; k += 2) {
    std::int32_t va = static_cast<std::int32_t>(i), vb = va;
    double la = 1.0, lb = 1.0;
    bool aliveA = true, aliveB = true;
    for (int t = 0;; ++t) {
      if (aliveA) add(s, i, va, la * w.f[t]);
      if (aliveB) add(s, i, vb, lb * w.f[t]);
      if (t == w.length) break;
      const std::uint64_t x = rng.next();
      const std::uint32_t u = static_cast<std::uint32_t>(x >> 32);
      const std::uint32_t uTwin = u + 0x80000000u;  // (u + 1/2) mod 1 on the 32-bit lattice
      if (aliveA) {
        if (u < w.haltThreshold || !hop(w, va, la, static_cast<std::uint32_t>(x), rng))
          aliveA = false;
        else
          ++hops;
      }
      if (aliveB) {
        if (uTwin < w.haltThreshold || !hop(w, vb, lb, static_cast<std::uint32_t>(rng.next() >> 32), rng))
          aliveB = false;
        else
          ++hops;
      }
      if (!aliveA && !aliveB) break;
    }
  }
  return hops;
}

std::int64_t walkRepelling(const WalkSetup& w, Scratch& s, std::int64_t i, Rng& rng) {
  const int n = w.walkers;
  std::int64_t hops = 0;
  std::fill(s.pos.begin(), s.pos.end(), static_cast<std::int32_t>(i));
  std::fill(s.load.begin(), s.load.end(), 1.0);
  std::fill(s.alive.begin(), s.alive.end(), static_cast<unsigned char>(1));
  int aliveCount = n;
  for (int t = 0; aliveCount > 0; ++t) {
    for (int k = 0; k < n; ++k)
      if (s.alive[k]) add(s, i, s.pos[k], s.load[k] * w.f[t]);
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
      s.load[k] *= w.factor[e];
      s.pos[k] = w.neighbours[e];
      ++hops;
    }
  }
  return hops;
}

// Runs the walkers of rows [lo, hi) and appends their sorted rows to `out`.
void sampleRows(const WalkSetup& w, Scratch& s, std::int64_t lo, std::int64_t hi, BlockResult& out) {
  const double invN = 1.0 / w.walkers;
  out.rowNnz.reserve(static_cast<std::size_t>(hi - lo));
  for (std::int64_t i = lo; i < hi; ++i) {
    Rng rng(w.seed, static_cast<std::uint64_t>(i), w.substream);
    s.touched.clear();
    switch (w.sampling) {
      case Sampling::Iid: out.hops += walkIid(w, s, i, rng); break;
      case Sampling::Antithetic: out.hops += walkAntithetic(w, s, i, rng); break;
      case Sampling::Repelling: out.hops += walkRepelling(w, s, i, rng); break;
    }
    std::sort(s.touched.begin(), s.touched.end());
    for (const std::int32_t v : s.touched) {
      const float value = static_cast<float>(s.acc[static_cast<std::size_t>(v)] * invN);
      if (!std::isfinite(value)) out.finite = false;
      out.indices.push_back(v);
      out.values.push_back(value);
    }
    out.rowNnz.push_back(static_cast<std::int64_t>(s.touched.size()));
  }
}

// Samples one side (one ensemble) with the given per-edge load factors.
SparseFeatures sampleSide(const WalkSetup& w, int threads, Progress* progress, double progressBase,
                          double progressSpan, std::int64_t& hops) {
  const std::int64_t n = w.nodes;
  const std::int64_t blocks = (n + kBlockNodes - 1) / kBlockNodes;
  std::vector<BlockResult> results(static_cast<std::size_t>(blocks));
  std::atomic<std::int64_t> done{0};
  parallelFor(
      0, blocks,
      [&](std::int64_t b0, std::int64_t b1) {
        Scratch scratch(n, w.walkers, w.sampling == Sampling::Repelling);
        for (std::int64_t b = b0; b < b1; ++b) {
          const std::int64_t lo = b * kBlockNodes, hi = std::min(n, lo + kBlockNodes);
          sampleRows(w, scratch, lo, hi, results[static_cast<std::size_t>(b)]);
          const std::int64_t finished = ++done;
          reportProgress(progress, progressBase + progressSpan * static_cast<double>(finished) / blocks);
        }
      },
      threads, 1);

  SparseFeatures out;
  out.rows = n;
  out.cols = n;
  out.offsets.assign(static_cast<std::size_t>(n + 1), 0);
  std::int64_t total = 0;
  bool finite = true;
  {
    std::int64_t row = 0;
    for (const auto& r : results) {
      for (const std::int64_t c : r.rowNnz) {
        total += c;
        out.offsets[static_cast<std::size_t>(++row)] = total;
      }
      hops += r.hops;
      finite = finite && r.finite;
    }
    assert(row == n && "every row sampled");
  }
  if (!finite) {
    throw Error(
        "GRF loads overflowed to non-finite values: loads grow like (|W_ij| deg_i / (1 - p_halt))^t; lower "
        "sigma or beta, raise p_halt or cap the walk length",
        "graph random features", Error::Kind::Numeric);
  }
  out.indices.resize(static_cast<std::size_t>(total));
  out.values.resize(static_cast<std::size_t>(total));
  std::int64_t at = 0;
  for (auto& r : results) {
    std::copy(r.indices.begin(), r.indices.end(), out.indices.begin() + at);
    std::copy(r.values.begin(), r.values.end(), out.values.begin() + at);
    at += static_cast<std::int64_t>(r.indices.size());
    r = BlockResult{};  // free as we go: peak stays near twice the features
  }
  return out;
}

// Per-edge load factors W[v,u] deg(v) / keep (transposed: W[u,v] deg(v) / keep).
std::vector<double> loadFactors(const Graph& g, double keep, bool transposed) {
  const std::int64_t n = g.nodeCount();
  std::vector<double> factor(g.neighbours.size());
  for (std::int64_t v = 0; v < n; ++v) {
    const std::int64_t o = g.offsets[v], e1 = g.offsets[v + 1];
    const double scale = static_cast<double>(e1 - o) / keep;
    for (std::int64_t e = o; e < e1; ++e) {
      double wvu = g.weights[e];
      if (transposed) {
        const std::int32_t u = g.neighbours[e];
        const auto first = g.neighbours.begin() + g.offsets[u], last = g.neighbours.begin() + g.offsets[u + 1];
        const auto it = std::lower_bound(first, last, static_cast<std::int32_t>(v));
        wvu = (it != last && *it == v) ? g.weights[static_cast<std::size_t>(it - g.neighbours.begin())] : 0.0;
      }
      factor[e] = wvu * scale;
    }
  }
  return factor;
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
  w.f = f.data();
  w.length = length;
  w.haltThreshold = threshold;
  w.walkers = options.walkers;
  w.sampling = options.sampling;
  w.seed = options.seed;
  w.nodes = n;

  const bool symmetric = graph.symmetricValues();
  const std::vector<double> factor = loadFactors(graph, keep, false);
  std::vector<double> factorT;
  if (!symmetric && !asymmetric) factorT = loadFactors(graph, keep, true);

  std::int64_t hops = 0;
  SparseFeatures query, key;
  bool keyIsQuery = false;
  std::int64_t walkedSides = 1;
  w.factor = factor.data();
  w.substream = 0;
  switch (options.ensemble) {
    case Ensemble::Shared:
      if (symmetric) {
        query = sampleSide(w, options.threads, progress, 0.0, 1.0, hops);
        keyIsQuery = true;
      } else {
        query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops);
        w.factor = factorT.data();  // same walks (same streams), loads of W^T
        key = sampleSide(w, options.threads, progress, 0.5, 0.5, hops);
        walkedSides = 2;
      }
      break;
    case Ensemble::Independent:
      query = sampleSide(w, options.threads, progress, 0.0, 0.5, hops);
      w.factor = symmetric ? factor.data() : factorT.data();
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
