// Exact masks: dense (eigen), dense series and propagation against independent references
// (matrix exponential, linear solves, explicit powers) on small graphs, all normalisations.
#include <cmath>
#include <string>
#include <vector>

#include <Eigen/Dense>
#include <unsupported/Eigen/MatrixFunctions>
#include <gtest/gtest.h>

#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/mask/exact.h"

namespace topomask {
namespace {

using testing::cycleGraph;
using testing::gridGraph;
using testing::irregularGraph;
using testing::pathGraph;

MaskFunction make(MaskPreset preset, double beta, int p = 2) {
  MaskSpec s;
  s.preset = preset;
  s.beta = beta;
  s.p = p;
  return MaskFunction(s);
}

// W from the CSR arrays, written here so that the reference does not share code with the engine.
Eigen::MatrixXd denseOf(const Graph& g) {
  const auto n = g.nodeCount();
  Eigen::MatrixXd w = Eigen::MatrixXd::Zero(n, n);
  for (std::int64_t i = 0; i < n; ++i)
    for (auto e = g.offsets[i]; e < g.offsets[i + 1]; ++e) w(i, g.neighbours[e]) = g.weights[e];
  return w;
}

double spectralRadiusOf(const Eigen::MatrixXd& w) {
  return w.rows() ? Eigen::EigenSolver<Eigen::MatrixXd>(w).eigenvalues().cwiseAbs().maxCoeff() : 0.0;
}

// M(W) computed without the engine: matrix functions of the (possibly non-symmetric) dense W.
Eigen::MatrixXd reference(const Eigen::MatrixXd& w, const MaskFunction& fn) {
  const auto n = w.rows();
  const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(n, n);
  const double beta = fn.spec().beta;
  const Eigen::MatrixXd bw = beta * w;
  switch (fn.spec().preset) {
    case MaskPreset::Heat: return bw.exp();
    case MaskPreset::RegLap1: return (id - bw).partialPivLu().solve(id);
    case MaskPreset::RegLap2: {
      const Eigen::MatrixXd inv = (id - bw).partialPivLu().solve(id);
      return inv * inv;
    }
    case MaskPreset::PStep: {
      Eigen::MatrixXd m = id;
      for (int k = 0; k < fn.spec().p; ++k) m = m * (id + bw);
      return m;
    }
    case MaskPreset::Cosine: return Eigen::MatrixXd(bw.cos()) + Eigen::MatrixXd(bw.sin());
    case MaskPreset::Custom:
    case MaskPreset::CustomF: {
      const auto a = fn.alpha(fn.degree());
      Eigen::MatrixXd m = Eigen::MatrixXd::Zero(n, n), power = id;
      for (double ak : a) {
        m += ak * power;
        power = power * w;
      }
      return m;
    }
  }
  return {};
}

struct Case {
  std::string name;
  Graph graph;
};

std::vector<Case> cases() {
  std::vector<Case> out;
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk, Normalisation::None}) {
    const double sigma = norm == Normalisation::None ? 0.3 : 1.0;
    const std::string tag = norm == Normalisation::Symmetric ? "sym" : norm == Normalisation::RandomWalk ? "rw" : "none";
    out.push_back({"path7-" + tag, pathGraph(7, norm, sigma)});
    out.push_back({"cycle8-" + tag, cycleGraph(8, norm, sigma)});
    out.push_back({"grid5x4-" + tag, gridGraph(5, 4, norm, sigma)});
    out.push_back({"irregular-" + tag, irregularGraph(norm, sigma)});
  }
  return out;
}

// Presets with parameters that converge on W (beta scaled by the true spectral radius for reglap).
std::vector<MaskFunction> functions(double rho) {
  const double safe = rho > 0 ? 0.6 / rho : 0.6;
  MaskSpec custom;
  custom.preset = MaskPreset::Custom;
  custom.alpha = {1.0, -0.4, 0.3, 0.05, -0.02};
  MaskSpec customF;
  customF.preset = MaskPreset::CustomF;
  customF.f = {0.9, 0.3, -0.2, 0.1};
  return {make(MaskPreset::Heat, 1.0),        make(MaskPreset::Heat, -0.7),      make(MaskPreset::RegLap1, safe),
          make(MaskPreset::RegLap2, -safe),   make(MaskPreset::PStep, 0.7, 3),   make(MaskPreset::Cosine, 1.3),
          MaskFunction(custom),               MaskFunction(customF)};
}

MaskOperatorOptions tight() {
  MaskOperatorOptions o;
  o.relTolerance = 1e-14;
  return o;
}

TEST(DenseMask, MatchesIndependentMatrixFunctions) {
  for (const Case& c : cases()) {
    const Eigen::MatrixXd w = denseOf(c.graph);
    for (const MaskFunction& fn : functions(spectralRadiusOf(w))) {
      SCOPED_TRACE(c.name + " " + fn.formula());
      const Eigen::MatrixXd ref = reference(w, fn);
      const double scale = std::max(1.0, ref.cwiseAbs().maxCoeff());
      EXPECT_MATRIX_NEAR(denseMask(c.graph, fn), ref, 1e-11 * scale);
      EXPECT_MATRIX_NEAR(denseMaskSeries(c.graph, fn), ref, 1e-11 * scale);
    }
  }
}

TEST(MaskOperator, PropagationAgreesWithDense) {
  for (const Case& c : cases()) {
    const Eigen::MatrixXd w = denseOf(c.graph);
    const auto n = c.graph.nodeCount();
    for (const MaskFunction& fn : functions(spectralRadiusOf(w))) {
      SCOPED_TRACE(c.name + " " + fn.formula());
      const Eigen::MatrixXd dense = denseMask(c.graph, fn);
      const double scale = std::max(1.0, dense.cwiseAbs().maxCoeff());
      const MaskOperator op(c.graph, fn, tight());
      // M X and M^T X on a random block; rows of M one by one and all at once.
      const Eigen::MatrixXd x = Eigen::MatrixXd::Random(n, 3);
      EXPECT_MATRIX_NEAR(op.apply(x), dense * x, 1e-10 * scale);
      EXPECT_MATRIX_NEAR(Eigen::MatrixXd(op.applyTransposed(RowMajorMatrix(x))), dense.transpose() * x, 1e-10 * scale);
      EXPECT_MATRIX_NEAR(Eigen::MatrixXd(op.apply(Eigen::VectorXd(x.col(1)))), dense * x.col(1), 1e-10 * scale);
      std::vector<std::int64_t> all;
      for (std::int64_t i = 0; i < n; ++i) {
        all.push_back(i);
        EXPECT_MATRIX_NEAR(Eigen::MatrixXd(op.row(i).transpose()), dense.row(i), 1e-10 * scale);
      }
      EXPECT_MATRIX_NEAR(op.rows(all), dense, 1e-10 * scale);
    }
  }
}

TEST(MaskOperator, RandomWalkMaskIsSimilarToTheSymmetricOne) {
  // M_rw = D^-1/2 M_sym D^1/2 with D the weighted degrees (degree-0 nodes: d = 1).
  const Graph sym = irregularGraph(Normalisation::Symmetric);
  const Graph rw = irregularGraph(Normalisation::RandomWalk);
  const MaskFunction fn = make(MaskPreset::Heat, 1.0);
  Eigen::VectorXd s(rw.nodeCount());
  for (std::int64_t i = 0; i < rw.nodeCount(); ++i) s[i] = rw.degree(i) ? std::sqrt(rw.degrees[i]) : 1.0;
  const Eigen::MatrixXd expected = s.cwiseInverse().asDiagonal() * denseMask(sym, fn) * s.asDiagonal();
  EXPECT_MATRIX_NEAR(denseMask(rw, fn), expected, 1e-12);
  EXPECT_GT((denseMask(rw, fn) - denseMask(rw, fn).transpose()).cwiseAbs().maxCoeff(), 1e-3);  // truly non-symmetric
}

TEST(MaskOperator, LocalRowsEqualFullRows) {
  const Graph g = gridGraph(40, 40);
  const Graph rw = gridGraph(40, 40, Normalisation::RandomWalk);
  for (const Graph* graph : {&g, &rw}) {
    for (const MaskFunction& fn : {make(MaskPreset::Heat, 1.0), make(MaskPreset::RegLap1, 0.8)}) {
      MaskOperatorOptions never = tight(), switching = tight(), full = tight();
      never.localFraction = 1.0;     // the whole row stays local
      switching.localFraction = 0.1; // 160 nodes: switches to full products part-way
      full.localFraction = 0.0;
      const MaskOperator a(*graph, fn, never), b(*graph, fn, switching), c(*graph, fn, full);
      ASSERT_GT(a.terms(), 10);  // so that the support outgrows 160 nodes
      for (std::int64_t i : {0, 39, 820, 1599}) {
        const Eigen::VectorXd ra = a.row(i), rb = b.row(i), rc = c.row(i);
        EXPECT_MATRIX_NEAR(ra, rc, 1e-14);
        EXPECT_MATRIX_NEAR(rb, rc, 1e-14);
        if (graph == &g) {  // symmetric W: row i = M e_i by Horner
          Eigen::VectorXd e = Eigen::VectorXd::Zero(graph->nodeCount());
          e[i] = 1.0;
          EXPECT_MATRIX_NEAR(rc, c.apply(e), 1e-12);
        }
      }
    }
  }
}

TEST(MaskOperator, DisconnectedGraphsAndIsolatedNodes) {
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk, Normalisation::None}) {
    const Graph g = irregularGraph(norm);
    MaskSpec custom;
    custom.preset = MaskPreset::Custom;
    custom.alpha = {2.0, 1.0, 0.5};
    for (const MaskFunction& fn : {make(MaskPreset::Heat, 0.8), MaskFunction(custom)}) {
      const Eigen::MatrixXd m = denseMask(g, fn);
      // Components {0..5}, {6, 7}, {8}: M is block diagonal.
      EXPECT_LE(m.block(0, 6, 6, 3).cwiseAbs().maxCoeff(), 1e-14);
      EXPECT_LE(m.block(6, 0, 3, 6).cwiseAbs().maxCoeff(), 1e-14);
      EXPECT_LE(std::abs(m(6, 8)) + std::abs(m(8, 7)), 1e-14);
      // The isolated node: W e_8 = 0, so M e_8 = alpha_0 e_8.
      const MaskOperator op(g, fn, tight());
      Eigen::VectorXd e8 = Eigen::VectorXd::Zero(9);
      e8[8] = fn.alpha(1)[0];
      EXPECT_MATRIX_NEAR(op.row(8), e8, 1e-15);
      EXPECT_MATRIX_NEAR(Eigen::MatrixXd(m.row(8).transpose()), e8, 1e-14);
      EXPECT_TRUE(m.allFinite());
    }
  }
}

TEST(MaskOperator, ZeroBetaGivesTheIdentity) {
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk, Normalisation::None}) {
    const Graph g = irregularGraph(norm);
    const Eigen::MatrixXd id = Eigen::MatrixXd::Identity(9, 9);
    for (MaskPreset preset : {MaskPreset::Heat, MaskPreset::RegLap1, MaskPreset::RegLap2, MaskPreset::PStep,
                              MaskPreset::Cosine}) {
      const MaskFunction fn = make(preset, 0.0, 3);
      EXPECT_MATRIX_NEAR(denseMask(g, fn), id, 1e-14);
      const MaskOperator op(g, fn);
      EXPECT_EQ(op.terms(), 1);
      EXPECT_MATRIX_NEAR(op.apply(id), id, 0.0);
      EXPECT_MATRIX_NEAR(op.rows({0, 1, 2, 3, 4, 5, 6, 7, 8}), id, 0.0);
    }
  }
}

TEST(MaskOperator, DivergentSeriesAreReported) {
  const Graph g = cycleGraph(10);  // rho(W_sym) = 1 exactly
  for (MaskPreset preset : {MaskPreset::RegLap1, MaskPreset::RegLap2}) {
    const MaskFunction bad = make(preset, 1.0), badNeg = make(preset, -1.2), good = make(preset, 0.9);
    for (const MaskFunction* fn : {&bad, &badNeg}) {
      try {
        MaskOperator op(g, *fn);
        FAIL() << "expected divergence for " << fn->formula();
      } catch (const Error& e) {
        EXPECT_EQ(e.kind(), Error::Kind::Numeric);
        EXPECT_NE(std::string(e.what()).find("diverges"), std::string::npos) << e.what();
      }
      EXPECT_THROW(denseMask(g, *fn), Error);
    }
    EXPECT_NO_THROW(MaskOperator(g, good));
    EXPECT_NO_THROW(denseMask(g, good));
  }
  // sigma = 0.5 halves rho: beta = 1.5 now converges.
  EXPECT_NO_THROW(MaskOperator(cycleGraph(10, Normalisation::Symmetric, 0.5), make(MaskPreset::RegLap1, 1.5)));
}

TEST(MaskOperator, SeriesRadiusIsExactOrAnUpperBound) {
  const MaskFunction heat = make(MaskPreset::Heat, 1.0);
  const SeriesRadius sym = seriesRadius(gridGraph(6, 5, Normalisation::Symmetric, 0.5), heat);
  EXPECT_EQ(sym.source, "exact");
  EXPECT_DOUBLE_EQ(sym.value, 0.5);
  EXPECT_NEAR(spectralRadiusOf(denseOf(gridGraph(6, 5, Normalisation::RandomWalk, 0.5))), 0.5, 1e-12);
  const Graph none = irregularGraph(Normalisation::None);
  const SeriesRadius r = seriesRadius(none, heat);
  EXPECT_EQ(r.source, "bound");
  EXPECT_GE(r.value, spectralRadiusOf(denseOf(none)) * (1 - 1e-12));
  EXPECT_NEAR(r.estimate, spectralRadiusOf(denseOf(none)), 1e-6);
  // Empty edge set: rho = 0 and one term.
  const Graph isolated = testing::graphFromEdges(4, {});
  EXPECT_EQ(seriesRadius(isolated, heat).value, 0.0);
  EXPECT_EQ(MaskOperator(isolated, heat).terms(), 1);
}

TEST(MaskOperator, TruncationMeetsTheDefaultTolerance) {
  // With the default 1e-9 relative tolerance, entries differ from the dense mask by at most
  // tailBound <= 1e-9 sum_k |alpha_k| rho^k (|W^k|_ij <= rho^k for symmetric W).
  const Graph g = gridGraph(12, 10);
  const MaskFunction fn = make(MaskPreset::Heat, 1.0);
  const MaskOperator op(g, fn);
  EXPECT_EQ(op.terms(), 12);
  EXPECT_LE(op.tailBound(), 1e-9 * std::exp(1.0));
  const Eigen::MatrixXd dense = denseMask(g, fn);
  EXPECT_MATRIX_NEAR(op.rows({0, 17, 119}), dense(std::vector<int>{0, 17, 119}, Eigen::all), op.tailBound());
}

TEST(MaskOperator, BandedGraphsUseTheBlockedProductAndAgreeWithDense) {
  // A 20 x 16 grid has bandwidth 20, so M X runs through the temporally blocked Horner loop
  // (blocks of 64 rows, five blocks); the result must equal the dense mask times X.
  for (Normalisation norm : {Normalisation::Symmetric, Normalisation::RandomWalk}) {
    const Graph g = gridGraph(20, 16, norm);
    for (const MaskFunction& fn : {make(MaskPreset::Heat, 1.0), make(MaskPreset::RegLap2, 0.7),
                                   make(MaskPreset::PStep, 0.5, 2)}) {
      const Eigen::MatrixXd dense = denseMask(g, fn);
      const MaskOperator op(g, fn, tight());
      for (int c : {1, 3, 16, 21}) {
        const Eigen::MatrixXd x = Eigen::MatrixXd::Random(g.nodeCount(), c);
        EXPECT_MATRIX_NEAR(op.apply(x), dense * x, 1e-10 * dense.cwiseAbs().maxCoeff());
        EXPECT_MATRIX_NEAR(Eigen::MatrixXd(op.applyTransposed(RowMajorMatrix(x))), dense.transpose() * x,
                           1e-10 * dense.cwiseAbs().maxCoeff());
      }
    }
  }
}

TEST(MaskOperator, ResultsDoNotDependOnThreads) {
  const Graph g = gridGraph(64, 64, Normalisation::RandomWalk);
  const MaskFunction fn = make(MaskPreset::Cosine, 0.9);
  MaskOperatorOptions one, two;
  one.threads = 1;
  two.threads = 2;
  const Eigen::MatrixXd x = Eigen::MatrixXd::Random(g.nodeCount(), 3);
  const MaskOperator a(g, fn, one), b(g, fn, two);
  EXPECT_TRUE(a.apply(x) == b.apply(x));
  EXPECT_TRUE(a.rows({5, 2000}) == b.rows({5, 2000}));
}

TEST(DenseMask, CapIsEnforced) {
  const Graph g = gridGraph(10, 10);
  DenseMaskOptions small;
  small.maxNodes = 50;
  try {
    denseMask(g, make(MaskPreset::Heat, 1.0), small);
    FAIL() << "expected the cap error";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
    EXPECT_NE(std::string(e.what()).find("50"), std::string::npos) << e.what();
  }
  EXPECT_THROW(denseMaskSeries(g, make(MaskPreset::Heat, 1.0), 5, small), Error);
  EXPECT_NO_THROW(denseMask(g, make(MaskPreset::Heat, 1.0)));
}

TEST(MaskOperator, BadArgumentsAreUsageErrors) {
  const Graph g = pathGraph(5);
  const MaskOperator op(g, make(MaskPreset::Heat, 1.0));
  EXPECT_THROW(op.row(5), Error);
  EXPECT_THROW(op.row(-1), Error);
  EXPECT_THROW(op.rows({0, 7}), Error);
  EXPECT_THROW(op.apply(Eigen::MatrixXd(Eigen::MatrixXd::Zero(4, 2))), Error);
  Progress progress;
  progress.cancel();
  EXPECT_THROW(op.apply(Eigen::MatrixXd(Eigen::MatrixXd::Zero(5, 2)), &progress), Cancelled);
}

}  // namespace
}  // namespace topomask
