// Traced walks of one query node: they are the sampler's walks (rows rebuilt from them equal
// sampleFeatures' rows bit for bit for every scheme, normalisation and source), valid paths with the
// sampler's load rule, and the partial rows from the first m walkers behave as the estimator does.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

#include "test_grf_support.h"
#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"
#include "topomask/grf/walks.h"

namespace topomask {
namespace {

using testing::gridGraph;
using testing::irregularGraph;
using testing::opts;

MaskFunction heat(double beta) {
  MaskSpec m;
  m.preset = MaskPreset::Heat;
  m.beta = beta;
  return MaskFunction(m);
}

// Row i of the sampled query features as a dense float vector.
std::vector<float> sampledRow(const SparseFeatures& phi, std::int64_t i) {
  std::vector<float> row(static_cast<std::size_t>(phi.cols), 0.0f);
  for (std::int64_t e = phi.offsets[i]; e < phi.offsets[i + 1]; ++e)
    row[static_cast<std::size_t>(phi.indices[e])] = phi.values[e];
  return row;
}

void expectBitIdentical(const Graph& g, const MaskFunction& mask, const GrfOptions& o) {
  const GrfFeatures features = sampleFeatures(g, mask, o);
  std::int64_t hops = 0;
  for (std::int64_t i = 0; i < g.nodeCount(); ++i) {
    const WalkTrace trace = traceWalks(g, mask, o, i);
    ASSERT_EQ(static_cast<int>(trace.walks.size()), o.walkers);
    hops += trace.hops();
    const Eigen::VectorXd row = traceRow(trace, o.walkers);
    const std::vector<float> expected = sampledRow(features.query(), i);
    for (std::int64_t j = 0; j < g.nodeCount(); ++j) {
      const float got = static_cast<float>(row[j]);
      // Bit for bit: memcmp, so that -0/+0 or a last-ulp difference would fail.
      EXPECT_EQ(std::memcmp(&got, &expected[static_cast<std::size_t>(j)], sizeof(float)), 0)
          << "row " << i << " col " << j << ": traced " << got << " sampled " << expected[static_cast<std::size_t>(j)];
    }
  }
  // Same total number of hops as the sampler (query side only when the key side is the query).
  if (features.keyIsQuery()) {
    EXPECT_EQ(hops, features.hops);
  }
}

TEST(Walks, RowsEqualSamplerBitForBitAllSchemes) {
  const MaskFunction mask = heat(0.8);
  for (const Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk}) {
    const Graph grid = gridGraph(7, 6, norm);
    const Graph irregular = irregularGraph(norm);
    for (const Sampling s : {Sampling::Iid, Sampling::Antithetic, Sampling::Repelling}) {
      SCOPED_TRACE(std::string(samplingName(s)) + (norm == Normalisation::RandomWalk ? " rw" : " sym"));
      expectBitIdentical(grid, mask, opts(8, 0.15, 12, s, Ensemble::Shared, 7));
      expectBitIdentical(irregular, mask, opts(6, 0.3, 0, s, Ensemble::Shared, 3));   // no cap: internal cap
      expectBitIdentical(grid, mask, opts(4, 0.0, 5, s, Ensemble::Shared, 11));       // fixed-length walks
    }
  }
  // walkers x (length + 1) above 2^22 visits per row (heat's f_t is non-zero up to t ~ 170 here):
  // the sampler's visit list then checks its capacity, a separate code path from the bounded one.
  const Graph small = gridGraph(4, 3);
  expectBitIdentical(small, mask, opts(30000, 0.5, 1000, Sampling::Iid, Ensemble::Shared, 5));
}

TEST(Walks, AsymmetricUsesAlpha) {
  GrfOptions o = opts(6, 0.2, 10, Sampling::Iid, Ensemble::Shared, 5);
  o.ensemble = Ensemble::Asymmetric;
  expectBitIdentical(gridGraph(5, 5), heat(0.7), o);
}

TEST(Walks, PathsAreWalksWithTheSamplerLoads) {
  const Graph g = irregularGraph(Normalisation::RandomWalk);
  const GrfOptions o = opts(32, 0.1, 20, Sampling::Iid, Ensemble::Shared, 9);
  const WalkTrace trace = traceWalks(g, heat(1.0), o, 2);
  const double keep = 1.0 - std::nearbyint(0.1 * 4294967296.0) / 4294967296.0;
  int longest = 0;
  for (const TracedWalk& w : trace.walks) {
    ASSERT_EQ(w.nodes.size(), w.loads.size());
    EXPECT_EQ(w.nodes[0], 2);
    EXPECT_EQ(w.loads[0], 1.0);
    EXPECT_LE(w.hops(), 20);
    longest = std::max(longest, w.hops());
    for (int t = 1; t <= w.hops(); ++t) {
      const std::int32_t v = w.nodes[static_cast<std::size_t>(t - 1)], u = w.nodes[static_cast<std::size_t>(t)];
      double weight = 0.0;
      for (std::int64_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e)
        if (g.neighbours[e] == u) weight = g.weights[e];
      ASSERT_NE(weight, 0.0) << "hop " << v << " -> " << u << " is not an edge";
      const double deg = static_cast<double>(g.offsets[v + 1] - g.offsets[v]);
      EXPECT_NEAR(w.loads[static_cast<std::size_t>(t)],
                  w.loads[static_cast<std::size_t>(t - 1)] * weight * deg / keep, 1e-12);
    }
  }
  EXPECT_GT(longest, 1);  // with 32 walkers and p = 0.1 some walker moves (fails only if tracing is broken)
  // Every (walker, step) visit appears exactly once in the accumulation order.
  std::size_t visits = 0;
  for (const TracedWalk& w : trace.walks) visits += w.nodes.size();
  EXPECT_EQ(trace.order.size(), visits);
  // The order is step-major and, within a step, by increasing walker id (walks.h).
  for (std::size_t k = 1; k < trace.order.size(); ++k) {
    const WalkTrace::Visit a = trace.order[k - 1], b = trace.order[k];
    EXPECT_TRUE(a.step < b.step || (a.step == b.step && a.walker < b.walker)) << "visit " << k;
  }
}

TEST(Walks, PartialRowsAreMeansOfSingleWalkers) {
  // phi from the first m walkers is the mean of the m single-walker rows: m row(m) - (m-1) row(m-1)
  // is walker m's own contribution sum_t load_t f_t e_{v_t}.
  const Graph g = gridGraph(6, 6);
  const WalkTrace trace = traceWalks(g, heat(0.5), opts(10, 0.2, 15, Sampling::Iid, Ensemble::Shared, 4), 14);
  for (int m = 2; m <= 10; ++m) {
    const Eigen::VectorXd own = m * traceRow(trace, m) - (m - 1) * traceRow(trace, m - 1);
    Eigen::VectorXd expected = Eigen::VectorXd::Zero(g.nodeCount());
    const TracedWalk& w = trace.walks[static_cast<std::size_t>(m - 1)];
    for (int t = 0; t <= w.hops(); ++t)
      expected[w.nodes[static_cast<std::size_t>(t)]] += w.loads[static_cast<std::size_t>(t)] * trace.f[static_cast<std::size_t>(t)];
    EXPECT_LT((own - expected).cwiseAbs().maxCoeff(), 1e-9) << "walker " << m;
  }
}

TEST(Walks, TruncatedWalksHoldWhatWasDepositedByThen) {
  // After t hops, walker k has deposited load_s f_s at nodes[s] for s <= min(t, its hops): the row of
  // the truncated trace is the mean of those sums (computed here walker by walker); at the longest
  // walk it is the full row bit for bit, at 0 hops f_0 at the source.
  const Graph g = gridGraph(6, 6);
  const WalkTrace trace = traceWalks(g, heat(0.5), opts(12, 0.2, 15, Sampling::Iid, Ensemble::Shared, 4), 20);
  int longest = 0;
  for (const TracedWalk& w : trace.walks) longest = std::max(longest, w.hops());
  ASSERT_GE(longest, 2);
  for (int t = 0; t <= longest + 1; ++t) {
    const WalkTrace cut = truncateWalks(trace, t);
    Eigen::VectorXd expected = Eigen::VectorXd::Zero(g.nodeCount());
    for (const TracedWalk& w : trace.walks)
      for (int s = 0; s <= std::min(t, w.hops()); ++s)
        expected[w.nodes[static_cast<std::size_t>(s)]] += w.loads[static_cast<std::size_t>(s)] * trace.f[static_cast<std::size_t>(s)];
    expected /= 12.0;
    EXPECT_LT((traceRow(cut, 12) - expected).cwiseAbs().maxCoeff(), 1e-12) << "after " << t << " hops";
    for (const TracedWalk& w : cut.walks) EXPECT_LE(w.hops(), t);
  }
  EXPECT_EQ(traceRow(truncateWalks(trace, longest), 12), traceRow(trace, 12));
  EXPECT_DOUBLE_EQ(traceRow(truncateWalks(trace, 0), 12)[20], trace.f[0]);
  EXPECT_THROW(truncateWalks(trace, -1), Error);
}

TEST(Walks, FirstWalkersWithTheLastCut) {
  // m walkers, the m-th after h hops: (m - 1) finished walkers' sums plus the m-th's first h + 1
  // deposits, over m (computed walker by walker); with h past its end it is traceRow(trace, m).
  const Graph g = gridGraph(6, 6);
  const WalkTrace trace = traceWalks(g, heat(0.5), opts(6, 0.2, 15, Sampling::Iid, Ensemble::Shared, 4), 9);
  for (int m = 1; m <= 6; ++m) {
    const TracedWalk& lastWalk = trace.walks[static_cast<std::size_t>(m - 1)];
    for (int h = 0; h <= lastWalk.hops(); ++h) {
      Eigen::VectorXd expected = Eigen::VectorXd::Zero(g.nodeCount());
      for (int k = 0; k < m; ++k) {
        const TracedWalk& w = trace.walks[static_cast<std::size_t>(k)];
        const int upTo = k == m - 1 ? h : w.hops();
        for (int s = 0; s <= upTo; ++s)
          expected[w.nodes[static_cast<std::size_t>(s)]] += w.loads[static_cast<std::size_t>(s)] * trace.f[static_cast<std::size_t>(s)];
      }
      expected /= m;
      const WalkTrace cut = firstWalks(trace, m, h);
      ASSERT_EQ(static_cast<int>(cut.walks.size()), m);
      EXPECT_EQ(cut.walks.back().hops(), h);
      EXPECT_LT((traceRow(cut, m) - expected).cwiseAbs().maxCoeff(), 1e-12) << m << " walkers, " << h << " hops";
    }
    EXPECT_EQ(traceRow(firstWalks(trace, m, lastWalk.hops() + 3), m), traceRow(trace, m));
  }
  EXPECT_THROW(firstWalks(trace, 0, 0), Error);
  EXPECT_THROW(firstWalks(trace, 7, 0), Error);
  EXPECT_THROW(firstWalks(trace, 1, -1), Error);
}

TEST(Walks, Errors) {
  const Graph g = gridGraph(3, 3);
  EXPECT_THROW(traceWalks(g, heat(1.0), opts(4, 0.1, 5, Sampling::Iid, Ensemble::Shared, 0), 9), Error);
  EXPECT_THROW(traceWalks(g, heat(1.0), opts(3, 0.1, 5, Sampling::Antithetic, Ensemble::Shared, 0), 0), Error);
  const WalkTrace trace = traceWalks(g, heat(1.0), opts(4, 0.1, 5, Sampling::Iid, Ensemble::Shared, 0), 0);
  EXPECT_THROW(traceRow(trace, 0), Error);
  EXPECT_THROW(traceRow(trace, 5), Error);
}

}  // namespace
}  // namespace topomask

#include "topomask/grf/matrix_view.h"

namespace topomask {
namespace {

TEST(Walks, MaskRowFromAllWalkersIsTheEstimateRow) {
  const Graph g = testing::gridGraph(6, 5);
  GrfOptions o = opts(8, 0.2, 10, Sampling::Iid, Ensemble::Shared, 2);
  const MaskFunction mask = heat(0.6);
  const GrfFeatures features = sampleFeatures(g, mask, o);
  const SparseFeatures keyT = transpose(features.key());
  for (std::int64_t i : {0, 7, 29}) {
    const WalkTrace trace = traceWalks(g, mask, o, i);
    const Eigen::VectorXd expected = estimateRow(features.query(), keyT, i);
    const Eigen::VectorXd got = traceMaskRow(trace, o.walkers, keyT);
    // Same products of the same floats, summed in another order: relative rounding only.
    EXPECT_LT((got - expected).cwiseAbs().maxCoeff(), 1e-12 * (1.0 + expected.cwiseAbs().maxCoeff()));
  }
}

TEST(MatrixView, MortonOrderKeepsNeighboursCloseAndSamplesAreBlocks) {
  const Graph g = testing::gridGraph(16, 16);
  Eigen::MatrixX3d grid(256, 3);  // node y * 16 + x at (x, y, 0): the grid's own geometry
  for (int i = 0; i < 256; ++i) grid.row(i) << i % 16, i / 16, 0.0;
  const std::vector<std::int64_t> order = mortonOrder(grid);
  ASSERT_EQ(order.size(), 256u);
  std::vector<std::int64_t> sorted = order;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t k = 0; k < 256; ++k) EXPECT_EQ(sorted[static_cast<std::size_t>(k)], k);  // a permutation
  // Consecutive nodes on a Z-curve over a 16 x 16 grid: the first four are a 2 x 2 block.
  double span = 0;
  for (int k = 0; k < 4; ++k)
    span = std::max(span, (grid.row(order[static_cast<std::size_t>(k)]) - grid.row(order[0])).norm());
  EXPECT_LE(span, 1.5);
  // Along the whole curve, consecutive nodes are on average close (a random order averages ~7.5 cells).
  double meanStep = 0;
  for (int k = 1; k < 256; ++k)
    meanStep += (grid.row(order[static_cast<std::size_t>(k)]) - grid.row(order[static_cast<std::size_t>(k - 1)])).norm() / 255;
  EXPECT_LT(meanStep, 2.0);

  MaskOperator op(g, heat(0.5));
  GrfOptions o = opts(8, 0.2, 10, Sampling::Iid, Ensemble::Shared, 2);
  const GrfFeatures features = sampleFeatures(g, heat(0.5), o);
  const SparseFeatures keyT = transpose(features.key());
  const MatrixBlocks blocks = matrixBlocks(op, features.query(), keyT, grid, 40);
  ASSERT_EQ(blocks.nodes.size(), 40u);
  EXPECT_TRUE(blocks.sampled);
  for (int a = 0; a < 40; a += 7)
    for (int b = 0; b < 40; b += 5) {
      const std::int64_t i = blocks.nodes[static_cast<std::size_t>(a)], j = blocks.nodes[static_cast<std::size_t>(b)];
      EXPECT_NEAR(blocks.exact(a, b), op.row(i)[j], 1e-12);
      EXPECT_NEAR(blocks.estimate(a, b), estimateRow(features.query(), keyT, i)[j], 1e-12);
    }
  EXPECT_FALSE(matrixBlocks(op, features.query(), keyT, grid, 1000).sampled);
}

}  // namespace
}  // namespace topomask
