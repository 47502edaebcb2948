// The random walks of one source node, shared by the sampler (sampler.cpp, which accumulates them
// into phi(i)) and the walk tracer (walks.cpp, which records them for the walks view): one copy of
// every use of the random stream, so the traced walks are the sampled walks by construction.
// Internal to the grf module.
#pragma once

#include <algorithm>
#include <concepts>
#include <type_traits>
#include <cmath>
#include <cstdint>
#include <vector>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/options.h"
#include "topomask/mask/mask_function.h"

namespace topomask::grf_detail {

constexpr int kInternalCap = 4096;  // hops when L_max <= 0 (see sampler.h)

// Halting and length resolved from the options exactly as sampleFeatures documents them.
struct WalkPlan {
  std::uint64_t haltThreshold = 0;  // halt when the top 32 bits of a draw are below it
  double keep = 1.0;                // 1 - haltThreshold / 2^32
  int cap = 0;                      // hops at most before trimming trailing zero f_t
  int length = 0;                   // hops at most: min(cap, last t with f_t != 0)
  std::vector<double> f;            // f_0 .. f_length (modulation, or alpha for the asymmetric query)
};

inline WalkPlan planWalks(const MaskFunction& mask, const GrfOptions& options) {
  WalkPlan p;
  // Halting on the 32-bit lattice: p_eff = T / 2^32 exactly, and the loads use the same p_eff.
  const double scaled = std::nearbyint(options.pHalt * 4294967296.0);
  p.haltThreshold = static_cast<std::uint64_t>(std::min(scaled, 4294967295.0));
  const double pEff = static_cast<double>(p.haltThreshold) / 4294967296.0;
  p.keep = 1.0 - pEff;
  p.cap = options.maxLength;
  if (p.cap <= 0) {
    if (p.haltThreshold == 0) throw usageError("GRF p_halt is too small to halt the walks: give a finite length cap");
    p.cap = static_cast<int>(std::min<double>(kInternalCap, std::ceil(std::log(1e-18) / std::log1p(-pEff))));
  }
  p.f = options.ensemble == Ensemble::Asymmetric ? mask.alpha(p.cap + 1) : mask.modulation(p.cap + 1);
  p.length = 0;
  for (int t = 0; t <= p.cap; ++t)
    if (p.f[static_cast<std::size_t>(t)] != 0.0) p.length = t;  // walking past the last non-zero f adds nothing
  p.f.resize(static_cast<std::size_t>(p.length + 1));
  return p;
}

// Everything the walkers of one side read. Plain pointers: no virtual calls in the hot loop.
struct WalkSetup {
  const std::int64_t* offsets = nullptr;
  const std::int32_t* neighbours = nullptr;
  const double* weights = nullptr;  // W[v,u] in the CSR layout of W (W[u,v] on the transposed key side)
  double invKeep = 1.0;             // 1 / (1 - p_halt): a hop multiplies the load by W[v,u] deg(v) / (1 - p)
  const double* f = nullptr;        // f_0 .. f_length
  int length = 0;                   // hops at most
  std::uint64_t haltThreshold = 0;
  int walkers = 1;
  Sampling sampling = Sampling::Iid;
  std::uint64_t seed = 0;
  std::uint64_t substream = 0;
  std::int64_t nodes = 0;
};

// The random stream of one source's walks: wyrand (Wang Yi's 64-bit generator: a Weyl sequence
// through a 64 x 64 -> 128-bit multiply-fold; passes BigCrush and PractRand), seeded per (seed,
// node, substream) through SplitMix64 like core/rng.h. Chosen over xoshiro256++ for the walks
// because it is about half the instructions per draw and a draw is taken at every hop.
class WalkRng {
 public:
  WalkRng(std::uint64_t seed, std::uint64_t stream, std::uint64_t substream) noexcept
      : state_(mix64(seed ^ mix64(stream ^ mix64(substream + 0x632be59bd9b4e019ULL)))) {}
  std::uint64_t next() noexcept {
    __extension__ using U128 = unsigned __int128;  // __extension__: GCC/Clang builtin under -pedantic
    state_ += 0xa0761d6478bd642fULL;
    const U128 m = static_cast<U128>(state_) * (state_ ^ 0xe7037ed1a0b428dbULL);
    return static_cast<std::uint64_t>(m >> 64) ^ static_cast<std::uint64_t>(m);
  }

 private:
  std::uint64_t state_;
};

// Uniform index in [0, d) from a 32-bit uniform x: Lemire's multiply-shift with rejection (exact).
// Further draws (needed with probability (2^32 mod d) / 2^32) come from the same stream.
inline std::uint32_t pickNeighbour(std::uint32_t x, std::uint32_t d, WalkRng& rng) {
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

// The walkers' state, reused from node to node (and the group tables of repelling walks, O(N)).
struct WalkState {
  WalkState(std::int64_t nodes, int walkers, bool repelling) {
    const auto n = static_cast<std::size_t>(walkers);
    pos.resize(n);
    load.resize(n);
    id.resize(n);
    if (repelling) {
      groupStamp.assign(static_cast<std::size_t>(nodes), 0);
      groupCount.assign(static_cast<std::size_t>(nodes), 0);
      groupRotation.assign(static_cast<std::size_t>(nodes), 0);
    }
  }
  std::vector<std::int32_t> pos;  // node of each walker slot
  std::vector<double> load;       // load of each walker slot
  std::vector<std::int32_t> id;   // walker id of each slot (i.i.d. compacts its slots)
  std::vector<std::uint64_t> groupStamp;
  std::vector<std::uint32_t> groupCount;
  std::vector<std::uint32_t> groupRotation;
  std::uint64_t stamp = 0;
};

// A visitor may offer two shortcuts to walkIid (the walk tracer offers neither, so it sees every
// visit one by one, in the same order):
//  * start(i, n): the n visits of step 0 (all at i with load 1), in place of n calls;
//  * sinkNode(): a node id whose visits are to be ignored; a halted walker then "visits" it instead
//    of skipping the call, so the hop loop has no branch on halting.
template <class V>
concept StartingVisitor = requires(V& v) { v.start(std::int32_t{}, int{}); };
template <class V>
concept SinkingVisitor = requires(V& v) { { v.sinkNode() } -> std::convertible_to<std::int32_t>; };

// I.i.d. walkers of source i, advanced in lockstep: the n walkers take their t-th hop together, so the
// memory loads of different walkers overlap instead of forming one long chain of cache misses. At step
// t, visit(walker, t, node, load) is called for every walker still walking, in increasing walker id
// (step 0 first, all at i; a walker's visit at t + 1 right after its hop t). At every step every
// walker draws one 64-bit number x: it halts when x's top 32 bits are below the threshold (or its
// node has no neighbour), otherwise x's low 32 bits pick the neighbour. Halted walkers are compacted
// out without branches (the order of the others is kept). Returns the hops taken.
template <bool kTrackIds, class V>
inline std::int64_t walkIidImpl(const WalkSetup& w, WalkState& s, std::int64_t i, WalkRng& rng, V& visit) {
  const std::int64_t* off = w.offsets;
  const std::int32_t* nbr = w.neighbours;
  const double* weights = w.weights;
  const double invKeep = w.invKeep;
  const std::uint64_t threshold = w.haltThreshold;
  const int length = w.length;
  std::int32_t* pos = s.pos.data();
  double* load = s.load.data();
  std::int32_t* id = s.id.data();
  int active = w.walkers;
  for (int k = 0; k < active; ++k) {
    pos[k] = static_cast<std::int32_t>(i);
    load[k] = 1.0;
    if constexpr (kTrackIds) id[k] = k;
  }
  if constexpr (StartingVisitor<V>) {
    visit.start(static_cast<std::int32_t>(i), active);
  } else {
    for (int k = 0; k < active; ++k) visit(kTrackIds ? id[k] : k, 0, pos[k], load[k]);
  }
  std::int64_t hops = 0;
  for (int t = 0; t < length; ++t) {
    int kept = 0;
    for (int k = 0; k < active; ++k) {
      const std::uint64_t x = rng.next();
      const std::int32_t v = pos[k];
      const std::int64_t o = off[v];
      const std::uint32_t d = static_cast<std::uint32_t>(off[v + 1] - o);
      const bool moves = (x >> 32) >= threshold && d != 0;
      // A halted walker still computes a (discarded) hop from edge 0 of its node's row, or from edge
      // 0 of the graph when it has no neighbour: no branch to mispredict, and no extra draw (the
      // rejection loop of pickNeighbour only runs for walkers that move).
      const std::uint32_t c = moves ? pickNeighbour(static_cast<std::uint32_t>(x), d, rng) : 0u;
      const std::int64_t e = moves ? o + c : 0;
      const double next = load[k] * (weights[e] * (static_cast<double>(d) * invKeep));
      const std::int32_t u = nbr[e];
      const int walker = kTrackIds ? id[k] : k;
      pos[kept] = u;
      load[kept] = next;
      if constexpr (kTrackIds) id[kept] = id[k];
      if constexpr (SinkingVisitor<V>) {
        visit(walker, t + 1, moves ? u : visit.sinkNode(), next);
      } else {
        if (moves) visit(walker, t + 1, u, next);
      }
      kept += moves ? 1 : 0;
    }
    active = kept;
    hops += active;
    if (active == 0) break;
  }
  return hops;
}

template <bool kTrackIds, class Visit>
std::int64_t walkIid(const WalkSetup& w, WalkState& s, std::int64_t i, WalkRng& rng, Visit&& visit) {
  using V = std::remove_reference_t<Visit>;
  // Work on local copies of the generator and (when it can be copied back) the visitor: their state
  // (a 64-bit word, a counter) then stays in registers instead of being stored and reloaded at every
  // hop, which the compiler must do when a store through the visitor's pointers might alias it.
  WalkRng localRng = rng;
  std::int64_t hops;
  if constexpr (std::is_copy_assignable_v<V>) {
    V localVisit = visit;
    hops = walkIidImpl<kTrackIds>(w, s, i, localRng, localVisit);
    visit = localVisit;
  } else {
    hops = walkIidImpl<kTrackIds>(w, s, i, localRng, visit);
  }
  rng = localRng;
  return hops;
}

// Moves a walker standing on v one hop using the 32-bit uniform x; false when v has no neighbour.
inline bool hop(const WalkSetup& w, std::int32_t& v, double& load, std::uint32_t x, WalkRng& rng) {
  const std::int64_t o = w.offsets[v];
  const std::uint32_t d = static_cast<std::uint32_t>(w.offsets[v + 1] - o);
  if (d == 0) return false;
  const std::int64_t e = o + pickNeighbour(x, d, rng);
  load *= w.weights[e] * (static_cast<double>(d) * w.invKeep);
  v = w.neighbours[e];
  return true;
}

// Puts the n walkers of source i at i with load 1, all walking (alive[k] = 1), for the schemes that
// keep every walker in its slot (antithetic, repelling).
inline void startInPlace(WalkState& s, std::int64_t i, int n) {
  std::fill(s.pos.begin(), s.pos.begin() + n, static_cast<std::int32_t>(i));
  std::fill(s.load.begin(), s.load.begin() + n, 1.0);
  std::fill(s.id.begin(), s.id.begin() + n, 1);
}

// The walkers of source i moving in lockstep: at every step each walker still walking is visited,
// then advance(pos, load, alive, halt) moves them all (it calls halt(k) for a walker that stops
// and returns the number of hops made). Returns the hops. Visit order as for walkIid.
template <class Visit, class Advance>
std::int64_t walkLockstep(const WalkSetup& w, WalkState& s, std::int64_t i, Visit&& visit, Advance&& advance) {
  const int n = w.walkers;
  std::int32_t* pos = s.pos.data();
  double* load = s.load.data();
  std::int32_t* alive = s.id.data();  // 1 while walking
  startInPlace(s, i, n);
  std::int64_t hops = 0;
  int aliveCount = n;
  auto halt = [&](int k) {
    alive[k] = 0;
    --aliveCount;
  };
  for (int t = 0; aliveCount > 0; ++t) {
    for (int k = 0; k < n; ++k)
      if (alive[k]) visit(k, t, pos[k], load[k]);
    if (t == w.length) break;
    hops += advance(pos, load, alive, halt);
  }
  return hops;
}

// Antithetic termination: walkers 2p and 2p + 1 read the halting uniforms u and u + 1/2 mod 1 of the
// same draw at every step; their neighbour choices are independent (the first from x's low bits, the
// second from a fresh draw). All pairs move in lockstep.
template <class Visit>
std::int64_t walkAntithetic(const WalkSetup& w, WalkState& s, std::int64_t i, WalkRng& rng, Visit&& visit) {
  return walkLockstep(w, s, i, visit, [&](std::int32_t* pos, double* load, const std::int32_t* alive, auto& halt) {
    std::int64_t hops = 0;
    // Walker k halts when its uniform u is below the threshold, else hops with the neighbour uniform
    // that draw() gives (drawn only then).
    auto advance = [&](int k, std::uint32_t u, auto draw) {
      if (u < w.haltThreshold || !hop(w, pos[k], load[k], draw(), rng))
        halt(k);
      else
        ++hops;
    };
    for (int a = 0; a < w.walkers; a += 2) {
      const int b = a + 1;
      if (!alive[a] && !alive[b]) continue;
      const std::uint64_t x = rng.next();
      const std::uint32_t u = static_cast<std::uint32_t>(x >> 32);
      if (alive[a]) advance(a, u, [x] { return static_cast<std::uint32_t>(x); });
      // (u + 1/2) mod 1 on the 32-bit lattice; the neighbour from a fresh draw
      if (alive[b]) advance(b, u + 0x80000000u, [&rng] { return static_cast<std::uint32_t>(rng.next() >> 32); });
    }
    return hops;
  });
}

// Repelling walks: the walkers of the source standing on the same node v at the same step leave it
// along edges (r + 0), (r + 1), ... mod deg(v) of v's CSR row, for a rotation r drawn uniformly by
// the first of them; halting as for walkIid.
template <class Visit>
std::int64_t walkRepelling(const WalkSetup& w, WalkState& s, std::int64_t i, WalkRng& rng, Visit&& visit) {
  return walkLockstep(w, s, i, visit, [&](std::int32_t* pos, double* load, const std::int32_t* alive, auto& halt) {
    std::int64_t hops = 0;
    const std::uint64_t stamp = ++s.stamp;
    for (int k = 0; k < w.walkers; ++k) {
      if (!alive[k]) continue;
      const std::uint64_t x = rng.next();
      const std::int32_t v = pos[k];
      const std::int64_t o = w.offsets[v];
      const std::uint32_t d = static_cast<std::uint32_t>(w.offsets[v + 1] - o);
      if ((x >> 32) < w.haltThreshold || d == 0) {
        halt(k);
        continue;
      }
      if (s.groupStamp[v] != stamp) {
        s.groupStamp[v] = stamp;
        s.groupCount[v] = 0;
        s.groupRotation[v] = pickNeighbour(static_cast<std::uint32_t>(x), d, rng);
      }
      const std::uint32_t c = static_cast<std::uint32_t>(
          (static_cast<std::uint64_t>(s.groupRotation[v]) + s.groupCount[v]++) % d);
      const std::int64_t e = o + c;
      load[k] *= w.weights[e] * (static_cast<double>(d) * w.invKeep);
      pos[k] = w.neighbours[e];
      ++hops;
    }
    return hops;
  });
}

// The walks of source i with its own stream Rng(seed, i, substream), for the configured scheme.
template <bool kTrackIds, class Visit>
std::int64_t walkSource(const WalkSetup& w, WalkState& s, std::int64_t i, Visit&& visit) {
  WalkRng rng(w.seed, static_cast<std::uint64_t>(i), w.substream);
  switch (w.sampling) {
    case Sampling::Iid: return walkIid<kTrackIds>(w, s, i, rng, visit);
    case Sampling::Antithetic: return walkAntithetic(w, s, i, rng, visit);
    case Sampling::Repelling: return walkRepelling(w, s, i, rng, visit);
  }
  return 0;
}

}  // namespace topomask::grf_detail
