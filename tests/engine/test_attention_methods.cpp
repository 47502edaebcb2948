// The attention-method registry (attention/methods.h): one row per method with a unique name that
// parses back; running a method through the registry is bit for bit the algorithm it names, with
// the mask its MaskSource says; rows are the algorithm's rows; missing masks and grids are refused.
#include <set>
#include <string>

#include <gtest/gtest.h>

#include "support/test_graphs.h"
#include "topomask/attention/methods.h"
#include "topomask/attention/tokens.h"
#include "topomask/core/error.h"
#include "topomask/core/rng.h"

namespace topomask {
namespace {

using testing::gridGraph;
using testing::irregularGraph;

AttentionInputs inputsFor(std::int64_t n) {
  Eigen::MatrixXd x(n, 4);
  for (std::int64_t i = 0; i < n; ++i) {
    Rng rng(3, static_cast<std::uint64_t>(i));
    for (int c = 0; c < 4; ++c) x(i, c) = rng.normal();
  }
  FeatureMap map;
  map.kind = FeatureMapKind::Elu;
  return makeAttentionInputs(makeTokens(x, 6, 9), map);
}

MaskFunction heat(double beta) {
  MaskSpec s;
  s.preset = MaskPreset::Heat;
  s.beta = beta;
  return MaskFunction(s);
}

// A w x h pixel grid graph, with the grid's shape recorded as buildGraph records it for images.
Graph pixelGrid(int w, int h) {
  Graph g = gridGraph(w, h);
  g.gridWidth = w;
  g.gridHeight = h;
  return g;
}

bool bitEqual(const Eigen::MatrixXd& a, const Eigen::MatrixXd& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

TEST(AttentionMethods, EveryMethodHasOneRowAndItsNameParsesBack) {
  std::set<std::string> names;
  int index = 0;
  for (const AttentionMethodInfo& m : attentionMethods()) {
    EXPECT_EQ(static_cast<int>(m.method), index++) << m.name;  // rows in enum order
    EXPECT_TRUE(names.insert(m.name).second) << "duplicate name " << m.name;
    EXPECT_EQ(parseAttentionMethod(m.name), m.method);
    EXPECT_STREQ(attentionMethodName(m.method), m.name);
    EXPECT_GT(std::string(m.label).size(), 10u);
    if (m.inViews) EXPECT_EQ(parseAttentionMethod(m.name, true), m.method);
    else EXPECT_THROW(parseAttentionMethod(m.name, true), Error);
    // A dense method reads the N x N mask (or none); only the Toeplitz method needs a grid.
    EXPECT_EQ(m.gridOnly, m.mask == MaskSource::Toeplitz) << m.name;
  }
  EXPECT_EQ(names.size(), 7u);
  try {
    parseAttentionMethod("grf");
    ADD_FAILURE() << "an unknown name parsed";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
    const std::string what = e.what();
    EXPECT_NE(what.find("'grf'"), std::string::npos) << what;
    for (const AttentionMethodInfo& m : attentionMethods()) EXPECT_NE(what.find(m.name), std::string::npos) << what;
  }
  EXPECT_EQ(attentionMethodList(true).find(attentionMethodName(AttentionMethod::Dense)), std::string::npos);
}

// Each method through the registry equals the algorithm called directly, bit for bit, outputs and
// rows, on a pixel grid where every method applies.
TEST(AttentionMethods, RunningThroughTheRegistryIsTheAlgorithmItself) {
  const int w = 9, h = 7;
  const Graph g = pixelGrid(w, h);
  ASSERT_TRUE(isTokenGrid(g));
  const MaskFunction fn = heat(1.5);
  const AttentionInputs in = inputsFor(g.nodeCount());
  const MaskOperator op(g, fn);
  const Eigen::MatrixXd dense = denseMask(g, fn);
  GrfOptions grf;
  grf.walkers = 8;
  grf.seed = 4;
  const GrfFeatures features = sampleFeatures(g, fn, grf);
  const ToeplitzMask toeplitz = gridToeplitzMask(g, op);
  const std::int64_t centre = (h / 2) * w + w / 2;
  EXPECT_TRUE(bitEqual(denseToeplitzMask(toeplitz), denseToeplitzMask(toeplitzMaskFromRow(w, h, op.row(centre)))));
  AttentionMasks masks;
  masks.exact = &op;
  masks.exactDense = &dense;
  masks.grf = &features;
  masks.toeplitz = &toeplitz;
  const std::int64_t q = 11;
  const Eigen::VectorXd grfRow = grfMaskRow(viewOf(features.query()), viewOf(features.key()), q);
  for (const AttentionMethodInfo& m : attentionMethods()) {
    SCOPED_TRACE(m.name);
    AttentionOutput direct;
    Eigen::VectorXd maskRow;
    switch (m.method) {
      case AttentionMethod::Softmax: direct = denseAttention(in, DenseKernel::Softmax, Eigen::MatrixXd()); break;
      case AttentionMethod::Dense:
        direct = denseAttention(in, DenseKernel::FeatureMap, dense);
        maskRow = dense.row(q).transpose();
        break;
      case AttentionMethod::SoftmaxMasked:
        direct = denseAttention(in, DenseKernel::Softmax, dense);
        maskRow = dense.row(q).transpose();
        break;
      case AttentionMethod::Linear: direct = linearAttention(in); break;
      case AttentionMethod::ExactMasked:
        direct = exactMaskedAttention(in, op);
        maskRow = op.row(q);
        break;
      case AttentionMethod::GrfMasked:
        direct = grfMaskedAttention(in, features);
        maskRow = grfRow;
        break;
      case AttentionMethod::ToeplitzFft:
        direct = toeplitzAttention(in, toeplitz);
        maskRow = toeplitzMaskRow(toeplitz, q);
        break;
    }
    const AttentionOutput viaRegistry = runAttentionMethod(m.method, in, masks);
    EXPECT_TRUE(bitEqual(viaRegistry.out, direct.out));
    EXPECT_TRUE(bitEqual(viaRegistry.received, direct.received));
    EXPECT_EQ(viaRegistry.guardedRows, direct.guardedRows);
    EXPECT_TRUE(bitEqual(methodMaskRow(m.method, masks, q), maskRow));
    const Eigen::VectorXd row = methodAttentionRow(m.method, in, masks, q, viaRegistry.floor);
    EXPECT_TRUE(bitEqual(row, attentionRow(in, m.kernel, maskRow, q, direct.floor)));
    EXPECT_NEAR(row.sum(), 1.0, 1e-12);
    // Row q of the algorithm's own attention matrix: a_q. v = out_q.
    EXPECT_LT((row.transpose() * in.values - viaRegistry.out.row(q)).norm(), 1e-10 * (1.0 + viaRegistry.out.row(q).norm()));
  }
}

TEST(AttentionMethods, MissingMasksAndGridsAreRefused) {
  const Graph g = irregularGraph();
  EXPECT_FALSE(isTokenGrid(g));
  const AttentionInputs in = inputsFor(g.nodeCount());
  const AttentionMasks none;
  for (const AttentionMethodInfo& m : attentionMethods()) {
    SCOPED_TRACE(m.name);
    if (m.mask == MaskSource::None) {
      EXPECT_EQ(runAttentionMethod(m.method, in, none).out.rows(), g.nodeCount());
      continue;
    }
    EXPECT_THROW(runAttentionMethod(m.method, in, none), Error);
    EXPECT_EQ(methodAttentionRow(m.method, in, none, 0).size(), 0);  // no mask: no row
  }
  const MaskOperator op(g, heat(1.0));
  EXPECT_THROW(gridToeplitzMask(g, op), Error);
  EXPECT_THROW(prepareAttentionMasks(AttentionMethod::ToeplitzFft, g, heat(1.0), GrfOptions{}), Error);
}

// prepareAttentionMasks builds exactly what the method's MaskSource names, and running on it gives
// the same output as running on masks built by hand.
TEST(AttentionMethods, PreparedMasksHoldWhatTheMethodNeeds) {
  const Graph g = pixelGrid(8, 6);
  const MaskFunction fn = heat(1.0);
  const AttentionInputs in = inputsFor(g.nodeCount());
  GrfOptions grf;
  grf.walkers = 4;
  for (const AttentionMethodInfo& m : attentionMethods()) {
    SCOPED_TRACE(m.name);
    const auto p = prepareAttentionMasks(m.method, g, fn, grf);
    EXPECT_EQ(p->masks.grf != nullptr, m.mask == MaskSource::Grf);
    EXPECT_EQ(p->masks.toeplitz != nullptr, m.mask == MaskSource::Toeplitz);
    EXPECT_EQ(p->masks.exactDense != nullptr, m.mask == MaskSource::Exact && m.dense);
    EXPECT_EQ(p->masks.exact != nullptr, m.mask == MaskSource::Exact && !m.dense);
    const AttentionOutput a = runAttentionMethod(m.method, in, p->masks);
    AttentionMasks own;
    const MaskOperator op(g, fn);
    const Eigen::MatrixXd dense = denseMask(g, fn);
    const GrfFeatures features = sampleFeatures(g, fn, grf);
    const ToeplitzMask t = gridToeplitzMask(g, op, 1e-9);
    own.exact = &op;
    own.exactDense = &dense;
    own.grf = &features;
    own.toeplitz = &t;
    EXPECT_TRUE(bitEqual(a.out, runAttentionMethod(m.method, in, own).out));
  }
  PrepareMasksOptions small;
  small.denseCap = 10;  // 48 nodes: the dense mask is refused
  EXPECT_THROW(prepareAttentionMasks(AttentionMethod::Dense, g, fn, grf, small), Error);
}

}  // namespace
}  // namespace topomask
