// graph/: construction on every scene kind, normalisations, statistics, generators.
#include <cmath>
#include <set>

#include <Eigen/Eigenvalues>
#include <gtest/gtest.h>

#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/graph/build.h"
#include "topomask/graph/spectral.h"

namespace topomask {
namespace {

Scene icosahedron() {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  Mesh m;
  m.vertices.resize(12, 3);
  m.vertices << -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, 0, 0, -1, t, 0, 1, t, 0, -1, -t, 0, 1, -t, t, 0, -1, t, 0, 1, -t,
      0, -1, -t, 0, 1;
  m.triangles.resize(20, 3);
  m.triangles << 0, 11, 5, 0, 5, 1, 0, 1, 7, 0, 7, 10, 0, 10, 11, 1, 5, 9, 5, 11, 4, 11, 10, 2, 10, 7, 6, 7, 1, 8, 3, 9,
      4, 3, 4, 2, 3, 2, 6, 3, 6, 8, 3, 8, 9, 4, 9, 5, 2, 4, 11, 6, 2, 10, 8, 6, 7, 9, 8, 1;
  Scene s;
  s.name = "icosahedron";
  s.data = m;
  return s;
}

// Checks CSR invariants: sorted rows, no self loops, structurally symmetric.
void expectWellFormed(const Graph& g) {
  const std::int64_t n = g.nodeCount();
  ASSERT_EQ(static_cast<std::int64_t>(g.offsets.size()), n + 1);
  ASSERT_EQ(g.neighbours.size(), g.weights.size());
  std::set<std::pair<std::int32_t, std::int32_t>> entries;
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      ASSERT_NE(g.neighbours[e], i) << "self loop";
      if (e > g.offsets[i]) {
        ASSERT_LT(g.neighbours[e - 1], g.neighbours[e]) << "row " << i << " not sorted/unique";
      }
      ASSERT_TRUE(std::isfinite(g.weights[e]));
      entries.insert({static_cast<std::int32_t>(i), g.neighbours[e]});
    }
  for (const auto& [i, j] : entries) ASSERT_TRUE(entries.count({j, i})) << i << "-" << j << " has no twin";
}

TEST(Graph, IcosahedronHas12Nodes30EdgesOneComponent) {
  const Graph g = buildGraph(icosahedron(), {});
  expectWellFormed(g);
  EXPECT_EQ(g.nodeCount(), 12);
  EXPECT_EQ(g.edgeCount(), 30);
  EXPECT_EQ(connectedComponents(g), 1);
  const DegreeStats d = degreeStats(g);
  EXPECT_EQ(d.min, 5);
  EXPECT_EQ(d.max, 5);
  EXPECT_DOUBLE_EQ(d.mean, 5.0);
  // Vertex normals were computed (unit length, pointing outwards for this convex solid).
  ASSERT_EQ(g.normals.rows(), 12);
  for (int i = 0; i < 12; ++i) {
    EXPECT_NEAR(g.normals.row(i).norm(), 1.0, 1e-12);
    EXPECT_GT(std::abs(g.normals.row(i).dot(g.positions.row(i).normalized())), 0.99);
  }
}

TEST(Graph, PixelGridEdgeCounts) {
  for (auto [w, h] : {std::pair{7, 5}, std::pair{1, 9}, std::pair{32, 32}}) {
    const Scene img = makeImageScene(w, h);
    GraphOptions o;
    const Graph g4 = buildGraph(img, o);
    expectWellFormed(g4);
    EXPECT_EQ(g4.nodeCount(), w * h);
    EXPECT_EQ(g4.edgeCount(), h * (w - 1) + w * (h - 1));
    EXPECT_EQ(g4.gridWidth, w);
    o.kind = GraphKind::Grid8;
    const Graph g8 = buildGraph(img, o);
    expectWellFormed(g8);
    EXPECT_EQ(g8.edgeCount(), h * (w - 1) + w * (h - 1) + 2 * (w - 1) * (h - 1));
    EXPECT_EQ(connectedComponents(g8), 1);
  }
}

TEST(Graph, PatchGridMeansColours) {
  const Scene img = makeImageScene(100, 60);
  GraphOptions o;
  o.kind = GraphKind::Patch;
  o.patch = 16;
  const Graph g = buildGraph(img, o);
  EXPECT_EQ(g.gridWidth, 7);  // ceil(100 / 16)
  EXPECT_EQ(g.gridHeight, 4);  // ceil(60 / 16)
  EXPECT_EQ(g.nodeCount(), 28);
  EXPECT_EQ(g.edgeCount(), 4 * 6 + 7 * 3);
  const Image& im = std::get<Image>(img.data);
  double mean = 0;
  for (int y = 0; y < 16; ++y)
    for (int x = 0; x < 16; ++x) mean += im.at(x, y, 1);
  EXPECT_NEAR(g.colors(0, 1), mean / 256, 1e-6);
}

TEST(Graph, KnnIsSymmetricByUnionAndHasAtLeastKNeighbours) {
  const Scene pts = makePointScene(500, 3);
  GraphOptions o;
  o.k = 6;
  const Graph g = buildGraph(pts, o);
  expectWellFormed(g);
  for (std::int64_t i = 0; i < g.nodeCount(); ++i) ASSERT_GE(g.degree(i), 6);
  // Brute force: j is a neighbour of i iff j is among i's 6 nearest or i among j's.
  const auto& p = std::get<PointCloud>(pts.data).points;
  auto nearest = [&](std::int64_t i) {
    std::vector<std::pair<double, std::int64_t>> d;
    for (std::int64_t j = 0; j < p.rows(); ++j)
      if (j != i) d.push_back({(p.row(i) - p.row(j)).squaredNorm(), j});
    std::partial_sort(d.begin(), d.begin() + 6, d.end());
    std::set<std::int64_t> s;
    for (int a = 0; a < 6; ++a) s.insert(d[a].second);
    return s;
  };
  std::vector<std::set<std::int64_t>> nn;
  for (std::int64_t i = 0; i < p.rows(); ++i) nn.push_back(nearest(i));
  for (std::int64_t i = 0; i < p.rows(); ++i) {
    std::set<std::int64_t> expected = nn[i];
    for (std::int64_t j = 0; j < p.rows(); ++j)
      if (nn[j].count(i)) expected.insert(j);
    std::set<std::int64_t> got;
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) got.insert(g.neighbours[e]);
    ASSERT_EQ(got, expected) << "node " << i;
  }
}

TEST(Graph, RadiusGraphMatchesBruteForce) {
  const Scene pts = makePointScene(300, 5);
  GraphOptions o;
  o.kind = GraphKind::Radius;
  o.radius = 0.3;
  const Graph g = buildGraph(pts, o);
  expectWellFormed(g);
  const auto& p = std::get<PointCloud>(pts.data).points;
  std::int64_t pairs = 0;
  for (std::int64_t i = 0; i < p.rows(); ++i)
    for (std::int64_t j = i + 1; j < p.rows(); ++j) pairs += (p.row(i) - p.row(j)).norm() <= 0.3;
  EXPECT_EQ(g.edgeCount(), pairs);
  // The default radius is 1.5 x the mean nearest-neighbour distance: every node has a neighbour
  // unless it is unusually isolated, so the graph is far from empty.
  o.radius = 0.0;
  const Graph d = buildGraph(pts, o);
  EXPECT_GT(d.edgeCount(), p.rows() / 2);
}

TEST(Graph, NormalisationsHaveTheirDefiningProperties) {
  for (double sigma : {1.0, 0.25}) {
    const Graph sym = testing::irregularGraph(Normalisation::Symmetric, sigma);
    const Graph rw = testing::irregularGraph(Normalisation::RandomWalk, sigma);
    const Graph none = testing::irregularGraph(Normalisation::None, sigma);
    const Eigen::MatrixXd s = sym.dense(), r = rw.dense(), a = none.dense() / sigma;
    EXPECT_MATRIX_NEAR(s, s.transpose(), 1e-15);
    const Eigen::VectorXd d = a.rowwise().sum();
    for (int i = 0; i < 9; ++i) {
      EXPECT_DOUBLE_EQ(d(i), sym.degrees(i));
      if (d(i) > 0) {
        EXPECT_NEAR(r.row(i).sum(), sigma, 1e-14);
      } else {
        EXPECT_EQ(r.row(i).cwiseAbs().sum(), 0.0);  // degree 0: zero row, nothing divided by zero
        EXPECT_EQ(s.row(i).cwiseAbs().sum(), 0.0);
      }
      for (int j = 0; j < 9; ++j)
        if (a(i, j) != 0) {
          EXPECT_NEAR(s(i, j), sigma * a(i, j) / std::sqrt(d(i) * d(j)), 1e-15);
        }
    }
  }
}

TEST(Graph, SpectralRadiusOfConnectedSymmetricNormalisedIsSigma) {
  for (double sigma : {1.0, 0.5}) {
    const Graph g = testing::gridGraph(12, 9, Normalisation::Symmetric, sigma);
    ASSERT_EQ(connectedComponents(g), 1);
    const SpectralRadius r = spectralRadius(g);
    EXPECT_NEAR(r.value, sigma, 1e-8);
    EXPECT_DOUBLE_EQ(r.upperBound, sigma);
  }
}

TEST(Graph, SpectralRadiusAgreesWithDenseEigenvalues) {
  for (auto norm : {Normalisation::Symmetric, Normalisation::RandomWalk, Normalisation::None}) {
    const Graph g = testing::irregularGraph(norm, 0.7);
    const Eigen::VectorXcd ev = Eigen::EigenSolver<Eigen::MatrixXd>(g.dense()).eigenvalues();
    const double rho = ev.cwiseAbs().maxCoeff();
    const SpectralRadius r = spectralRadius(g);
    EXPECT_NEAR(r.value, rho, 1e-8) << normalisationName(norm);
    EXPECT_GE(r.upperBound, rho - 1e-12);
  }
  // Path graph with A unnormalised: rho = 2 cos(pi / (n + 1)).
  const Graph p = testing::pathGraph(40, Normalisation::None);
  EXPECT_NEAR(spectralRadius(p, 200).value, 2 * std::cos(M_PI / 41), 1e-8);
}

TEST(Graph, ComponentsCountIsolatedNodes) {
  const Graph g = testing::irregularGraph();
  EXPECT_EQ(connectedComponents(g), 3);
  const auto labels = componentLabels(g);
  EXPECT_EQ(labels[0], labels[4]);
  EXPECT_NE(labels[0], labels[6]);
  EXPECT_EQ(labels[6], labels[7]);
  EXPECT_EQ(degreeStats(g).min, 0);
}

TEST(Graph, EdgeListDuplicatesSelfLoopsAndBadWeights) {
  const Graph g = testing::graphFromEdges(4, {{0, 1, 1.0}, {1, 0, 2.0}, {2, 2, 1.0}, {2, 3, 1.0}}, Normalisation::None);
  expectWellFormed(g);
  EXPECT_EQ(g.edgeCount(), 2);
  EXPECT_DOUBLE_EQ(g.dense()(0, 1), 2.0);  // duplicates merged, largest weight kept
  EXPECT_EQ(g.warnings.size(), 2u);
  EXPECT_THROW(testing::graphFromEdges(3, {{0, 1, -1.0}}), Error);
  EXPECT_THROW(testing::graphFromEdges(3, {{0, 5, 1.0}}), Error);
  EXPECT_THROW(testing::graphFromEdges(0, {}), Error);
}

TEST(Graph, WeightsGaussianInverseAndIntensity) {
  Scene sheet = makeSheetMeshScene(4, 3);
  GraphOptions o;
  o.normalisation = Normalisation::None;
  o.weights = EdgeWeights::Inverse;
  const Graph inv = buildGraph(sheet, o);
  for (std::int64_t e = inv.offsets[0]; e < inv.offsets[1]; ++e)
    EXPECT_NEAR(inv.weights[e], 1.0 / (inv.positions.row(0) - inv.positions.row(inv.neighbours[e])).norm(), 1e-12);
  o.weights = EdgeWeights::Gaussian;
  o.lengthScale = 0.5;
  const Graph gau = buildGraph(sheet, o);
  for (std::int64_t e = gau.offsets[0]; e < gau.offsets[1]; ++e) {
    const double d = (gau.positions.row(0) - gau.positions.row(gau.neighbours[e])).norm();
    EXPECT_NEAR(gau.weights[e], std::exp(-d * d / 0.5), 1e-12);
  }
  o.weights = EdgeWeights::Intensity;
  EXPECT_THROW(buildGraph(sheet, o), Error);  // images only
  const Graph img = buildGraph(makeImageScene(8, 8), o);
  for (std::int64_t e = img.offsets[9]; e < img.offsets[10]; ++e) {
    const double d = img.intensity(9) - img.intensity(img.neighbours[e]);
    EXPECT_NEAR(img.weights[e], std::exp(-d * d / (2 * 0.01)), 1e-12);
  }
  EXPECT_THROW(buildGraph(makePathScene(5), GraphOptions{.weights = EdgeWeights::Gaussian}), Error);
}

TEST(Graph, KindsThatDoNotApplyAreUsageErrors) {
  try {
    buildGraph(icosahedron(), GraphOptions{.kind = GraphKind::Grid4});
    FAIL() << "grid4 on a mesh accepted";
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
  }
  EXPECT_THROW(buildGraph(makePathScene(4), GraphOptions{.kind = GraphKind::Knn}), Error);
  EXPECT_THROW(parseGraphKind("grid5"), Error);
  EXPECT_EQ(parseNormalisation("rw"), Normalisation::RandomWalk);
}

TEST(Graph, PathGraphAndLayout) {
  const Graph g = buildGraph(makePathScene(50), {});
  EXPECT_EQ(g.edgeCount(), 49);
  ASSERT_EQ(g.positions.rows(), 50);
  EXPECT_TRUE(g.positions.allFinite());
  EXPECT_GT((g.positions.row(0) - g.positions.row(49)).norm(), 0.5);  // the ends are apart
  // Any scene can be read as a sequence.
  const Graph seq = buildGraph(icosahedron(), GraphOptions{.kind = GraphKind::Path});
  EXPECT_EQ(seq.edgeCount(), 11);
}

TEST(Graph, DemoSceneIsOneSurfaceWhoseEndsNearlyTouch) {
  const Scene demo = makeDemoScene();
  const Graph g = buildGraph(demo, {});
  expectWellFormed(g);
  EXPECT_EQ(connectedComponents(g), 1);
  EXPECT_GT(g.nodeCount(), 3000);
  // Each edge of a closed surface borders two triangles: V - E + F = 2 (a sphere's topology).
  const auto& mesh = std::get<Mesh>(demo.data);
  EXPECT_EQ(g.nodeCount() - g.edgeCount() + mesh.triangles.rows(), 2);
}

}  // namespace
}  // namespace topomask

// A graph without geometry is drawn so that drawn distances follow hop distances: an 8 x 6 grid
// given as an edge list comes out as a grid (every edge about one length, the diagonal of a cell
// about sqrt 2 of it), with one scale on both axes.
TEST(Graph, LayoutOfAGraphWithoutGeometryFollowsHopDistances) {
  const int w = 8, h = 6;
  topomask::EdgeListGraph list;
  list.nodes = w * h;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      if (x + 1 < w) list.edges.push_back({y * w + x, y * w + x + 1, 1.0});
      if (y + 1 < h) list.edges.push_back({y * w + x, (y + 1) * w + x, 1.0});
    }
  topomask::Scene scene;
  scene.data = list;
  const topomask::Graph g = topomask::buildGraph(scene, {});
  ASSERT_EQ(g.positions.rows(), w * h);
  auto at = [&](int x, int y) { return Eigen::Vector2d(g.positions(y * w + x, 0), g.positions(y * w + x, 1)); };
  double lo = 1e300, hi = 0.0, sum = 0.0;
  int count = 0;
  for (const topomask::WeightedEdge& e : list.edges) {
    const double len = (at(static_cast<int>(e.i % w), static_cast<int>(e.i / w)) - at(static_cast<int>(e.j % w), static_cast<int>(e.j / w))).norm();
    lo = std::min(lo, len), hi = std::max(hi, len), sum += len, ++count;
  }
  const double mean = sum / count;
  EXPECT_GT(lo, 0.7 * mean) << "no edge collapses";
  EXPECT_LT(hi, 1.3 * mean) << "no edge stretches";
  const double diagonal = (at(3, 2) - at(4, 3)).norm();
  EXPECT_NEAR(diagonal / mean, std::sqrt(2.0), 0.25);
  // The long side of the grid spans [-1, 1]; the short side keeps the grid's proportion.
  const Eigen::Vector2d extent = g.positions.leftCols(2).colwise().maxCoeff() - g.positions.leftCols(2).colwise().minCoeff();
  EXPECT_NEAR(extent.maxCoeff(), 2.0, 1e-9);
  EXPECT_NEAR(extent.minCoeff() / extent.maxCoeff(), (h - 1.0) / (w - 1.0), 0.12);
}

namespace topomask {
namespace {

Graph edgeListGraph(std::int64_t nodes, const std::vector<std::pair<std::int64_t, std::int64_t>>& edges) {
  std::vector<WeightedEdge> e;
  for (const auto& [i, j] : edges) e.push_back({i, j, 1.0});
  return testing::graphFromEdges(nodes, e);
}

// The one default-query rule (graph.h): the centre of a grid, else an end of the longest path.
TEST(DefaultQuery, GridCentreElseAnEndOfTheLongestPath) {
  // Node 0 in the middle of the path 3 - 1 - 0 - 2 - 4: BFS from 0 ends at 4, BFS from 4 ends at 3.
  EXPECT_EQ(defaultQuery(edgeListGraph(5, {{3, 1}, {1, 0}, {0, 2}, {2, 4}})), 3);
  // A path numbered in order: from 0 the far end is 5, from 5 it is 0.
  EXPECT_EQ(defaultQuery(edgeListGraph(6, {{0, 1}, {1, 2}, {2, 3}, {3, 4}, {4, 5}})), 0);
  // A longer branch wins: a star with arms of 1, 1 and 3 edges. BFS from 0 ends at 6 (the long
  // arm's tip); BFS from 6 ends at a short arm's tip.
  const std::int64_t star = defaultQuery(edgeListGraph(7, {{0, 1}, {0, 2}, {0, 3}, {3, 4}, {4, 5}, {5, 6}}));
  EXPECT_TRUE(star == 1 || star == 2) << star << ": the far end from 6 is one of the short arms' tips";
  // Disconnected: node 0's component {0, 1, 2}; nodes 3..5 are never chosen.
  const std::int64_t q = defaultQuery(edgeListGraph(6, {{0, 1}, {1, 2}, {3, 4}, {4, 5}}));
  EXPECT_TRUE(q == 0 || q == 2) << q;
  // Grids: row height / 2, column width / 2, whatever the longest path would say.
  Graph grid = testing::gridGraph(7, 4);
  grid.gridWidth = 7;
  grid.gridHeight = 4;
  EXPECT_EQ(defaultQuery(grid), 2 * 7 + 3);
  EXPECT_EQ(defaultQuery(Graph{}), -1);
}

}  // namespace
}  // namespace topomask
