// The random walks of one query node exactly as sampleFeatures draws them (same random stream, same
// nodes, same order, the load carried at every step), and the GRF row rebuilt from the first m of them:
// what the walks view of the application draws and what its "add a walker" control recomputes.
#pragma once

#include <cstdint>
#include <vector>

#include <Eigen/Core>

#include "topomask/graph/graph.h"
#include "topomask/grf/features.h"
#include "topomask/grf/options.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

// One walker's path: nodes[t] is the node after t hops (nodes[0] = the source) and loads[t] the load
// it carries there (loads[0] = 1); it contributed loads[t] * f[t] to entry nodes[t] of phi(source).
struct TracedWalk {
  std::vector<std::int32_t> nodes;
  std::vector<double> loads;
  int hops() const { return static_cast<int>(nodes.size()) - 1; }
};

// All walkers of one source node on the query side (substream 0, loads of W; f = modulation, or alpha
// for the asymmetric ensemble), with the contributions in the exact order the sampler accumulated them.
struct WalkTrace {
  std::int64_t source = 0;
  std::int64_t nodes = 0;      // N
  std::vector<TracedWalk> walks;  // walker k = 0..n-1
  std::vector<double> f;       // f_0 .. f_length (the modulation actually used)
  // (walker, step) of every contribution in the sampler's accumulation order: step-major, and within
  // a step in increasing walker id (walkers that halted are skipped).
  struct Visit {
    std::int32_t walker;
    std::int32_t step;
  };
  std::vector<Visit> order;
  std::int64_t hops() const;  // total hops of all walkers
};

// Traces the walkers of node `source` as sampleFeatures(graph, mask, options) draws them for the
// query side (row `source` of GrfFeatures::query()). Same validation and errors as sampleFeatures
// (usage Error for invalid options or a source outside [0, N)). Cost O(n / p_halt) expected plus
// O(N) scratch for repelling walks.
WalkTrace traceWalks(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                     std::int64_t source);

// phi(source) from the first `walkers` walkers of the trace (1 <= walkers <= trace.walks.size()):
// sum over their visits, in the sampler's order, of load * f_t, divided by `walkers`, as a dense
// vector of length N (double). With walkers = n, rounding each entry to float gives the sampler's
// row bit for bit. For repelling and antithetic schemes the first m walkers are a coupled subset
// (each still unbiased). Throws usage Error for walkers outside [1, n]. O(visits + N).
Eigen::VectorXd traceRow(const WalkTrace& trace, int walkers);

// The walks as they stood after `hops` hops: every walker cut to its first `hops` hops (walkers that
// halted earlier unchanged) and the visits of later steps dropped, in the same order. traceRow of the
// result is the feature the walkers had deposited by then; hops >= the longest walk gives the trace
// itself. Usage Error for hops < 0. O(visits).
WalkTrace truncateWalks(const WalkTrace& trace, int hops);

// The first `walkers` walkers only, the last of them cut to its first `hopsOfLast` hops: the walks
// when walkers are released one after another (the walks animation). traceRow(result, walkers) is
// their feature. Usage Error for walkers outside [1, n] or hopsOfLast < 0. O(visits).
WalkTrace firstWalks(const WalkTrace& trace, int walkers, int hopsOfLast);

}  // namespace topomask

namespace topomask {

// Row `trace.source` of M_hat with the query side rebuilt from the first `walkers` walkers:
// sum_l phi_m(i)_l (Phi_K^T)[l, :], phi_m rounded to float as the sampler stores it; keyT is the
// transposed key side of the same sampling (transpose(features.key())). With walkers = n it is
// estimateRow(features.query(), keyT, i) up to summation order. O(visits + sum of touched keyT rows).
Eigen::VectorXd traceMaskRow(const WalkTrace& trace, int walkers, const SparseFeatures& keyT);

}  // namespace topomask
