#include "topomask/grf/walks.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"
#include "grf/walk_kernel.h"

namespace topomask {

// The walks come from the sampler's own walk kernel (grf/walk_kernel.h), called with a visitor that
// records them instead of accumulating: the same code draws the same numbers in the same order.

std::int64_t WalkTrace::hops() const {
  std::int64_t h = 0;
  for (const TracedWalk& w : walks) h += w.hops();
  return h;
}

WalkTrace traceWalks(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                     std::int64_t source) {
  using namespace grf_detail;
  validateGrfOptions(options);
  const std::int64_t n = graph.nodeCount();
  if (source < 0 || source >= n)
    throw usageError("query node " + std::to_string(source) + " is outside [0, " + std::to_string(n) + ")");
  const WalkPlan plan = planWalks(mask, options);

  WalkSetup w;
  w.offsets = graph.offsets.data();
  w.neighbours = graph.neighbours.data();
  w.weights = graph.weights.data();
  w.invKeep = 1.0 / plan.keep;
  w.f = plan.f.data();
  w.length = graph.neighbours.empty() ? 0 : plan.length;  // as sampleFeatures
  w.haltThreshold = plan.haltThreshold;
  w.walkers = options.walkers;
  w.sampling = options.sampling;
  w.seed = options.seed;
  w.substream = 0;
  w.nodes = n;

  WalkTrace out;
  out.source = source;
  out.nodes = n;
  out.f = plan.f;
  out.walks.resize(static_cast<std::size_t>(options.walkers));
  WalkState state(n, options.walkers, options.sampling == Sampling::Repelling);
  auto record = [&out](int walker, int t, std::int32_t v, double load) {
    TracedWalk& walk = out.walks[static_cast<std::size_t>(walker)];
    walk.nodes.push_back(v);  // visits of one walker come at t = 0, 1, 2, ... in order
    walk.loads.push_back(load);
    out.order.push_back({static_cast<std::int32_t>(walker), static_cast<std::int32_t>(t)});
  };
  walkSource<true>(w, state, source, record);
  return out;
}

Eigen::VectorXd traceRow(const WalkTrace& trace, int walkers) {
  const int n = static_cast<int>(trace.walks.size());
  if (walkers < 1 || walkers > n)
    throw usageError("walkers to use must be in [1, " + std::to_string(n) + "] (got " + std::to_string(walkers) + ")");
  Eigen::VectorXd row = Eigen::VectorXd::Zero(trace.nodes);
  for (const WalkTrace::Visit& v : trace.order) {
    if (v.walker >= walkers) continue;
    const TracedWalk& w = trace.walks[static_cast<std::size_t>(v.walker)];
    const std::int32_t node = w.nodes[static_cast<std::size_t>(v.step)];
    const double value = w.loads[static_cast<std::size_t>(v.step)] * trace.f[static_cast<std::size_t>(v.step)];
    row[node] += value;  // as the sampler: from 0, in the same order, so the same rounding
  }
  row *= 1.0 / walkers;
  return row;
}

WalkTrace truncateWalks(const WalkTrace& trace, int hops) {
  if (hops < 0) throw usageError("truncateWalks: hops must be non-negative (got " + std::to_string(hops) + ")");
  WalkTrace out;
  out.source = trace.source;
  out.nodes = trace.nodes;
  out.f = trace.f;
  out.walks.reserve(trace.walks.size());
  for (const TracedWalk& w : trace.walks) {
    const std::size_t keep = std::min(w.nodes.size(), static_cast<std::size_t>(hops) + 1);
    out.walks.push_back(TracedWalk{{w.nodes.begin(), w.nodes.begin() + static_cast<std::ptrdiff_t>(keep)},
                                   {w.loads.begin(), w.loads.begin() + static_cast<std::ptrdiff_t>(keep)}});
  }
  for (const WalkTrace::Visit& v : trace.order)
    if (v.step <= hops) out.order.push_back(v);
  return out;
}

WalkTrace firstWalks(const WalkTrace& trace, int walkers, int hopsOfLast) {
  const int n = static_cast<int>(trace.walks.size());
  if (walkers < 1 || walkers > n)
    throw usageError("walkers to use must be in [1, " + std::to_string(n) + "] (got " + std::to_string(walkers) + ")");
  if (hopsOfLast < 0) throw usageError("firstWalks: hops must be non-negative (got " + std::to_string(hopsOfLast) + ")");
  WalkTrace out;
  out.source = trace.source;
  out.nodes = trace.nodes;
  out.f = trace.f;
  out.walks.assign(trace.walks.begin(), trace.walks.begin() + walkers);
  TracedWalk& last = out.walks.back();
  const std::size_t keep = std::min(last.nodes.size(), static_cast<std::size_t>(hopsOfLast) + 1);
  last.nodes.resize(keep);
  last.loads.resize(keep);
  for (const WalkTrace::Visit& v : trace.order)
    if (v.walker < walkers - 1 || (v.walker == walkers - 1 && v.step <= hopsOfLast)) out.order.push_back(v);
  return out;
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
