// The data a user opens: a triangle mesh, a point cloud, an image or a plain graph,
// held as plain Eigen arrays. A Scene is exactly one of them plus load warnings.
#pragma once

#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include <Eigen/Core>

namespace topomask {

// Triangle mesh after welding coincident vertices: vertex i is graph node i.
struct Mesh {
  Eigen::MatrixX3d vertices;   // N x 3
  Eigen::MatrixX3i triangles;  // F x 3, indices into vertices
  Eigen::MatrixX3d normals;    // N x 3 per-vertex normals, or 0 rows
  Eigen::MatrixX3d colors;     // N x 3 in [0, 1], or 0 rows
};

// Point cloud: point i is graph node i.
struct PointCloud {
  Eigen::MatrixX3d points;   // N x 3
  Eigen::MatrixX3d normals;  // N x 3, or 0 rows
  Eigen::MatrixX3d colors;   // N x 3 in [0, 1], or 0 rows
};

// Image: row-major pixels, row 0 at the top, values in [0, 1].
struct Image {
  int width = 0;
  int height = 0;
  int channels = 0;            // 1 (grey), 3 (RGB) or 4 (RGBA)
  std::vector<float> pixels;   // height * width * channels
  float at(int x, int y, int c) const { return pixels[(static_cast<std::size_t>(y) * width + x) * channels + c]; }
  // Luminance in [0, 1] (Rec. 709 weights for colour images).
  float intensity(int x, int y) const;
};

struct WeightedEdge {
  std::int64_t i = 0;
  std::int64_t j = 0;
  double w = 1.0;
};

// A plain graph from an edge list or a Matrix Market file, indices 0-based after loading.
struct EdgeListGraph {
  std::int64_t nodes = 0;
  std::vector<WeightedEdge> edges;  // as read (duplicates and both directions possible)
  bool weighted = false;            // the file gave weights
  bool oneBased = false;            // the file was 1-based (detected, reported as a warning)
};

enum class SceneKind { Mesh, Points, Image, Graph };

struct Scene {
  std::string path;                   // where it came from ("" for generated scenes)
  std::string name;                   // short display name
  std::variant<Mesh, PointCloud, Image, EdgeListGraph> data;
  std::vector<std::string> warnings;  // visible to the user ("70048 of 70051 vertices read")

  SceneKind kind() const { return static_cast<SceneKind>(data.index()); }
};

// Voxel-grid subsampling, as point-cloud transformers tokenise clouds: the points are grouped in
// cubic cells of the smallest side for which at most `target` cells are occupied (bisection on the
// side, 24 steps), and each occupied cell becomes one point at the mean of its points (normals and
// colours averaged too). Returns the cloud unchanged when it has at most `target` points; `cellSide`
// receives the side used (0 when unchanged). O(N) per step. Throws usage Error when target < 1.
PointCloud voxelSubsample(const PointCloud& cloud, std::int64_t target, double* cellSide = nullptr);

// Vertex clustering of a mesh, the mesh counterpart of voxelSubsample: vertices are grouped in the
// cubic cells of the smallest side for which at most `target` cells are occupied; within a cell,
// vertices joined by mesh edges inside it become one vertex at their mean (two surfaces crossing one
// cell stay apart, so no edge jumps a gap the mesh does not bridge). Triangles with three distinct
// new vertices are kept once each. About `target` vertices (more where sheets share cells). Returns
// the mesh unchanged when it has at most `target` vertices; `cellSide` receives the side (0 then).
// O(N + F) per bisection step. Throws usage Error when target < 1.
Mesh clusterMesh(const Mesh& mesh, std::int64_t target, double* cellSide = nullptr);

// "mesh", "points", "image", "graph".
const char* sceneKindName(SceneKind kind);

}  // namespace topomask
