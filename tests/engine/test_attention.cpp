// Attention: algorithms that compute the same quantity agree to round-off; rows sum to 1; guards are
// counted; the GRF-masked output converges to the exact-masked one as walkers are added.
#include <cmath>
#include <fstream>

#include <limits>

#include <gtest/gtest.h>

#include "support/test_graphs.h"
#include "topomask/attention/attention.h"
#include "topomask/attention/tokens.h"
#include "topomask/core/error.h"
#include "topomask/core/npy.h"
#include "topomask/core/rng.h"
#include "topomask/graph/build.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask {
namespace {

using testing::gridGraph;
using testing::irregularGraph;

// Random node features (N x 4) for tokens that do not depend on the graph's geometry.
Eigen::MatrixXd randomFeatures(std::int64_t n, std::uint64_t seed) {
  Eigen::MatrixXd x(n, 4);
  for (std::int64_t i = 0; i < n; ++i) {
    Rng rng(seed, static_cast<std::uint64_t>(i));
    for (int c = 0; c < 4; ++c) x(i, c) = rng.normal();
  }
  return x;
}

AttentionInputs inputsFor(std::int64_t n, FeatureMapKind kind = FeatureMapKind::Relu, int d = 6) {
  FeatureMap map;
  map.kind = kind;
  map.features = 8;
  map.seed = 5;
  return makeAttentionInputs(makeTokens(randomFeatures(n, 11), d, 3), map);
}

MaskSpec heatSpec(double beta) {
  MaskSpec s;
  s.preset = MaskPreset::Heat;
  s.beta = beta;
  return s;
}

double relDiff(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) { return relativeError(a, b); }

TEST(Tokens, PositionsAreCentredWithUnitDiagonalAndBiasColumn) {
  Graph g = gridGraph(5, 3);
  g.positions.resize(15, 3);
  for (int i = 0; i < 15; ++i) g.positions.row(i) << 10.0 + 2.0 * (i % 5), -4.0 + 2.0 * (i / 5), 7.0;
  TokenOptions o;
  o.features = {NodeFeature::Position};
  const Eigen::MatrixXd x = nodeFeatures(g, o);
  ASSERT_EQ(x.rows(), 15);
  ASSERT_EQ(x.cols(), 4);
  const Eigen::RowVectorXd lo = x.leftCols(3).colwise().minCoeff(), hi = x.leftCols(3).colwise().maxCoeff();
  EXPECT_NEAR((hi - lo).norm(), 1.0, 1e-12);
  EXPECT_NEAR((hi + lo).norm(), 0.0, 1e-12);
  EXPECT_TRUE((x.col(3).array() == 1.0).all());
  o.features = {NodeFeature::Normal};
  EXPECT_THROW(nodeFeatures(g, o), Error);
}

TEST(Tokens, FeatureFileRowCountMustEqualN) {
  const Graph g = gridGraph(3, 2);
  const std::string dir = testing::tempDir("attn-features");
  {
    std::ofstream csv(dir + "/f.csv");
    csv << "a,b\n# comment\n";
    for (int i = 0; i < 6; ++i) csv << i << "," << 0.5 * i << "\n";
  }
  TokenOptions o;
  o.featureFile = dir + "/f.csv";
  const Eigen::MatrixXd x = nodeFeatures(g, o);
  EXPECT_EQ(x.rows(), 6);
  EXPECT_EQ(x.cols(), 3);
  EXPECT_DOUBLE_EQ(x(4, 1), 2.0);
  writeNpy(dir + "/f.npy", Eigen::MatrixXd::Ones(5, 2).eval());
  o.featureFile = dir + "/f.npy";
  try {
    nodeFeatures(g, o);
    FAIL() << "expected an error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("5 rows, the graph has 6 nodes"), std::string::npos) << e.what();
  }
  o.featureFile = dir + "/missing.csv";
  EXPECT_THROW(nodeFeatures(g, o), Error);
}

TEST(Tokens, SeededAndFeatureMapsPositive) {
  const Eigen::MatrixXd x = randomFeatures(50, 1);
  const Tokens a = makeTokens(x, 16, 7), b = makeTokens(x, 16, 7), c = makeTokens(x, 16, 8);
  EXPECT_EQ(a.queries, b.queries);
  EXPECT_NE(a.queries, c.queries);
  for (auto kind : {FeatureMapKind::Relu, FeatureMapKind::Elu, FeatureMapKind::Favor}) {
    FeatureMap map;
    map.kind = kind;
    map.features = 32;
    const Eigen::MatrixXd phi = applyFeatureMap(map, a.queries, 2);
    EXPECT_EQ(phi.cols(), featureCount(map, 16));
    EXPECT_GT(phi.minCoeff(), 0.0) << featureMapName(kind);
  }
}

TEST(Tokens, FavorApproximatesTheSoftmaxKernel) {
  // FAVOR+ is unbiased for exp(q.k / sqrt(d)) up to the per-matrix constants, which cancel in
  // normalised attention. With m = 4096 features the relative standard deviation of each kernel
  // entry is about sqrt((e^{|q+k|^2/sqrt(d)} - 1) / m) < 0.1 for these small tokens; the attention
  // rows (averages of many entries) are then within 5% in L1 (observed ~1%).
  const Eigen::MatrixXd x = randomFeatures(40, 2) * 0.5;
  FeatureMap map;
  map.kind = FeatureMapKind::Favor;
  map.features = 4096;
  const AttentionInputs in = makeAttentionInputs(makeTokens(x, 8, 1), map);
  for (std::int64_t i : {0, 17, 39}) {
    const Eigen::VectorXd soft = attentionRow(in, DenseKernel::Softmax, {}, i);
    const Eigen::VectorXd favor = attentionRow(in, DenseKernel::FeatureMap, {}, i);
    EXPECT_LT((soft - favor).lpNorm<1>(), 0.05);
  }
}

TEST(Attention, LinearEqualsDenseWithAllOnesMask) {
  const AttentionInputs in = inputsFor(70, FeatureMapKind::Elu);
  const AttentionOutput lin = linearAttention(in);
  const AttentionOutput none = denseAttention(in, DenseKernel::FeatureMap, Eigen::MatrixXd());
  const AttentionOutput ones = denseAttention(in, DenseKernel::FeatureMap, Eigen::MatrixXd::Ones(70, 70).eval());
  EXPECT_LT(relDiff(lin.out, none.out), 1e-12);
  EXPECT_LT(relDiff(lin.out, ones.out), 1e-12);
  EXPECT_LT(relDiff(lin.received, ones.received), 1e-12);
  EXPECT_NEAR(lin.received.sum(), 70.0, 1e-9);  // every row sums to 1
  EXPECT_EQ(lin.guardedRows, 0);
}

// Dense with the exact mask (eigendecomposition) against exact masked linear attention by
// propagation (Horner, tail below 1e-9 relative, hence ~1e-9 agreement), symmetric and random-walk W.
TEST(Attention, ExactMaskedByPropagationEqualsDense) {
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk}) {
    for (const Graph& g : {gridGraph(7, 6, norm), irregularGraph(norm)}) {
      const MaskFunction fn(heatSpec(1.0));
      const Eigen::MatrixXd m = denseMask(g, fn);
      MaskOperatorOptions mo;
      mo.relTolerance = 1e-12;
      const MaskOperator op(g, fn, mo);
      const AttentionInputs in = inputsFor(g.nodeCount());
      AttentionOptions o;
      o.featureChunk = 3;  // m = 6 features in two chunks
      const AttentionOutput dense = denseAttention(in, DenseKernel::FeatureMap, m, o);
      const AttentionOutput prop = exactMaskedAttention(in, op, o);
      EXPECT_LT(relDiff(prop.out, dense.out), 1e-9);
      EXPECT_LT(relDiff(prop.received, dense.received), 1e-9);
      EXPECT_EQ(prop.guardedRows, dense.guardedRows);
      // The display row of a query, from the exact mask row, reproduces the output row.
      for (std::int64_t i : {std::int64_t{0}, g.nodeCount() - 1}) {
        const Eigen::VectorXd a = attentionRow(in, DenseKernel::FeatureMap, op.row(i), i, prop.floor);
        EXPECT_NEAR(a.sum(), 1.0, 1e-9);
        EXPECT_LT((in.values.transpose() * a - prop.out.row(i).transpose()).norm(), 1e-9 * (1 + prop.out.row(i).norm()));
      }
    }
  }
}

// The O(N) GRF algorithm is exact algebra for its estimate: against dense attention with
// M_hat = Phi_Q Phi_K^T from the same features, both in double precision, they agree to round-off,
// for every ensemble (asymmetric gives a non-symmetric M_hat and a different Phi_K).
TEST(Attention, GrfMaskedEqualsDenseWithTheSameEstimate) {
  const Graph g = gridGraph(9, 8);
  const MaskFunction fn(heatSpec(1.0));
  const AttentionInputs in = inputsFor(g.nodeCount(), FeatureMapKind::Favor);
  for (Ensemble ens : {Ensemble::Shared, Ensemble::Independent, Ensemble::Asymmetric}) {
    GrfOptions go;
    go.walkers = 8;
    go.pHalt = 0.2;
    go.ensemble = ens;
    go.seed = 4;
    const GrfFeatures f = sampleFeatures(g, fn, go);
    const SparseRowsView q = viewOf(f.query()), k = viewOf(f.key());
    const Eigen::MatrixXd mhat = grfDenseEstimate(q, k);
    EXPECT_LT((mhat - estimateDense(f.query(), f.key())).cwiseAbs().maxCoeff(), 1e-12);
    AttentionOptions o;
    o.featureChunk = 3;  // m = 8: chunks of 3, 3, 2
    const AttentionOutput dense = denseAttention(in, DenseKernel::FeatureMap, mhat, o);
    const AttentionOutput grf = grfMaskedAttention(in, f, o);
    EXPECT_LT(relDiff(grf.out, dense.out), 1e-11) << ensembleName(ens);
    EXPECT_LT(relDiff(grf.received, dense.received), 1e-11) << ensembleName(ens);
    EXPECT_LT(relDiff(grf.normaliser, dense.normaliser), 1e-11);
    EXPECT_EQ(grf.guardedRows, dense.guardedRows);
    const std::int64_t i = 40;
    const Eigen::VectorXd row = grfMaskRow(q, k, i);
    EXPECT_LT((row - mhat.row(i).transpose()).norm(), 1e-12);
    const Eigen::VectorXd a = attentionRow(in, DenseKernel::FeatureMap, row, i, grf.floor);
    EXPECT_LT((in.values.transpose() * a - grf.out.row(i).transpose()).norm(), 1e-10 * (1 + grf.out.row(i).norm()));
  }
}

// On a pixel grid the GRF algorithm visits nodes in Morton-ordered 16 x 16 tiles (gridWidth): the same
// sums in another order, so the result equals node-id order to round-off; also for sizes that are not
// multiples of the tile (partial tiles on the right and bottom edges). Likewise with S in blocks.
TEST(Attention, GrfMaskedTileOrderEqualsIdOrder) {
  GraphOptions go;
  go.kind = GraphKind::Grid4;
  const Graph g = buildGraph(makeImageScene(37, 23, 0), go);
  ASSERT_EQ(g.gridWidth, 37);
  const AttentionInputs in = inputsFor(g.nodeCount());
  GrfOptions gro;
  gro.walkers = 4;
  gro.pHalt = 0.3;
  gro.seed = 9;
  const GrfFeatures f = sampleFeatures(g, MaskFunction(heatSpec(1.0)), gro);
  AttentionOptions ids;
  ids.featureChunk = 2;
  AttentionOptions tiles = ids;
  tiles.gridWidth = g.gridWidth;
  const AttentionOutput a = grfMaskedAttention(in, f, ids);
  const AttentionOutput b = grfMaskedAttention(in, f, tiles);
  EXPECT_LT(relDiff(a.out, b.out), 1e-12);
  EXPECT_LT(relDiff(a.received, b.received), 1e-12);
  EXPECT_GT(a.out.norm(), 0.0);
  // S in blocks of 40 columns (22 blocks; a row's columns span several of them), in tile and id
  // order: the same sums split at block boundaries, so round-off only, and bit-identical for 1 and 2
  // threads.
  for (const AttentionOptions* base : {&ids, &tiles}) {
    for (const int chunk : {2, 0}) {  // 0: automatic, all features in one pass
      AttentionOptions blocked = *base;
      blocked.featureChunk = chunk;
      blocked.grfBlockColumns = 40;
      blocked.threads = 1;
      const AttentionOutput c = grfMaskedAttention(in, f, blocked);
      EXPECT_LT(relDiff(a.out, c.out), 1e-12);
      EXPECT_LT(relDiff(a.received, c.received), 1e-12);
      blocked.threads = 2;
      const AttentionOutput d = grfMaskedAttention(in, f, blocked);
      EXPECT_EQ(c.out, d.out);
      EXPECT_EQ(c.received, d.received);
    }
  }
}

// The vectorised kernels work on lane groups of 8 features and on blocks of at most 24 columns of
// [v, 1]: m = 11 features (a full and a partial lane group) with head dimension 30 (d_v + 1 = 31 in
// two column blocks), on a problem large enough for the threaded path (ColumnEntries built by two
// threads), against dense attention with the same estimate, in id order, tile order and small blocks,
// and bit-identical for 1 and 2 threads. Both ensembles: shared (one Phi for the scatter and the
// gather) and asymmetric (two).
TEST(Attention, GrfMaskedOddFeatureCountsAndWideValues) {
  GraphOptions go;
  go.kind = GraphKind::Grid4;
  const Graph g = buildGraph(makeImageScene(41, 30, 0), go);
  FeatureMap map;
  map.kind = FeatureMapKind::Favor;
  map.features = 11;
  map.seed = 3;
  const AttentionInputs in = makeAttentionInputs(makeTokens(randomFeatures(g.nodeCount(), 7), 30, 5), map);
  ASSERT_EQ(in.phiQ.cols(), 11);
  ASSERT_EQ(in.values.cols(), 30);
  for (Ensemble ens : {Ensemble::Shared, Ensemble::Asymmetric}) {
    GrfOptions gro;
    gro.walkers = 16;
    gro.pHalt = 0.1;
    gro.seed = 6;
    gro.ensemble = ens;
    const GrfFeatures f = sampleFeatures(g, MaskFunction(heatSpec(1.0)), gro);
    ASSERT_GT(f.query().nonZeros() * 11 * 31, std::int64_t{1} << 20) << "too small for the threaded path";
    const Eigen::MatrixXd mhat = grfDenseEstimate(viewOf(f.query()), viewOf(f.key()));
    const AttentionOutput dense = denseAttention(in, DenseKernel::FeatureMap, mhat);
    AttentionOptions o;
    o.threads = 1;
    for (const int width : {0, g.gridWidth}) {
      for (const std::int64_t blockColumns : {std::int64_t{0}, std::int64_t{97}}) {
        o.gridWidth = width;
        o.grfBlockColumns = blockColumns;
        o.threads = 1;
        const AttentionOutput a = grfMaskedAttention(in, f, o);
        EXPECT_LT(relDiff(a.out, dense.out), 1e-11) << ensembleName(ens) << " " << width << " " << blockColumns;
        EXPECT_LT(relDiff(a.received, dense.received), 1e-11) << ensembleName(ens);
        EXPECT_LT(relDiff(a.normaliser, dense.normaliser), 1e-11) << ensembleName(ens);
        o.threads = 2;
        const AttentionOutput b = grfMaskedAttention(in, f, o);
        EXPECT_EQ(a.out, b.out);
        EXPECT_EQ(a.received, b.received);
      }
    }
  }
}

// Rows of Phi_Q without entries get no attention mass: their numerator and normaliser are 0 (the
// output is never written by the gather, so it must be zeroed), the guard counts them, and the other
// rows are unchanged. Rows 0, 17 and the last one are emptied (offsets shifted, no copy of the rest).
TEST(Attention, GrfMaskedRowsWithoutEntries) {
  const Graph g = gridGraph(12, 10);
  GrfOptions gro;
  gro.walkers = 8;
  gro.seed = 3;
  const GrfFeatures f = sampleFeatures(g, MaskFunction(heatSpec(1.0)), gro);
  const SparseRowsView k = viewOf(f.key());
  SparseRowsView q = viewOf(f.query());
  std::vector<std::int64_t> offsets(q.offsets, q.offsets + q.rows + 1);
  std::vector<std::int32_t> indices;
  std::vector<float> values;
  offsets[0] = 0;
  for (std::int64_t i = 0; i < q.rows; ++i) {
    if (i != 0 && i != 17 && i != q.rows - 1)
      for (std::int64_t p = q.offsets[i]; p < q.offsets[i + 1]; ++p) {
        indices.push_back(q.indices[p]);
        values.push_back(q.values[p]);
      }
    offsets[static_cast<std::size_t>(i + 1)] = static_cast<std::int64_t>(indices.size());
  }
  q.offsets = offsets.data();
  q.indices = indices.data();
  q.values = values.data();
  const AttentionInputs in = inputsFor(g.nodeCount());
  const AttentionOutput dense = denseAttention(in, DenseKernel::FeatureMap, grfDenseEstimate(q, k));
  for (const int threads : {1, 2}) {
    AttentionOptions o;
    o.threads = threads;
    const AttentionOutput grf = grfMaskedAttention(in, q, k, o);
    EXPECT_LT(relDiff(grf.out, dense.out), 1e-11);
    EXPECT_EQ(grf.guardedRows, 3);
    for (std::int64_t i : {std::int64_t{0}, std::int64_t{17}, q.rows - 1}) {
      EXPECT_EQ(grf.normaliser(i), 0.0);
      EXPECT_EQ(grf.out.row(i).norm(), 0.0);
    }
  }
}

TEST(Attention, GrfMaskedIsIndependentOfThreadCount) {
  const Graph g = gridGraph(20, 15);
  const MaskFunction fn;
  GrfOptions go;
  go.seed = 2;
  const GrfFeatures f = sampleFeatures(g, fn, go);
  const AttentionInputs in = inputsFor(g.nodeCount());
  AttentionOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const AttentionOutput a = grfMaskedAttention(in, f, one), b = grfMaskedAttention(in, f, two);
  EXPECT_EQ(a.out, b.out);
  EXPECT_EQ(a.received, b.received);
}

// Block-Toeplitz by FFT against dense attention with the same Toeplitz mask (a full-width kernel on a
// non-square grid, so that every offset and the zero padding are exercised).
TEST(Attention, ToeplitzFftEqualsDenseToeplitz) {
  const int w = 9, h = 7;
  const Graph g = gridGraph(w, h);
  const MaskOperator op(g, MaskFunction(heatSpec(2.0)));
  const std::int64_t centre = (h / 2) * w + w / 2;
  const ToeplitzMask t = toeplitzMaskFromRow(w, h, op.row(centre), 0.0);
  EXPECT_EQ(t.radiusX, 4);
  EXPECT_EQ(t.radiusY, 3);
  const Eigen::MatrixXd dense = denseToeplitzMask(t);
  EXPECT_LT((dense.row(centre) - op.row(centre).transpose()).norm(), 1e-12);  // g reproduces the centre row
  const AttentionInputs in = inputsFor(w * h, FeatureMapKind::Relu, 5);
  for (bool absMask : {false, true}) {
    AttentionOptions o;
    o.absMask = absMask;
    const AttentionOutput fft = toeplitzAttention(in, t, o);
    const AttentionOutput ref = denseAttention(in, DenseKernel::FeatureMap, dense, o);
    EXPECT_LT(relDiff(fft.out, ref.out), 1e-10);
    EXPECT_LT(relDiff(fft.received, ref.received), 1e-10);
    EXPECT_LT((toeplitzMaskRow(t, 5) - dense.row(5).transpose()).norm(), 1e-15);
  }
  // A kernel cut by the tolerance keeps only significant offsets.
  const ToeplitzMask cut = toeplitzMaskFromRow(w, h, op.row(centre), 1e-2);
  EXPECT_LT(cut.radiusX, 4);
}

TEST(Attention, SoftmaxRowsSumToOneAndAdditiveFormWorks) {
  const Graph g = gridGraph(6, 6);
  const Eigen::MatrixXd m = denseMask(g, MaskFunction());
  const AttentionInputs in = inputsFor(36);
  for (bool additive : {false, true}) {
    AttentionOptions o;
    o.additiveMask = additive;
    const AttentionOutput out = denseAttention(in, DenseKernel::Softmax, m, o);
    EXPECT_NEAR(out.received.sum(), 36.0, 1e-9);
    for (std::int64_t i : {0, 20, 35}) {
      const Eigen::VectorXd a = attentionRow(in, DenseKernel::Softmax, m.row(i).transpose(), i, 0.0, o);
      EXPECT_NEAR(a.sum(), 1.0, 1e-12);
      EXPECT_GE(a.minCoeff(), 0.0);
      EXPECT_LT((in.values.transpose() * a - out.out.row(i).transpose()).norm(), 1e-12 * (1 + out.out.row(i).norm()));
    }
  }
  // The additive form with M = 0 is plain softmax; the multiplicative form with M = 1 too.
  AttentionOptions add;
  add.additiveMask = true;
  const AttentionOutput zero = denseAttention(in, DenseKernel::Softmax, Eigen::MatrixXd::Zero(36, 36).eval(), add);
  const AttentionOutput plain = denseAttention(in, DenseKernel::Softmax, Eigen::MatrixXd());
  EXPECT_LT(relDiff(zero.out, plain.out), 1e-13);
  EXPECT_THROW(denseAttention(in, DenseKernel::FeatureMap, m, add), Error);
}

TEST(Attention, NonPositiveNormalisersAreGuardedAndCounted) {
  const AttentionInputs in = inputsFor(30);
  Eigen::MatrixXd m = Eigen::MatrixXd::Ones(30, 30);
  m.topRows(4) *= -1.0;  // rows 0..3: z_i < 0
  AttentionOptions withReceived;
  withReceived.received = true;
  const AttentionOutput out = denseAttention(in, DenseKernel::FeatureMap, m, withReceived);
  EXPECT_EQ(out.guardedRows, 4);
  EXPECT_TRUE(out.out.allFinite());
  EXPECT_LT(out.normaliser(0), 0.0);
  // A guarded row has no positive attention mass: its output and attention row are 0 (dividing by
  // the floor gave outputs near 1e6), and it adds nothing to the attention the nodes receive.
  EXPECT_EQ(out.out.topRows(4).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_GT(out.out.row(4).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_EQ(attentionRow(in, DenseKernel::FeatureMap, m.row(0).transpose(), 0, out.floor).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_NEAR(attentionRow(in, DenseKernel::FeatureMap, m.row(5).transpose(), 5, out.floor).sum(), 1.0, 1e-12);
  EXPECT_NEAR(out.received.sum(), 26.0, 1e-9);  // the 26 unguarded rows each sum to 1
  AttentionOptions absOpt;
  absOpt.absMask = true;
  EXPECT_EQ(denseAttention(in, DenseKernel::FeatureMap, m, absOpt).guardedRows, 0);
  const AttentionOutput soft = denseAttention(in, DenseKernel::Softmax, m);
  EXPECT_EQ(soft.guardedRows, 4);
  EXPECT_EQ(soft.out.topRows(4).cwiseAbs().maxCoeff(), 0.0);
  EXPECT_TRUE(soft.out.allFinite());
  // |M| cannot be propagated: the linear algorithms refuse it.
  const Graph g = gridGraph(6, 5);
  EXPECT_THROW(exactMaskedAttention(in, MaskOperator(g, MaskFunction()), absOpt), Error);
}

// Tokens that overflow in the projections are refused with the cause (they gave all-NaN attention).
TEST(Attention, NonFiniteTokensAreRefused) {
  Eigen::MatrixXd x = Eigen::MatrixXd::Ones(10, 3);
  x(3, 1) = 1e308;
  FeatureMap map;
  for (double big : {1e308, 1e160, std::numeric_limits<double>::infinity()}) {
    x(3, 1) = big;
    try {
      (void)makeAttentionInputs(makeTokens(x, 8, 1), map, 1);
      ADD_FAILURE() << "feature " << big << " accepted";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::Numeric);
      EXPECT_NE(std::string(e.what()).find("rescale the node features"), std::string::npos) << e.what();
    }
  }
  x(3, 1) = 1e6;  // large but harmless
  const AttentionInputs in = makeAttentionInputs(makeTokens(x, 8, 1), map, 1);
  EXPECT_TRUE(linearAttention(in).out.allFinite());
}

// The GRF-masked output converges to the exact-masked output as walkers are added. The estimate's
// mean squared error falls like 1/n (SPEC section 5; the reference 8 x 8 experiment halves it per
// doubling), and the attention output error follows it to first order. Averaged over 6 seeds, the
// mean squared output error at n = 64 is expected ~16x below n = 4; we require only 4x, and
// monotone decrease along n = 4, 16, 64 (each step expected ~4x). Fixed seeds: deterministic.
TEST(Attention, GrfErrorFallsAsWalkersAreAdded) {
  Graph g = gridGraph(8, 8, Normalisation::Symmetric, 0.25);
  const MaskFunction fn(heatSpec(1.0));
  const MaskOperator op(g, fn);
  const AttentionInputs in = inputsFor(64);
  const AttentionOutput exact = exactMaskedAttention(in, op);
  std::vector<double> mse;
  for (int walkers : {4, 16, 64}) {
    double sum = 0;
    for (std::uint64_t seed = 0; seed < 6; ++seed) {
      GrfOptions go;
      go.walkers = walkers;
      go.pHalt = 0.5;
      go.seed = 100 + seed;
      const AttentionOutput grf = grfMaskedAttention(in, sampleFeatures(g, fn, go));
      const double e = relativeError(grf.out, exact.out);
      sum += e * e;
      EXPECT_EQ(rowErrors(grf.out, exact.out).size(), 64);
    }
    mse.push_back(sum / 6);
  }
  EXPECT_LT(mse[1], mse[0]);
  EXPECT_LT(mse[2], mse[1]);
  EXPECT_LT(mse[2], 0.25 * mse[0]) << mse[0] << " " << mse[2];
}

}  // namespace
}  // namespace topomask
