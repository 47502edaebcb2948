// GRF sampler and sparse features: structure, exact small cases, reproducibility across threads,
// option errors, and agreement of the estimate routines (rows, dense, products).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <string>
#include <utility>
#include <vector>

#include "support/test_graphs.h"
#include "test_grf_support.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"

namespace topomask {
namespace {

using testing::cycleGraph;
using testing::gridGraph;
using testing::irregularGraph;

using testing::opts;

MaskSpec heatSpec(double beta) {
  MaskSpec m;
  m.preset = MaskPreset::Heat;
  m.beta = beta;
  return m;
}

const Sampling kSchemes[] = {Sampling::Iid, Sampling::Antithetic, Sampling::Repelling};
const Ensemble kEnsembles[] = {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric};

TEST(GrfSampler, FeaturesAreValidSortedCsrWithinTheNonZeroBound) {
  const Graph g = gridGraph(12, 10);
  const MaskFunction heat;
  for (Sampling s : kSchemes)
    for (Ensemble e : kEnsembles) {
      const GrfOptions o = opts(6, 0.2, 7, s, e);
      const GrfFeatures f = sampleFeatures(g, heat, o);
      for (const SparseFeatures* side : {&f.query(), &f.key()}) {
        ASSERT_TRUE(side->valid()) << samplingName(s) << "/" << ensembleName(e);
        EXPECT_EQ(side->rows, g.nodeCount());
        EXPECT_EQ(side->cols, g.nodeCount());
        EXPECT_LE(side->maxNonZerosPerRow(), o.walkers * (o.maxLength + 1));
        EXPECT_EQ(side->bytes(), 8 * (side->rows + 1) + 8 * side->nonZeros());
      }
      EXPECT_EQ(f.keyIsQuery(), e == Ensemble::Shared);
      EXPECT_EQ(f.visits, f.hops + (e == Ensemble::Independent ? 2 : 1) * g.nodeCount() * o.walkers);
    }
}

// Rows a..b-1 of one side, bit for bit those rows of sampleFeatures, for every scheme and ensemble,
// a symmetric and a non-symmetric W, and shards that cross the sampler's 2048-node blocks.
bool sameRows(const SparseFeatures& full, const SparseFeatures& shard, std::int64_t a) {
  if (shard.cols != full.cols || !shard.valid()) return false;
  const std::int64_t first = full.offsets[static_cast<std::size_t>(a)];
  for (std::int64_t r = 0; r <= shard.rows; ++r)
    if (shard.offsets[static_cast<std::size_t>(r)] != full.offsets[static_cast<std::size_t>(a + r)] - first) return false;
  if (shard.indices.empty()) return shard.values.empty();  // memcmp must not see a null pointer, even for 0 bytes
  return std::memcmp(shard.indices.data(), full.indices.data() + first, shard.indices.size() * sizeof(std::int32_t)) == 0 &&
         std::memcmp(shard.values.data(), full.values.data() + first, shard.values.size() * sizeof(float)) == 0;
}

TEST(GrfSampler, NodeRangesAreBitForBitRowsOfTheFullFeatures) {
  const MaskFunction heat;
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk}) {
    const Graph g = gridGraph(70, 60, norm);  // 4200 nodes: three sampler blocks
    const std::int64_t n = g.nodeCount();
    for (Sampling s : kSchemes)
      for (Ensemble e : kEnsembles) {
        GrfOptions o = opts(4, 0.2, 5, s, e);
        o.threads = 2;
        const GrfFeatures full = sampleFeatures(g, heat, o);
        o.threads = 1;
        for (const auto& [a, b] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, n}, {0, 1}, {7, 2049}, {2047, n}, {n - 1, n}, {5, 5}}) {
          const SparseFeatures q = sampleFeatureRows(g, heat, o, GrfSide::Query, a, b);
          const SparseFeatures k = sampleFeatureRows(g, heat, o, GrfSide::Key, a, b);
          EXPECT_EQ(q.rows, b - a);
          EXPECT_TRUE(sameRows(full.query(), q, a)) << samplingName(s) << " " << ensembleName(e) << " " << a << ":" << b;
          EXPECT_TRUE(sameRows(full.key(), k, a)) << samplingName(s) << " " << ensembleName(e) << " " << a << ":" << b;
        }
      }
  }
}

TEST(GrfSampler, NodeRangesOutsideTheGraphAreUsageErrors) {
  const Graph g = gridGraph(4, 4);
  const MaskFunction heat;
  const GrfOptions o = opts(4, 0.2, 5, Sampling::Iid, Ensemble::Shared);
  for (const auto& [a, b] : std::vector<std::pair<std::int64_t, std::int64_t>>{{-1, 3}, {3, 2}, {0, 17}}) {
    try {
      (void)sampleFeatureRows(g, heat, o, GrfSide::Query, a, b);
      ADD_FAILURE() << a << ":" << b << " accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.kind(), Error::Kind::Usage);
      EXPECT_NE(std::string(error.what()).find("node range"), std::string::npos) << error.what();
    }
  }
}

TEST(GrfSampler, ConstantModulationGivesTheDiagonalF0) {
  // f = (1.5): walking past step 0 adds nothing, so the walks stop at once, Phi = f_0 I and
  // M_hat = alpha_0 I exactly.
  const Graph g = irregularGraph();
  MaskSpec spec;
  spec.preset = MaskPreset::CustomF;
  spec.f = {1.5};
  const MaskFunction constant(spec);
  const GrfFeatures c = sampleFeatures(g, constant, opts(3, 0.3, 5));
  EXPECT_EQ(c.lengthUsed, 0);
  EXPECT_EQ(c.hops, 0);
  EXPECT_MATRIX_NEAR(c.query().dense(), 1.5 * Eigen::MatrixXd::Identity(9, 9), 0.0);
  EXPECT_MATRIX_NEAR(estimateDense(c.query(), c.key()), 2.25 * Eigen::MatrixXd::Identity(9, 9), 1e-6);
}

TEST(GrfSampler, FixedLengthWalksOnACycleHaveUnitLoads) {
  // Cycle with W = D^-1/2 A D^-1/2 = A / 2: W[v,u] deg(v) = 1, so with p_halt = 0 every load is 1 and
  // each walker adds f_t at its position at step t: row sums equal sum_t f_t exactly (up to float).
  const Graph g = cycleGraph(11);
  const MaskFunction heat(heatSpec(1.0));
  const std::vector<double> f = heat.modulation(4);
  const double rowSum = f[0] + f[1] + f[2] + f[3];
  for (Sampling s : kSchemes) {
    const GrfFeatures phi = sampleFeatures(g, heat, opts(4, 0.0, 3, s));
    EXPECT_EQ(phi.hops, 11 * 4 * 3);
    const Eigen::MatrixXd d = phi.query().dense();
    for (Eigen::Index i = 0; i < d.rows(); ++i) EXPECT_NEAR(d.row(i).sum(), rowSum, 1e-6) << samplingName(s);
    // Entry i itself collects f_0 from every walker, plus f_2 from walkers that came back.
    for (Eigen::Index i = 0; i < d.rows(); ++i) EXPECT_GE(d(i, i), f[0] - 1e-7);
  }
}

TEST(GrfSampler, RepellingWalkersSplitOverTheNeighbours) {
  // Two walkers on a cycle (degree 2) with one fixed hop take both neighbours: phi(i) has f_1 / 2 on
  // each side, always. The i.i.d. scheme puts both on one side half of the time.
  const Graph g = cycleGraph(9);
  const MaskFunction heat;
  const double f1 = heat.modulation(2)[1];
  const GrfFeatures phi = sampleFeatures(g, heat, opts(2, 0.0, 1, Sampling::Repelling));
  const Eigen::MatrixXd d = phi.query().dense();
  for (int i = 0; i < 9; ++i) {
    EXPECT_NEAR(d(i, (i + 1) % 9), f1 / 2, 1e-7);
    EXPECT_NEAR(d(i, (i + 8) % 9), f1 / 2, 1e-7);
  }
  const Eigen::MatrixXd iid = sampleFeatures(g, heat, opts(2, 0.0, 1, Sampling::Iid)).query().dense();
  int together = 0;
  for (int i = 0; i < 9; ++i) together += std::abs(iid(i, (i + 1) % 9) - f1 / 2) > 1e-7;
  EXPECT_GT(together, 0);  // 9 rows, each with probability 1/2: P(no row together) = 2^-9
}

TEST(GrfSampler, AntitheticPairsNeverHaltTogetherBelowOneHalf) {
  // With p_halt = 0.5 the pair's uniforms u, u + 1/2 mod 1 put exactly one of them below 1/2: at the
  // first step one walker of every pair halts and the other moves, so hops are at least n/2 per node.
  const Graph g = cycleGraph(20);
  const MaskFunction heat;
  const GrfFeatures phi = sampleFeatures(g, heat, opts(8, 0.5, 1, Sampling::Antithetic));
  EXPECT_EQ(phi.hops, 20 * 4);
  const GrfFeatures iid = sampleFeatures(g, heat, opts(8, 0.5, 1, Sampling::Iid));
  EXPECT_NE(iid.hops, 20 * 4);  // Binomial(160, 1/2) = 80 has probability 0.063; seed 1 is not it
}

TEST(GrfSampler, IsolatedNodesKeepOnlyTheirOwnEntry) {
  const Graph g = irregularGraph();  // node 8 is isolated
  const MaskFunction heat;
  const GrfFeatures phi = sampleFeatures(g, heat, opts(5, 0.1, 10));
  ASSERT_EQ(phi.query().rowNonZeros(8), 1);
  EXPECT_EQ(phi.query().indices[phi.query().offsets[8]], 8);
  EXPECT_FLOAT_EQ(phi.query().values[phi.query().offsets[8]], 1.0f);
}

TEST(GrfSampler, AsymmetricKeyIsTheIdentityAndQueryUsesAlpha) {
  const Graph g = cycleGraph(7);
  const MaskFunction heat(heatSpec(2.0));
  const GrfFeatures phi = sampleFeatures(g, heat, opts(4, 0.0, 2, Sampling::Iid, Ensemble::Asymmetric));
  EXPECT_MATRIX_NEAR(phi.key().dense(), Eigen::MatrixXd::Identity(7, 7), 0.0);
  const std::vector<double> a = heat.alpha(3);
  for (int i = 0; i < 7; ++i) EXPECT_NEAR(phi.query().dense().row(i).sum(), a[0] + a[1] + a[2], 1e-5);
}

TEST(GrfSampler, BitIdenticalForOneAndTwoThreads) {
  // 64 x 40 = 2560 nodes: more than one work block, so two threads really split the rows.
  const Graph g = gridGraph(64, 40, Normalisation::Symmetric, 0.5);
  const Graph rw = gridGraph(64, 40, Normalisation::RandomWalk, 0.5);
  const MaskFunction heat;
  for (const Graph* graph : {&g, &rw})
    for (Sampling s : kSchemes)
      for (Ensemble e : kEnsembles) {
        GrfOptions o = opts(4, 0.25, 12, s, e, 77);
        o.threads = 1;
        const GrfFeatures one = sampleFeatures(*graph, heat, o);
        o.threads = 2;
        const GrfFeatures two = sampleFeatures(*graph, heat, o);
        for (int side = 0; side < 2; ++side) {
          const SparseFeatures& a = side ? one.key() : one.query();
          const SparseFeatures& b = side ? two.key() : two.query();
          EXPECT_EQ(a.offsets, b.offsets);
          EXPECT_EQ(a.indices, b.indices);
          ASSERT_EQ(a.values.size(), b.values.size());
          EXPECT_EQ(0, std::memcmp(a.values.data(), b.values.data(), a.values.size() * sizeof(float)))
              << samplingName(s) << "/" << ensembleName(e);
        }
        EXPECT_EQ(one.hops, two.hops);
      }
}

TEST(GrfSampler, SeedsChangeTheSampleAndEnsemblesAreIndependent) {
  const Graph g = gridGraph(8, 8);
  const MaskFunction heat;
  const GrfFeatures a = sampleFeatures(g, heat, opts(4, 0.3, 20, Sampling::Iid, Ensemble::Independent, 1));
  const GrfFeatures b = sampleFeatures(g, heat, opts(4, 0.3, 20, Sampling::Iid, Ensemble::Independent, 2));
  EXPECT_NE(a.query().indices, b.query().indices);
  EXPECT_NE(a.query().indices, a.key().indices);
  // The shared ensemble's query is the independent ensemble's query for the same seed (substream 0).
  const GrfFeatures s = sampleFeatures(g, heat, opts(4, 0.3, 20, Sampling::Iid, Ensemble::Shared, 1));
  EXPECT_EQ(s.query().indices, a.query().indices);
  EXPECT_EQ(s.query().values, a.query().values);
}

TEST(GrfSampler, RandomWalkNormalisationUsesTransposedLoadsOnTheKeySide) {
  // Shared ensemble on the non-symmetric W_rw: the key reuses the query's walks (same columns) with
  // the loads of W^T; the columns are identical, the values differ.
  const Graph g = irregularGraph(Normalisation::RandomWalk);
  const MaskFunction heat;
  const GrfFeatures phi = sampleFeatures(g, heat, opts(4, 0.3, 10));
  EXPECT_FALSE(phi.keyIsQuery());
  EXPECT_EQ(phi.query().indices, phi.key().indices);
  EXPECT_NE(phi.query().values, phi.key().values);
}

TEST(GrfSampler, RejectsBadOptionsWithUsageErrors) {
  const Graph g = cycleGraph(5);
  const MaskFunction heat;
  auto kindOf = [&](const GrfOptions& o) {
    try {
      sampleFeatures(g, heat, o);
    } catch (const Error& e) {
      return e.kind();
    }
    return Error::Kind::Input;  // "did not throw" is reported as a wrong kind below
  };
  EXPECT_EQ(kindOf(opts(3, 0.2, 5, Sampling::Antithetic)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(0, 0.2, 5)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(2, 1.0, 5)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(2, -0.1, 5)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(2, 0.0, 0)), Error::Kind::Usage);
  EXPECT_NO_THROW(sampleFeatures(g, heat, opts(4, 0.2, 5, Sampling::Antithetic)));
  EXPECT_NO_THROW(sampleFeatures(g, heat, opts(2, 0.2, 0)));  // no cap: internal cap
  // Bounds that keep the arithmetic on them from overflowing (L_max = 2^31 - 1 crashed: cap + 1).
  EXPECT_EQ(kindOf(opts(2, 0.2, 2147483647)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(2, 0.2, kMaxWalkLength + 1)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(kMaxWalkers + 1, 0.2, 5)), Error::Kind::Usage);
  EXPECT_EQ(kindOf(opts(2147483647, 0.2, 5)), Error::Kind::Usage);
  EXPECT_NO_THROW(sampleFeatures(g, heat, opts(2, 0.2, kMaxWalkLength)));
}

// The predicted cost: expected hops within a few standard errors of the walked hops, memory never
// below what the features take, and a budget or step count beyond the limits refused before work.
TEST(GrfSampler, PredictedCostMatchesTheWalksAndBoundsTheWork) {
  const Graph g = gridGraph(64, 64);  // 4096 nodes, no dead ends: walks stop by halting or at L_max
  const MaskFunction heat;
  const GrfOptions o = opts(16, 0.1, 64);
  const GrfCost cost = estimateGrfCost(g.nodeCount(), heat, o);
  const GrfFeatures phi = sampleFeatures(g, heat, o);
  // Hops per walker: sum of 65536 i.i.d. truncated geometric counts (mean 8.99, variance < 90), so
  // the mean's standard error is < sqrt(90 / 65536) = 0.037, 0.4 % of the mean: 3 % is > 7 sigma.
  EXPECT_NEAR(static_cast<double>(phi.hops) / cost.hops, 1.0, 0.03);
  EXPECT_GE(cost.bytes, static_cast<double>(phi.query().bytes()));
  EXPECT_LE(cost.bytes, 8.0 * static_cast<double>(phi.query().bytes()));  // and not absurdly above

  GrfOptions tight = o;
  tight.memoryLimit = static_cast<std::uint64_t>(cost.bytes / 2);
  try {
    sampleFeatures(g, heat, tight);
    ADD_FAILURE() << "a budget of half the estimate was accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
    EXPECT_NE(std::string(e.what()).find("memory"), std::string::npos) << e.what();
  }
  // 65536 walkers of ~4096 hops on a 10^6-node graph: far beyond the step limit, refused at once.
  GrfOptions huge = opts(kMaxWalkers, 0.0, kMaxWalkLength);
  EXPECT_THROW(checkGrfCost(1000000, heat, huge), Error);
}

TEST(GrfSampler, OverflowingLoadsAreReportedNotReturned) {
  // sigma = 1e200 makes the loads W deg / (1 - p) ~ 1e200 per hop: infinite after two hops.
  const Graph g = cycleGraph(6, Normalisation::Symmetric, 1e200);
  const MaskFunction heat;
  try {
    sampleFeatures(g, heat, opts(4, 0.0, 4));
    FAIL() << "expected a numeric error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Numeric);
  }
}

TEST(GrfSampler, CancellationStopsTheSampler) {
  const Graph g = gridGraph(64, 64);
  const MaskFunction heat;
  Progress progress;
  progress.cancel();
  EXPECT_THROW(sampleFeatures(g, heat, opts(4, 0.2, 10), &progress), Cancelled);
}

TEST(GrfFeatures, TransposeRowsDenseAndProductsAgree) {
  const Graph g = gridGraph(9, 7);
  const MaskFunction heat;
  for (Ensemble e : kEnsembles) {
    const GrfFeatures phi = sampleFeatures(g, heat, opts(5, 0.3, 8, Sampling::Iid, e, 3));
    const Eigen::MatrixXd q = phi.query().dense(), k = phi.key().dense();
    const SparseFeatures keyT = transpose(phi.key());
    ASSERT_TRUE(keyT.valid());
    EXPECT_MATRIX_NEAR(keyT.dense(), k.transpose(), 0.0);
    const SparseFeatures back = transpose(keyT);
    EXPECT_EQ(back.indices, phi.key().indices);
    EXPECT_EQ(back.offsets, phi.key().offsets);

    const Eigen::MatrixXd mhat = q * k.transpose();
    EXPECT_MATRIX_NEAR(estimateDense(phi.query(), phi.key()), mhat, 1e-12);
    for (std::int64_t i : {0, 17, 62}) {
      EXPECT_MATRIX_NEAR(estimateRow(phi.query(), keyT, i), mhat.row(i).transpose(), 1e-12);
      const SparseRow row = estimateRowSparse(phi.query(), keyT, i);
      Eigen::VectorXd expanded = Eigen::VectorXd::Zero(g.nodeCount());
      for (std::size_t t = 0; t < row.indices.size(); ++t) {
        if (t > 0) {
          EXPECT_LT(row.indices[t - 1], row.indices[t]);
        }
        expanded[row.indices[t]] = row.values[t];
      }
      EXPECT_MATRIX_NEAR(expanded, mhat.row(i).transpose(), 1e-12);
    }
    Eigen::MatrixXd x(g.nodeCount(), 3);
    for (Eigen::Index r = 0; r < x.rows(); ++r) x.row(r) << std::sin(r), std::cos(0.3 * r), 1.0;
    EXPECT_MATRIX_NEAR(applyEstimate(phi.query(), phi.key(), x, 1), mhat * x, 1e-11);
    EXPECT_MATRIX_NEAR(applyEstimate(phi.query(), phi.key(), x, 2), mhat * x, 1e-11);
  }
}

TEST(GrfFeatures, IdentityAndErrors) {
  const SparseFeatures id = identityFeatures(4);
  EXPECT_TRUE(id.valid());
  EXPECT_MATRIX_NEAR(id.dense(), Eigen::MatrixXd::Identity(4, 4), 0.0);
  EXPECT_THROW(estimateRow(id, id, 4), Error);
  EXPECT_THROW(estimateDense(id, id, 3), Error);
  EXPECT_THROW(applyEstimate(id, id, Eigen::MatrixXd::Zero(3, 1)), Error);
}

}  // namespace
}  // namespace topomask
