#include "topomask/graph/build.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>
#include <sstream>

#include <Eigen/Geometry>

#include "knn.h"
#include "layout.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/parallel.h"

namespace topomask {
namespace {

// Undirected candidate edge with its base weight (file weight, or 1) before weighting.
struct RawEdge {
  std::int64_t i;
  std::int64_t j;
  double base;
};

struct Nodes {
  std::int64_t count = 0;
  Eigen::MatrixX3d positions;
  Eigen::MatrixX3d colors;
  Eigen::MatrixX3d normals;
  Eigen::VectorXd intensity;
  bool geometric = true;  // positions are real geometry (edge lengths mean something)
  int gridWidth = 0, gridHeight = 0, gridCell = 1;
};

Eigen::MatrixX3d vertexNormals(const Mesh& mesh) {
  Eigen::MatrixX3d n = Eigen::MatrixX3d::Zero(mesh.vertices.rows(), 3);
  for (Eigen::Index f = 0; f < mesh.triangles.rows(); ++f) {
    const Eigen::Vector3d a = mesh.vertices.row(mesh.triangles(f, 0));
    const Eigen::Vector3d b = mesh.vertices.row(mesh.triangles(f, 1));
    const Eigen::Vector3d c = mesh.vertices.row(mesh.triangles(f, 2));
    const Eigen::Vector3d area = (b - a).cross(c - a);  // length = 2 x area: area weighting
    for (int k = 0; k < 3; ++k) n.row(mesh.triangles(f, k)) += area.transpose();
  }
  for (Eigen::Index i = 0; i < n.rows(); ++i) {
    const double len = n.row(i).norm();
    if (len > 0) n.row(i) /= len;
  }
  return n;
}

double luminance(const Image& img, int x, int y) {
  if (img.channels < 3) return img.at(x, y, 0);
  return 0.2126 * img.at(x, y, 0) + 0.7152 * img.at(x, y, 1) + 0.0722 * img.at(x, y, 2);
}

Eigen::Vector3d rgb(const Image& img, int x, int y) {
  if (img.channels < 3) return Eigen::Vector3d::Constant(img.at(x, y, 0));
  return {img.at(x, y, 0), img.at(x, y, 1), img.at(x, y, 2)};
}

GraphKind resolveKind(SceneKind scene, GraphKind requested) {
  if (requested != GraphKind::Auto) return requested;
  switch (scene) {
    case SceneKind::Mesh: return GraphKind::Mesh;
    case SceneKind::Points: return GraphKind::Knn;
    case SceneKind::Image: return GraphKind::Grid4;
    case SceneKind::Graph: return GraphKind::Auto;  // the file's own edges
  }
  return requested;
}

void requireKind(bool ok, GraphKind kind, SceneKind scene) {
  if (!ok)
    throw usageError(std::string("graph kind ") + graphKindName(kind) + " does not apply to a " + sceneKindName(scene) +
                     (scene == SceneKind::Image ? " (use grid4, grid8, patch or path)"
                      : scene == SceneKind::Graph ? " (use auto or path)"
                      : scene == SceneKind::Points ? " (use knn, radius or path)"
                                                   : " (use mesh, knn, radius or path)"));
}

Nodes imageNodes(const Image& img, GraphKind kind, int patch) {
  Nodes nodes;
  const int cell = kind == GraphKind::Patch ? patch : 1;
  const int gw = (img.width + cell - 1) / cell, gh = (img.height + cell - 1) / cell;
  nodes.count = static_cast<std::int64_t>(gw) * gh;
  nodes.gridWidth = gw;
  nodes.gridHeight = gh;
  nodes.gridCell = cell;
  nodes.positions.resize(nodes.count, 3);
  nodes.colors.resize(nodes.count, 3);
  nodes.intensity.resize(nodes.count);
  for (int gy = 0; gy < gh; ++gy)
    for (int gx = 0; gx < gw; ++gx) {
      const std::int64_t id = static_cast<std::int64_t>(gy) * gw + gx;
      Eigen::Vector3d colour = Eigen::Vector3d::Zero();
      double grey = 0.0;
      int count = 0;
      for (int y = gy * cell; y < std::min(img.height, (gy + 1) * cell); ++y)
        for (int x = gx * cell; x < std::min(img.width, (gx + 1) * cell); ++x) {
          colour += rgb(img, x, y);
          grey += luminance(img, x, y);
          ++count;
        }
      nodes.colors.row(id) = colour.transpose() / count;
      nodes.intensity(id) = grey / count;
      // Pixel units, y up, centre of the cell; image row 0 is at the top.
      const double cx = std::min<double>(img.width, (gx + 0.5) * cell);
      const double cy = std::min<double>(img.height, (gy + 0.5) * cell);
      nodes.positions.row(id) = Eigen::RowVector3d(cx, img.height - cy, 0.0);
    }
  return nodes;
}

std::vector<RawEdge> gridEdges(int gw, int gh, bool diagonals) {
  std::vector<RawEdge> edges;
  edges.reserve(static_cast<std::size_t>(gw) * gh * (diagonals ? 4 : 2));
  for (int y = 0; y < gh; ++y)
    for (int x = 0; x < gw; ++x) {
      const std::int64_t i = static_cast<std::int64_t>(y) * gw + x;
      if (x + 1 < gw) edges.push_back({i, i + 1, 1.0});
      if (y + 1 < gh) edges.push_back({i, i + gw, 1.0});
      if (diagonals && y + 1 < gh) {
        if (x + 1 < gw) edges.push_back({i, i + gw + 1, 1.0});
        if (x > 0) edges.push_back({i, i + gw - 1, 1.0});
      }
    }
  return edges;
}

std::vector<RawEdge> fromPairs(const std::vector<detail::IndexPair>& pairs) {
  std::vector<RawEdge> edges(pairs.size());
  for (std::size_t e = 0; e < pairs.size(); ++e) edges[e] = {pairs[e].i, pairs[e].j, 1.0};
  return edges;
}

// Symmetric CSR of A from undirected edges: self loops dropped, duplicates merged (max weight),
// zero weights dropped. Rows sorted by column.
void assemble(std::int64_t n, const std::vector<RawEdge>& edges, const std::vector<double>& a, Graph& g) {
  std::vector<std::int64_t> counts(static_cast<std::size_t>(n) + 1, 0);
  std::int64_t selfLoops = 0;
  for (std::size_t e = 0; e < edges.size(); ++e) {
    if (edges[e].i == edges[e].j) {
      ++selfLoops;
      continue;
    }
    if (a[e] == 0.0) continue;
    ++counts[static_cast<std::size_t>(edges[e].i) + 1];
    ++counts[static_cast<std::size_t>(edges[e].j) + 1];
  }
  std::partial_sum(counts.begin(), counts.end(), counts.begin());
  std::vector<std::int64_t> fill(counts.begin(), counts.end() - 1);
  std::vector<std::int32_t> cols(static_cast<std::size_t>(counts.back()));
  std::vector<double> vals(cols.size());
  for (std::size_t e = 0; e < edges.size(); ++e) {
    if (edges[e].i == edges[e].j || a[e] == 0.0) continue;
    const auto i = static_cast<std::size_t>(edges[e].i), j = static_cast<std::size_t>(edges[e].j);
    cols[static_cast<std::size_t>(fill[i])] = static_cast<std::int32_t>(j);
    vals[static_cast<std::size_t>(fill[i]++)] = a[e];
    cols[static_cast<std::size_t>(fill[j])] = static_cast<std::int32_t>(i);
    vals[static_cast<std::size_t>(fill[j]++)] = a[e];
  }
  // Sort each row and merge duplicates.
  g.offsets.assign(static_cast<std::size_t>(n) + 1, 0);
  g.neighbours.clear();
  g.weights.clear();
  g.neighbours.reserve(cols.size());
  g.weights.reserve(cols.size());
  std::int64_t duplicates = 0;
  std::vector<std::pair<std::int32_t, double>> row;
  for (std::int64_t i = 0; i < n; ++i) {
    row.clear();
    for (std::int64_t e = counts[static_cast<std::size_t>(i)]; e < counts[static_cast<std::size_t>(i) + 1]; ++e)
      row.emplace_back(cols[static_cast<std::size_t>(e)], vals[static_cast<std::size_t>(e)]);
    std::sort(row.begin(), row.end());
    for (std::size_t r = 0; r < row.size(); ++r) {
      if (!g.neighbours.empty() && static_cast<std::int64_t>(g.neighbours.size()) > g.offsets[static_cast<std::size_t>(i)] &&
          g.neighbours.back() == row[r].first) {
        g.weights.back() = std::max(g.weights.back(), row[r].second);
        ++duplicates;
        continue;
      }
      g.neighbours.push_back(row[r].first);
      g.weights.push_back(row[r].second);
    }
    g.offsets[static_cast<std::size_t>(i) + 1] = static_cast<std::int64_t>(g.neighbours.size());
  }
  if (selfLoops > 0) g.warnings.push_back(std::to_string(selfLoops) + " self loop(s) ignored");
  if (duplicates > 0)
    g.warnings.push_back(std::to_string(duplicates / 2) + " duplicate edge(s) merged (largest weight kept)");
}

void normalise(Graph& g, Normalisation norm, double sigma) {
  const std::int64_t n = g.nodeCount();
  g.degrees = Eigen::VectorXd::Zero(n);
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) g.degrees(i) += g.weights[e];
  g.normalisation = norm;
  g.sigma = sigma;
  Eigen::VectorXd invSqrt = Eigen::VectorXd::Zero(n);
  for (std::int64_t i = 0; i < n; ++i)
    if (g.degrees(i) > 0) invSqrt(i) = 1.0 / std::sqrt(g.degrees(i));
  for (std::int64_t i = 0; i < n; ++i)
    for (std::int64_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const std::int32_t j = g.neighbours[e];
      double w = g.weights[e];
      switch (norm) {
        case Normalisation::Symmetric: w *= invSqrt(i) * invSqrt(j); break;
        case Normalisation::RandomWalk: w /= g.degrees(i); break;
        case Normalisation::None: break;
      }
      g.weights[e] = sigma * w;
    }
}

}  // namespace

void validateGraphOptions(const GraphOptions& o) {
  // Error::where() is the parameter's engine name; each front end words it its own way.
  auto refuse = [](const char* parameter, const std::string& cause) { throw Error(cause, parameter, Error::Kind::Usage); };
  if (o.k < 1 || o.k > kMaxNeighbours)
    refuse("k", "the number of nearest neighbours must be between 1 and " + std::to_string(kMaxNeighbours) + " (got " +
                    std::to_string(o.k) + ")");
  if (o.patch < 1 || o.patch > 65536)
    refuse("patch", "the patch side must be between 1 and 65536 pixels (got " + std::to_string(o.patch) + ")");
  if (!(o.radius >= 0.0) || !std::isfinite(o.radius))
    refuse("radius", "must be a finite non-negative number (0 = 1.5 x mean nearest-neighbour distance)");
  if (!std::isfinite(o.sigma)) refuse("sigma", "must be finite");
  if (o.threads < 0 || o.threads > 1024) refuse("threads", "must be between 0 (all cores) and 1024 (got " + std::to_string(o.threads) + ")");
}

Graph buildGraph(const Scene& scene, const GraphOptions& options, Progress* progress) {
  const SceneKind sk = scene.kind();
  const GraphKind kind = resolveKind(sk, options.kind);
  const std::string where = scene.path.empty() ? scene.name : scene.path;
  validateGraphOptions(options);

  Nodes nodes;
  std::vector<RawEdge> edges;
  reportProgress(progress, 0.0);
  switch (sk) {
    case SceneKind::Mesh: {
      requireKind(kind == GraphKind::Mesh || kind == GraphKind::Knn || kind == GraphKind::Radius || kind == GraphKind::Path,
                  kind, sk);
      const Mesh& mesh = std::get<Mesh>(scene.data);
      nodes.count = mesh.vertices.rows();
      nodes.positions = mesh.vertices;
      nodes.colors = mesh.colors;
      nodes.normals = mesh.normals.rows() == nodes.count ? mesh.normals : vertexNormals(mesh);
      if (kind == GraphKind::Mesh) {
        edges.reserve(static_cast<std::size_t>(mesh.triangles.rows()) * 3);
        for (Eigen::Index f = 0; f < mesh.triangles.rows(); ++f)
          for (int k = 0; k < 3; ++k) {
            std::int64_t a = mesh.triangles(f, k), b = mesh.triangles(f, (k + 1) % 3);
            TOPOMASK_CHECK(a >= 0 && a < nodes.count && b >= 0 && b < nodes.count, where,
                           "triangle " + std::to_string(f) + " has a vertex index out of range", Error::Kind::Input);
            edges.push_back({std::min(a, b), std::max(a, b), 1.0});
          }
      }
      break;
    }
    case SceneKind::Points: {
      requireKind(kind == GraphKind::Knn || kind == GraphKind::Radius || kind == GraphKind::Path, kind, sk);
      const PointCloud& cloud = std::get<PointCloud>(scene.data);
      nodes.count = cloud.points.rows();
      nodes.positions = cloud.points;
      nodes.colors = cloud.colors;
      nodes.normals = cloud.normals;
      break;
    }
    case SceneKind::Image: {
      requireKind(kind == GraphKind::Grid4 || kind == GraphKind::Grid8 || kind == GraphKind::Patch || kind == GraphKind::Path,
                  kind, sk);
      const Image& img = std::get<Image>(scene.data);
      nodes = imageNodes(img, kind, options.patch);
      if (kind != GraphKind::Path)
        edges = gridEdges(nodes.gridWidth, nodes.gridHeight, kind == GraphKind::Grid8);
      break;
    }
    case SceneKind::Graph: {
      requireKind(kind == GraphKind::Auto || kind == GraphKind::Path, kind, sk);
      const EdgeListGraph& eg = std::get<EdgeListGraph>(scene.data);
      nodes.count = eg.nodes;
      nodes.geometric = false;
      if (kind == GraphKind::Auto) {
        edges.reserve(eg.edges.size());
        for (std::size_t e = 0; e < eg.edges.size(); ++e) {
          const WeightedEdge& we = eg.edges[e];
          const std::string place = "edge " + std::to_string(e);
          TOPOMASK_CHECK(we.i >= 0 && we.i < eg.nodes && we.j >= 0 && we.j < eg.nodes, where,
                         place + " has a node index out of range", Error::Kind::Input);
          TOPOMASK_CHECK(std::isfinite(we.w) && we.w >= 0.0, where,
                         place + " (" + std::to_string(we.i) + ", " + std::to_string(we.j) + ") has weight " +
                             std::to_string(we.w) + "; weights must be finite and non-negative",
                         Error::Kind::Input);
          edges.push_back({std::min(we.i, we.j), std::max(we.i, we.j), we.w});
        }
      }
      break;
    }
  }
  if (nodes.count <= 0) throw Error("zero nodes: nothing to build a graph on", where, Error::Kind::Input);
  if (nodes.count > std::int64_t{2'000'000'000}) throw Error("more than 2e9 nodes are not supported", where);

  // Predicted size before any neighbour search (bytes per edge: candidate pairs, raw edges, both CSR
  // directions with weights, and the sort).
  const std::uint64_t budget = memoryBudget(options.memoryLimit);
  constexpr double kBytesPerEdge = 96.0;
  auto requireEdges = [&](double predicted, const std::string& what) {
    char count[32];
    std::snprintf(count, sizeof count, "%.3g", predicted);
    if (!(predicted <= kMaxEdges))
      throw usageError(what + " would have about " + count + " edges, more than the limit of 2e9");
    requireMemory(predicted * kBytesPerEdge, what + " (about " + count + " edges)", budget);
  };
  if (kind == GraphKind::Knn)
    requireEdges(static_cast<double>(nodes.count) * std::min<double>(options.k, static_cast<double>(nodes.count - 1)),
                 "the kNN graph with k = " + std::to_string(options.k) + " on " + std::to_string(nodes.count) + " points");

  if (kind == GraphKind::Path) {
    edges.clear();
    for (std::int64_t i = 0; i + 1 < nodes.count; ++i) edges.push_back({i, i + 1, 1.0});
  } else if (kind == GraphKind::Knn) {
    edges = fromPairs(detail::knnPairs(nodes.positions, options.k, options.threads));
  } else if (kind == GraphKind::Radius) {
    double r = options.radius;
    if (r <= 0) r = 1.5 * detail::meanNearestNeighbourDistance(nodes.positions, options.threads);
    requireEdges(detail::estimateRadiusPairs(nodes.positions, r, 64),
                 "the radius graph with radius " + std::to_string(r) + " on " + std::to_string(nodes.count) + " points");
    edges = fromPairs(detail::radiusPairs(nodes.positions, r, options.threads));
  }
  reportProgress(progress, 0.5);

  // Edge weights A_ij.
  std::vector<double> a(edges.size());
  const bool needsLength = options.weights == EdgeWeights::Gaussian || options.weights == EdgeWeights::Inverse;
  if (needsLength && !nodes.geometric)
    throw usageError(std::string("edge weights ") + edgeWeightsName(options.weights) +
                     " needs geometry; this graph has none (use unit, or weights in the file)");
  if (options.weights == EdgeWeights::Intensity && sk != SceneKind::Image)
    throw usageError("edge weights intensity apply to images only");
  std::vector<double> length;
  double meanLength = 0.0;
  if (needsLength) {
    length.resize(edges.size());
    for (std::size_t e = 0; e < edges.size(); ++e) {
      length[e] = (nodes.positions.row(edges[e].i) - nodes.positions.row(edges[e].j)).norm();
      meanLength += length[e];
    }
    meanLength = edges.empty() ? 1.0 : meanLength / static_cast<double>(edges.size());
  }
  const double s = options.lengthScale > 0 ? options.lengthScale : (meanLength > 0 ? meanLength : 1.0);
  const double floorLength = 1e-9 * s;
  for (std::size_t e = 0; e < edges.size(); ++e) {
    switch (options.weights) {
      case EdgeWeights::Unit: a[e] = edges[e].base; break;
      case EdgeWeights::Gaussian: a[e] = std::exp(-length[e] * length[e] / (2 * s * s)); break;
      case EdgeWeights::Inverse: a[e] = 1.0 / std::max(length[e], floorLength); break;
      case EdgeWeights::Intensity: {
        const double d = nodes.intensity(edges[e].i) - nodes.intensity(edges[e].j);
        a[e] = std::exp(-d * d / (2 * options.intensityScale * options.intensityScale));
        break;
      }
    }
  }

  Graph g;
  assemble(nodes.count, edges, a, g);
  normalise(g, options.normalisation, options.sigma);
  g.positions = std::move(nodes.positions);
  g.colors = std::move(nodes.colors);
  g.normals = std::move(nodes.normals);
  g.intensity = std::move(nodes.intensity);
  g.gridWidth = kind == GraphKind::Path ? 0 : nodes.gridWidth;
  g.gridHeight = kind == GraphKind::Path ? 0 : nodes.gridHeight;
  g.gridCell = nodes.gridCell;
  if (kind == GraphKind::Path && sk == SceneKind::Image) {
    g.gridWidth = nodes.gridWidth;  // still drawn as the image it came from
    g.gridHeight = nodes.gridHeight;
  }
  if (!nodes.geometric || g.positions.rows() != g.nodeCount()) g.positions = detail::layout2d(g);
  reportProgress(progress, 1.0);
  return g;
}

namespace {
constexpr EnumEntry<GraphKind> kGraphKinds[] = {
    {GraphKind::Auto, "auto", "auto"},
    {GraphKind::Mesh, "mesh", "mesh edges"},
    {GraphKind::Knn, "knn", "k nearest neighbours"},
    {GraphKind::Radius, "radius", "radius"},
    {GraphKind::Grid4, "grid4", "pixel grid, 4-connected"},
    {GraphKind::Grid8, "grid8", "pixel grid, 8-connected"},
    {GraphKind::Patch, "patch", "patch grid"},
    {GraphKind::Path, "path", "path (sequence)"},
};
constexpr EnumEntry<EdgeWeights> kEdgeWeights[] = {
    {EdgeWeights::Unit, "unit", "unit"},
    {EdgeWeights::Gaussian, "gaussian", "gaussian of length"},
    {EdgeWeights::Inverse, "inverse", "inverse length"},
    {EdgeWeights::Intensity, "intensity", "intensity-aware (images)"},
};
constexpr EnumEntry<Normalisation> kNormalisations[] = {
    {Normalisation::Symmetric, "sym", "D^-1/2 A D^-1/2"},
    {Normalisation::RandomWalk, "rw", "D^-1 A"},
    {Normalisation::None, "none", "none"},
};
}  // namespace

const EnumTable<GraphKind>& graphKindTable() {
  static const EnumTable<GraphKind> table{"graph", kGraphKinds};
  return table;
}
const EnumTable<EdgeWeights>& edgeWeightsTable() {
  static const EnumTable<EdgeWeights> table{"weights", kEdgeWeights};
  return table;
}
const EnumTable<Normalisation>& normalisationTable() {
  static const EnumTable<Normalisation> table{"normalisation", kNormalisations};
  return table;
}
const char* graphKindName(GraphKind kind) { return graphKindTable().name(kind); }
const char* edgeWeightsName(EdgeWeights w) { return edgeWeightsTable().name(w); }
const char* normalisationName(Normalisation n) { return normalisationTable().name(n); }
GraphKind parseGraphKind(const std::string& text) { return graphKindTable().parse(text); }
EdgeWeights parseEdgeWeights(const std::string& text) { return edgeWeightsTable().parse(text); }
Normalisation parseNormalisation(const std::string& text) { return normalisationTable().parse(text); }

}  // namespace topomask
