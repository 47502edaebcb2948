// SceneDrawable: the GPU form of a loaded scene and its graph, drawn as one view: a lit mesh, point
// sprites, an image with a scalar overlay, or a 2-D graph layout; with a per-view scalar quantity
// mapped through a colormap, optional wireframe / graph edges, and query and hover markers.
#pragma once

#include <array>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "render/camera.h"
#include "render/colormap.h"
#include "render/renderer.h"
#include "topomask/graph/bvh.h"
#include "topomask/graph/graph.h"
#include "topomask/io/geometry.h"

namespace topomask::render {

inline constexpr int kMaxViews = 3;
inline constexpr std::int64_t kMovingNodes = 200000;

// How the scene is drawn.
enum class DrawKind { Surface, Points, Image, GraphLayout };

struct DrawStyle {
  bool wireframe = false;      // graph edges over a surface
  bool edges = true;           // graph edges for point clouds and graph layouts
  float pointScale = 1.0f;     // sprite radius = pointScale x default radius
  float overlayOpacity = 0.8f; // images: opacity of the scalar overlay
  // The camera is being dragged: scenes of more than kMovingNodes nodes draw a fixed pseudo-random
  // subset of kMovingNodes of them as sprites (meshes too), without edges; the still picture is whole.
  bool moving = false;
  Eigen::Vector4f background{0.11f, 0.115f, 0.13f, 1.0f};
};

// One quantity shown in a view (values empty: the geometry's own colours).
struct ViewQuantity {
  std::span<const float> values;  // N node values
  ValueRange range;
  Colormap colormap = Colormap::Viridis;
};

class SceneDrawable {
 public:
  // Uploads the geometry. The graph's nodes must be the scene's (mesh vertices, points, pixels or
  // patches, graph nodes). Throws std::invalid_argument when the sizes disagree.
  // cpuPicking: build the structures pickCpu needs (a mesh's triangle hierarchy starts building on
  // a background thread); drawables that never pick (offscreen `render`) skip them.
  SceneDrawable(Renderer& renderer, const Scene& scene, const Graph& graph, bool cpuPicking = false);
  ~SceneDrawable();
  SceneDrawable(const SceneDrawable&) = delete;
  SceneDrawable& operator=(const SceneDrawable&) = delete;

  DrawKind kind() const { return kind_; }
  CameraMode cameraMode() const { return kind_ == DrawKind::Surface || kind_ == DrawKind::Points ? CameraMode::Orbit : CameraMode::Planar; }
  std::int64_t nodeCount() const { return nodes_; }
  const Eigen::Vector3f& boundsLo() const { return lo_; }
  const Eigen::Vector3f& boundsHi() const { return hi_; }
  // World position of node i (pixel centre for images).
  Eigen::Vector3f nodePosition(std::int64_t i) const;
  // A camera framing the scene in a view of the given aspect (width / height).
  Camera defaultCamera(float aspect = 1.0f) const;

  // Uploads the values of view slot `slot` (0..kMaxViews-1); they stay until replaced.
  void setScalar(int slot, std::span<const float> values);

  // Draws slot's scalar (hasScalar false: plain colours) into the current viewport (already set and
  // cleared by the caller), then the markers (query: -1 = none).
  void draw(int slot, bool hasScalar, const ViewQuantity& quantity, TextureHandle colormap, const Camera& camera,
            const Rect& viewport, const DrawStyle& style, std::int64_t query, std::int64_t hover);
  // Draws node ids into the pick target's current viewport.
  void drawPick(const Camera& camera, const Rect& viewport, const DrawStyle& style);
  // The node drawn at pixel (x, y) (the pixel's centre; same coordinates as viewport, origin top
  // left), or -1, picked on the CPU as drawPick would pick it: a mesh by a ray against its triangle
  // hierarchy (built on a background thread when the drawable is made), points and graph nodes by
  // their discs as the sprites draw them, nearest to the eye (a grid of the discs on screen, made
  // at the first pick after the camera or the view changes). nullopt: the GPU pass must pick
  // (images, whose one quad costs nothing there, and meshes whose hierarchy is not built yet).
  // wait: block until the mesh's hierarchy is built instead of answering nullopt.
  std::optional<std::int64_t> pickCpu(const Camera& camera, const Rect& viewport, const DrawStyle& style, int x, int y,
                                      bool wait = false);

 private:
  void buildSurface(const Mesh& mesh, const Graph& graph);
  void buildPoints(const Eigen::MatrixX3d& positions, const Eigen::MatrixX3d& colors, const Graph& graph);
  void buildImage(const Image& image, const Graph& graph);
  void buildEdges(const Graph& graph);
  std::vector<std::pair<std::string, UniformValue>> cameraUniforms(const Camera& camera, const Rect& viewport) const;

  Renderer& renderer_;
  bool cpuPicking_ = false;
  DrawKind kind_ = DrawKind::Surface;
  std::int64_t nodes_ = 0;
  Eigen::Vector3f lo_ = Eigen::Vector3f::Zero(), hi_ = Eigen::Vector3f::Ones();
  std::vector<float> positions_;  // N x 3 (CPU copy for markers and picking)
  // Surfaces: the triangle hierarchy for picking, built on a background thread.
  std::future<std::unique_ptr<TriangleBvh>> bvhBuild_;
  std::unique_ptr<TriangleBvh> bvh_;
  bool bvhFailed_ = false;  // the build threw (out of memory): the GPU pass picks
  // Points and graph nodes: their discs on screen, binned in square cells of kPickCell pixels, for
  // one camera, viewport size and radius (key).
  struct PickGrid {
    std::string key;
    int cols = 0, rows = 0;
    std::vector<std::uint32_t> start;  // cols * rows + 1 offsets into entries
    std::vector<std::uint32_t> entries;  // node ids whose disc touches the cell (discs up to kPickBigDisc px)
    std::vector<std::uint32_t> big;      // node ids of larger discs: tested at every pick
    std::vector<float> x, y, radius, depth;  // per node: disc centre and radius in pixels, NDC depth (NaN: clipped)
  } pickGrid_;
  void buildPickGrid(const Camera& camera, const Rect& viewport, const DrawStyle& style, const std::string& key);
  float pointRadius_ = 0.01f;

  BufferHandle positionBuffer_, normalBuffer_, colorBuffer_, triangleBuffer_, edgeBuffer_, markerBuffer_;
  std::int64_t triangleIndices_ = 0, edgeIndices_ = 0;
  BufferHandle movingSubset_;  // node ids drawn while the camera moves (scenes above kMovingNodes)
  std::int64_t movingCount_ = 0;
  std::array<BufferHandle, kMaxViews> scalarBuffers_{};
  // Images.
  BufferHandle quadPositions_, quadTexCoords_;
  TextureHandle imageTexture_;
  std::array<TextureHandle, kMaxViews> scalarGrids_{};
  int gridWidth_ = 0, gridHeight_ = 0, gridCell_ = 1;
  Eigen::Vector2f imageScale_{1.0f, 1.0f};
};

}  // namespace topomask::render
