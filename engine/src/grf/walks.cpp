#include "topomask/grf/walks.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"

namespace topomask {

// The random stream use below mirrors engine/src/grf/sampler.cpp draw for draw (walkIid,
// walkAntithetic, walkRepelling); test_walks checks the rebuilt rows against sampleFeatures bit for bit.

std::int64_t WalkTrace::hops() const {
  std::int64_t h = 0;
  for (const TracedWalk& w : walks) h += w.hops();
  return h;
}

namespace {

constexpr int kInternalCap = 4096;  // as in sampler.cpp

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

struct Tracer {
  const Graph& g;
  double invKeep;
  std::uint64_t threshold;
  int length;
  WalkTrace& out;

  void visit(int k, int t) {
    out.order.push_back({static_cast<std::int32_t>(k), static_cast<std::int32_t>(t)});
  }
  void moveTo(int k, std::int64_t e, std::uint32_t d) {
    TracedWalk& w = out.walks[static_cast<std::size_t>(k)];
    w.loads.push_back(w.loads.back() * (g.weights[static_cast<std::size_t>(e)] * (d * invKeep)));
    w.nodes.push_back(g.neighbours[static_cast<std::size_t>(e)]);
  }
  std::int32_t at(int k) const { return out.walks[static_cast<std::size_t>(k)].nodes.back(); }
  std::uint32_t degree(std::int32_t v) const {
    return static_cast<std::uint32_t>(g.offsets[v + 1] - g.offsets[v]);
  }

  void iid(int n, Rng& rng) {
    std::vector<int> slot(static_cast<std::size_t>(n));  // slot -> walker id (sampler swaps slots)
    for (int k = 0; k < n; ++k) slot[static_cast<std::size_t>(k)] = k;
    int active = n;
    for (int t = 0;; ++t) {
      for (int k = 0; k < active; ++k) visit(slot[static_cast<std::size_t>(k)], t);
      if (t == length) break;
      int k = 0;
      while (k < active) {
        const std::uint64_t x = rng.next();
        const int id = slot[static_cast<std::size_t>(k)];
        const std::int32_t v = at(id);
        const std::uint32_t d = degree(v);
        if ((x >> 32) < threshold || d == 0) {
          --active;
          slot[static_cast<std::size_t>(k)] = slot[static_cast<std::size_t>(active)];
          continue;
        }
        moveTo(id, g.offsets[v] + pickNeighbour(static_cast<std::uint32_t>(x), d, rng), d);
        ++k;
      }
      if (active == 0) break;
    }
  }

  bool hop(int k, std::uint32_t x, Rng& rng) {
    const std::int32_t v = at(k);
    const std::uint32_t d = degree(v);
    if (d == 0) return false;
    moveTo(k, g.offsets[v] + pickNeighbour(x, d, rng), d);
    return true;
  }

  void antithetic(int n, Rng& rng) {
    std::vector<unsigned char> alive(static_cast<std::size_t>(n), 1);
    int aliveCount = n;
    for (int t = 0; aliveCount > 0; ++t) {
      for (int k = 0; k < n; ++k)
        if (alive[static_cast<std::size_t>(k)]) visit(k, t);
      if (t == length) break;
      for (int a = 0; a < n; a += 2) {
        const int b = a + 1;
        auto& aa = alive[static_cast<std::size_t>(a)];
        auto& ab = alive[static_cast<std::size_t>(b)];
        if (!aa && !ab) continue;
        const std::uint64_t x = rng.next();
        const std::uint32_t u = static_cast<std::uint32_t>(x >> 32);
        const std::uint32_t uTwin = u + 0x80000000u;
        if (aa && (u < threshold || !hop(a, static_cast<std::uint32_t>(x), rng))) {
          aa = 0;
          --aliveCount;
        }
        if (ab && (uTwin < threshold || !hop(b, static_cast<std::uint32_t>(rng.next() >> 32), rng))) {
          ab = 0;
          --aliveCount;
        }
      }
    }
  }

  void repelling(int n, Rng& rng) {
    const std::size_t nn = static_cast<std::size_t>(g.nodeCount());
    std::vector<std::uint64_t> groupStamp(nn, 0);
    std::vector<std::uint32_t> groupCount(nn, 0), groupRotation(nn, 0);
    std::uint64_t stamp = 0;
    std::vector<unsigned char> alive(static_cast<std::size_t>(n), 1);
    int aliveCount = n;
    for (int t = 0; aliveCount > 0; ++t) {
      for (int k = 0; k < n; ++k)
        if (alive[static_cast<std::size_t>(k)]) visit(k, t);
      if (t == length) break;
      ++stamp;
      for (int k = 0; k < n; ++k) {
        if (!alive[static_cast<std::size_t>(k)]) continue;
        const std::uint64_t x = rng.next();
        const std::int32_t v = at(k);
        const std::uint32_t d = degree(v);
        if ((x >> 32) < threshold || d == 0) {
          alive[static_cast<std::size_t>(k)] = 0;
          --aliveCount;
          continue;
        }
        if (groupStamp[v] != stamp) {
          groupStamp[v] = stamp;
          groupCount[v] = 0;
          groupRotation[v] = pickNeighbour(static_cast<std::uint32_t>(x), d, rng);
        }
        const std::uint32_t c =
            static_cast<std::uint32_t>((static_cast<std::uint64_t>(groupRotation[v]) + groupCount[v]++) % d);
        moveTo(k, g.offsets[v] + c, d);
      }
    }
  }
};

}  // namespace

WalkTrace traceWalks(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                     std::int64_t source) {
  validateGrfOptions(options);
  const std::int64_t n = graph.nodeCount();
  if (source < 0 || source >= n)
    throw usageError("query node " + std::to_string(source) + " is outside [0, " + std::to_string(n) + ")");

  const double scaled = std::nearbyint(options.pHalt * 4294967296.0);
  const std::uint64_t threshold = static_cast<std::uint64_t>(std::min(scaled, 4294967295.0));
  const double pEff = static_cast<double>(threshold) / 4294967296.0;
  int cap = options.maxLength;
  if (cap <= 0) {
    if (threshold == 0) throw usageError("GRF p_halt is too small to halt the walks: give a finite length cap");
    cap = static_cast<int>(std::min<double>(kInternalCap, std::ceil(std::log(1e-18) / std::log1p(-pEff))));
  }
  std::vector<double> f =
      options.ensemble == Ensemble::Asymmetric ? mask.alpha(cap + 1) : mask.modulation(cap + 1);
  int length = 0;
  for (int t = 0; t <= cap; ++t)
    if (f[static_cast<std::size_t>(t)] != 0.0) length = t;
  f.resize(static_cast<std::size_t>(length + 1));

  WalkTrace out;
  out.source = source;
  out.nodes = n;
  out.f = f;
  out.walks.resize(static_cast<std::size_t>(options.walkers));
  for (TracedWalk& w : out.walks) {
    w.nodes.push_back(static_cast<std::int32_t>(source));
    w.loads.push_back(1.0);
  }
  Tracer tracer{graph, 1.0 / (1.0 - pEff), threshold, length, out};
  Rng rng(options.seed, static_cast<std::uint64_t>(source), 0);
  switch (options.sampling) {
    case Sampling::Iid: tracer.iid(options.walkers, rng); break;
    case Sampling::Antithetic: tracer.antithetic(options.walkers, rng); break;
    case Sampling::Repelling: tracer.repelling(options.walkers, rng); break;
  }
  return out;
}

Eigen::VectorXd traceRow(const WalkTrace& trace, int walkers) {
  const int n = static_cast<int>(trace.walks.size());
  if (walkers < 1 || walkers > n)
    throw usageError("walkers to use must be in [1, " + std::to_string(n) + "] (got " + std::to_string(walkers) + ")");
  Eigen::VectorXd row = Eigen::VectorXd::Zero(trace.nodes);
  std::vector<unsigned char> touched(static_cast<std::size_t>(trace.nodes), 0);
  for (const WalkTrace::Visit& v : trace.order) {
    if (v.walker >= walkers) continue;
    const TracedWalk& w = trace.walks[static_cast<std::size_t>(v.walker)];
    const std::int32_t node = w.nodes[static_cast<std::size_t>(v.step)];
    const double value = w.loads[static_cast<std::size_t>(v.step)] * trace.f[static_cast<std::size_t>(v.step)];
    // The sampler starts an entry at its first contribution (acc = value), then adds: same rounding.
    if (!touched[static_cast<std::size_t>(node)]) {
      touched[static_cast<std::size_t>(node)] = 1;
      row[node] = value;
    } else {
      row[node] += value;
    }
  }
  row *= 1.0 / walkers;
  return row;
}

Eigen::VectorXd traceMaskRow(const WalkTrace& trace, int walkers, const SparseFeatures& keyT) {
  if (keyT.rows != trace.nodes) throw usageError("traceMaskRow: key features do not match the graph");
  const Eigen::VectorXd phi = traceRow(trace, walkers);
  Eigen::VectorXd out = Eigen::VectorXd::Zero(keyT.cols);
  for (std::int64_t l = 0; l < phi.size(); ++l) {
    if (phi[l] == 0.0) continue;
    const double q = static_cast<double>(static_cast<float>(phi[l]));
    for (std::int64_t e = keyT.offsets[l]; e < keyT.offsets[l + 1]; ++e)
      out[keyT.indices[e]] += q * static_cast<double>(keyT.values[e]);
  }
  return out;
}

}  // namespace topomask
