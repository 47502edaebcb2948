// Graph construction from a Scene (SPEC section 3) and generators for benchmarks and tests.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topomask/core/enum_table.h"
#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/io/geometry.h"

namespace topomask {

enum class GraphKind { Auto, Mesh, Knn, Radius, Grid4, Grid8, Patch, Path };
enum class EdgeWeights { Unit, Gaussian, Inverse, Intensity };

struct GraphOptions {
  // Auto: mesh edges for meshes, kNN for points, grid4 for images, file edges for graphs.
  GraphKind kind = GraphKind::Auto;
  int k = 8;                 // kNN size (made symmetric by union)
  double radius = 0.0;       // radius graph; 0 = 1.5 x mean nearest-neighbour distance
  int patch = 16;            // patch side in pixels for GraphKind::Patch
  EdgeWeights weights = EdgeWeights::Unit;
  double lengthScale = 0.0;      // s of the Gaussian weights; 0 = mean edge length
  double intensityScale = 0.1;   // s_I of the intensity-aware weights
  Normalisation normalisation = Normalisation::Symmetric;
  double sigma = 1.0;        // W = sigma * normalised(A)
  int threads = 0;           // 0 = all cores
  std::uint64_t memoryLimit = 0;  // bytes the graph may take; 0 = the memory available (core/budget.h)

  bool operator==(const GraphOptions&) const = default;
};

// Builds W on the scene's nodes. Throws Error (Usage) when the kind does not apply
// (e.g. grid4 on a mesh), when k exceeds kMaxNeighbours or the patch exceeds the image, and when
// the predicted edge count (N k for kNN; sampled neighbour counts for a radius graph) exceeds
// kMaxEdges or the memory budget (about 96 bytes per edge while building) - all before any
// neighbour search; (Input) on zero nodes.
// Nodes without geometry (plain graphs) get a 2-D layout in Graph::positions (spectral for up to
// 200k nodes, a circle beyond). Cost O(|E| log) plus O(N k log N) for kNN.
Graph buildGraph(const Scene& scene, const GraphOptions& options, Progress* progress = nullptr);
// The rules buildGraph checks first: k in [1, kMaxNeighbours], patch in [1, 65536], radius finite
// and >= 0, sigma finite, threads in [0, 1024]. The one place they live. Throws a usage Error whose
// where() is the parameter's name ("k", "patch", "radius", "sigma", "threads").
void validateGraphOptions(const GraphOptions& options);

// Text forms used by the CLI and UI ("auto", "mesh", "knn", ...; "unit", ...; "sym", "rw", "none").
// The descriptor tables (core/enum_table.h): names, labels, parsing.
const EnumTable<GraphKind>& graphKindTable();
const EnumTable<EdgeWeights>& edgeWeightsTable();
const EnumTable<Normalisation>& normalisationTable();
const char* graphKindName(GraphKind kind);
const char* edgeWeightsName(EdgeWeights w);
const char* normalisationName(Normalisation n);
GraphKind parseGraphKind(const std::string& text);          // throws usage Error
EdgeWeights parseEdgeWeights(const std::string& text);      // throws usage Error
Normalisation parseNormalisation(const std::string& text);  // throws usage Error

// Generated scenes: an RGB image with a smooth pattern (width x height), a path of n nodes
// (an EdgeListGraph), a noisy torus of n points, and a triangulated width x height sheet
// (a wavy height field, (width+1)(height+1) vertices).
Scene makeImageScene(int width, int height, std::uint64_t seed = 0);
Scene makePathScene(std::int64_t n);
Scene makePointScene(std::int64_t n, std::uint64_t seed = 0);
Scene makeSheetMeshScene(int width, int height);
// The built-in demo: a tube bent into a C whose two ends nearly touch, so that distance along the
// surface and straight-line distance disagree. About 6k vertices.
Scene makeDemoScene();

}  // namespace topomask
