// The graph random feature sampler of SPEC section 5: n random walkers per node with halting,
// loads and modulation, three sampling schemes and three ensembles; reproducible for any thread count.
#pragma once

#include <cstdint>

#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/grf/features.h"
#include "topomask/grf/options.h"
#include "topomask/mask/mask_function.h"

namespace topomask {

// The features of one sampling: M_hat = query() key()^T.
//  * Shared: key() is query() (one ensemble, M_hat = Phi Phi^T, biased diagonal). When W is not
//    symmetric (random-walk normalisation) the key side reuses the same walks (same random
//    numbers) with the loads of W^T, so that E[M_hat] = M off the diagonal.
//  * Independent: two independent ensembles; the key walks use the loads of W^T (= W when symmetric).
//  * Asymmetric: query() modulated by alpha, key() the identity (f = delta_0): M_hat = Phi_alpha.
class GrfFeatures {
 public:
  GrfFeatures() = default;
  GrfFeatures(SparseFeatures query, SparseFeatures key, bool keyIsQuery);

  const SparseFeatures& query() const { return query_; }
  const SparseFeatures& key() const { return keyIsQuery_ ? query_ : key_; }
  bool keyIsQuery() const { return keyIsQuery_; }
  std::int64_t nodeCount() const { return query_.rows; }

  // Walk statistics: hops taken by all walkers (both sides when two ensembles were walked) and the
  // positions visited (hops + walkers), used for throughput figures.
  std::int64_t hops = 0;
  std::int64_t visits = 0;
  // Largest number of hops in the modulation actually used: min(L_max, last non-zero f_k index)
  // (the internal cap when L_max is 0; see sampleFeatures).
  int lengthUsed = 0;
  double seconds = 0.0;
  GrfOptions options;

 private:
  SparseFeatures query_;
  SparseFeatures key_;
  bool keyIsQuery_ = false;
};

// Samples the GRFs of every node. For node i, n = options.walkers walkers start at i with load 1;
// at step t a walker on v_t adds load * f_t to entry v_t of phi(i), then halts with probability
// p_halt (always when v_t has no neighbours or t = L_max), otherwise moves to a uniformly chosen
// neighbour u and sets load *= W[v_t, u] deg(v_t) / (1 - p_halt); finally phi(i) /= n.
// Then E[phi(i)] = row i of sum_{t <= L_max} f_t W^t, so independent features give
// E[phi(i) . phi'(j)] = M_ij up to the series tail beyond L_max.
//
//  * f = mask.modulation(...) for shared and independent ensembles, alpha for the asymmetric query.
//  * Schemes: Iid; Antithetic (walkers 2k, 2k+1 share halting uniforms u and (u + 1/2) mod 1 at every
//    step; n must be even); Repelling (walkers of the same source standing on the same node at the
//    same step take neighbours (r + 0), (r + 1), ... mod deg in the CSR order for a uniform random
//    rotation r, i.e. without replacement as far as the degree allows). Every walker's marginal law
//    is that of an i.i.d. walker, so the estimator's mean is unchanged.
//  * Halting uses a 32-bit uniform against T = round(p_halt 2^32) and the loads divide by the same
//    1 - T / 2^32, so the estimator is exactly unbiased; neighbours are exactly uniform (Lemire's
//    method with rejection).
//  * p_halt = 0 requires L_max > 0 (fixed-length walks of exactly L_max hops, fewer where a node has
//    no neighbour). L_max <= 0 means no cap: walks are then cut at the internal cap
//    min(4096, ceil(log(1e-18) / log(1 - p_halt))), which a walker reaches with probability < 1e-18.
//  * One random stream per node and ensemble (wyrand seeded from (seed, node, ensemble) through
//    SplitMix64): the result is bit-identical for any options.threads. Work and memory:
//    O(N n / p_halt) expected (at most N n (L_max + 1) non-zeros), plus about 8.3 N bytes of scratch
//    per thread. Rows are written once, straight into the result (one slot per thread, sized by a
//    pilot sample of rows); the walks of one node are those traceWalks (walks.h) reports.
// Throws usage Error for invalid options (walkers outside [1, 65536], p_halt outside [0, 1), p_halt = 0
// without a cap, L_max > 4096, antithetic with odd n) and for a predicted cost beyond the limits
// (checkGrfCost), Numeric Error when the loads overflow to non-finite values, and
// whatever mask.modulation throws (alpha_0 <= 0 without f). Polls `progress` (Cancelled).
GrfFeatures sampleFeatures(const Graph& graph, const MaskFunction& mask, const GrfOptions& options,
                           Progress* progress = nullptr);

// Which side of M_hat = Phi_Q Phi_K^T: the query features Phi_Q or the key features Phi_K.
enum class GrfSide { Query, Key };
const char* grfSideName(GrfSide side);  // "query", "key"

// Rows [rowBegin, rowEnd) of one side of sampleFeatures(graph, mask, options): a (rowEnd - rowBegin)
// x N matrix whose rows are bit for bit those rows of query() (GrfSide::Query) or key()
// (GrfSide::Key; the identity rows for the asymmetric ensemble). Every row is walked with its own
// stream (seed, node, ensemble), so shards sampled separately (other processes, other machines)
// assemble into the full matrix. Work and output are proportional to the shard (its walks and
// non-zeros); scratch is about 8.3 N bytes per thread, plus 8 |E| bytes for W^T when the key side of
// a non-symmetric W is asked for. Only the side asked for is walked. Throws usage Error for a range
// outside [0, N] or with rowEnd < rowBegin, and what sampleFeatures throws (the cost check applies
// to the shard's rows).
SparseFeatures sampleFeatureRows(const Graph& graph, const MaskFunction& mask, const GrfOptions& options, GrfSide side,
                                 std::int64_t rowBegin, std::int64_t rowEnd, Progress* progress = nullptr);

// Validates GrfOptions as sampleFeatures does: walkers in [1, kMaxWalkers], p_halt in [0, 1),
// L_max in [0, kMaxWalkLength] and > 0 when p_halt = 0, an even walker count for antithetic. The
// one place these rules live: the command line, Python and the app all ask it. Throws a usage Error
// whose where() is the parameter's name ("walkers", "p_halt", "max_length") and whose cause() says
// what is wrong without naming a front end's flag.
void validateGrfOptions(const GrfOptions& options);

// What one sampleFeatures call is expected to cost, from the options alone (before any walk):
// expected hops E = N n sum_{t=1..L} (1 - p)^t per ensemble walked, and memory for the CSR
// features, 8 bytes per entry (int32 column, float value) with at most min(N, n (expected visits))
// entries per row, plus 8 bytes per row.
struct GrfCost {
  double hops = 0.0;
  double bytes = 0.0;
};
GrfCost estimateGrfCost(std::int64_t nodes, const MaskFunction& mask, const GrfOptions& options);

// Throws usage Error, before any work, when estimateGrfCost exceeds kMaxWalkSteps hops or the
// memory budget of options.memoryLimit (core/budget.h). sampleFeatures calls it.
void checkGrfCost(std::int64_t nodes, const MaskFunction& mask, const GrfOptions& options);

}  // namespace topomask
