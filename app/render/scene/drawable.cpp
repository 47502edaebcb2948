#include "render/scene/drawable.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

#include <Eigen/Geometry>

namespace topomask::render {

namespace {

std::vector<float> toFloats(const Eigen::MatrixX3d& m) {
  std::vector<float> out(static_cast<std::size_t>(m.rows()) * 3);
  for (Eigen::Index i = 0; i < m.rows(); ++i)
    for (int c = 0; c < 3; ++c) out[static_cast<std::size_t>(i) * 3 + c] = static_cast<float>(m(i, c));
  return out;
}

std::vector<float> constantColors(std::int64_t n, float r, float g, float b) {
  std::vector<float> out(static_cast<std::size_t>(n) * 3);
  for (std::int64_t i = 0; i < n; ++i) {
    out[i * 3] = r;
    out[i * 3 + 1] = g;
    out[i * 3 + 2] = b;
  }
  return out;
}

// Area-weighted vertex normals for shading (the mesh file had none).
std::vector<float> vertexNormals(const std::vector<float>& p, const Eigen::MatrixX3i& triangles) {
  std::vector<float> n(p.size(), 0.0f);
  for (Eigen::Index t = 0; t < triangles.rows(); ++t) {
    const int a = triangles(t, 0), b = triangles(t, 1), c = triangles(t, 2);
    const Eigen::Vector3f pa(p[a * 3], p[a * 3 + 1], p[a * 3 + 2]);
    const Eigen::Vector3f pb(p[b * 3], p[b * 3 + 1], p[b * 3 + 2]);
    const Eigen::Vector3f pc(p[c * 3], p[c * 3 + 1], p[c * 3 + 2]);
    const Eigen::Vector3f face = (pb - pa).cross(pc - pa);
    for (int v : {a, b, c})
      for (int k = 0; k < 3; ++k) n[v * 3 + k] += face[k];
  }
  for (std::size_t i = 0; i < n.size(); i += 3) {
    const float len = std::sqrt(n[i] * n[i] + n[i + 1] * n[i + 1] + n[i + 2] * n[i + 2]);
    if (len > 0) {
      n[i] /= len;
      n[i + 1] /= len;
      n[i + 2] /= len;
    } else {
      n[i + 2] = 1.0f;
    }
  }
  return n;
}

}  // namespace

SceneDrawable::SceneDrawable(Renderer& renderer, const Scene& scene, const Graph& graph, bool cpuPicking)
    : renderer_(renderer), cpuPicking_(cpuPicking) {
  nodes_ = graph.nodeCount();
  if (nodes_ <= 0) throw std::invalid_argument("the graph has no nodes to draw");
  const bool hasPositions = graph.positions.rows() == nodes_;
  switch (scene.kind()) {
    case SceneKind::Mesh: {
      const Mesh& mesh = std::get<Mesh>(scene.data);
      if (mesh.vertices.rows() == nodes_ && mesh.triangles.rows() > 0) {
        buildSurface(mesh, graph);
      } else if (mesh.vertices.rows() == nodes_) {
        kind_ = DrawKind::Points;
        buildPoints(mesh.vertices, mesh.colors, graph);
      } else {
        throw std::invalid_argument("the graph has " + std::to_string(nodes_) + " nodes, the mesh " +
                                    std::to_string(mesh.vertices.rows()) + " vertices");
      }
      break;
    }
    case SceneKind::Points: {
      const PointCloud& cloud = std::get<PointCloud>(scene.data);
      if (cloud.points.rows() != nodes_) throw std::invalid_argument("the graph and the point cloud differ in size");
      kind_ = DrawKind::Points;
      buildPoints(cloud.points, cloud.colors, graph);
      break;
    }
    case SceneKind::Image: {
      const Image& image = std::get<Image>(scene.data);
      if (graph.gridWidth > 0 && static_cast<std::int64_t>(graph.gridWidth) * graph.gridHeight == nodes_) {
        buildImage(image, graph);
        break;
      }
      [[fallthrough]];
    }
    case SceneKind::Graph: {
      if (!hasPositions) throw std::invalid_argument("the graph has no layout positions to draw");
      kind_ = DrawKind::GraphLayout;
      buildPoints(graph.positions, graph.colors, graph);
      break;
    }
  }
  if (kind_ != DrawKind::Image && nodes_ > kMovingNodes) {
    // About kMovingNodes nodes spread over the whole scene: a multiplicative hash of the id picks
    // them (a stride would draw stripes on grid-like meshes).
    const auto keep = static_cast<std::uint64_t>(kMovingNodes);
    std::vector<std::uint32_t> subset;
    subset.reserve(static_cast<std::size_t>(kMovingNodes) + 1024);
    for (std::int64_t i = 0; i < nodes_; ++i)
      if ((static_cast<std::uint64_t>(i) * 0x9E3779B97F4A7C15ull >> 32) % static_cast<std::uint64_t>(nodes_) < keep)
        subset.push_back(static_cast<std::uint32_t>(i));
    movingCount_ = static_cast<std::int64_t>(subset.size());
    movingSubset_ = renderer_.createIndexBuffer(subset);
  }
  const std::vector<float> zeros(static_cast<std::size_t>(nodes_), 0.0f);
  const float marker[3] = {0, 0, 0};
  markerBuffer_ = renderer_.createVertexBuffer(std::span<const float>(marker, 3), 3);
  for (int s = 0; s < kMaxViews; ++s) {
    if (kind_ == DrawKind::Image)
      scalarGrids_[s] = renderer_.createTexture(gridWidth_, gridHeight_, TextureFormat::R32F, TextureFilter::Nearest, zeros.data());
    else
      scalarBuffers_[s] = renderer_.createVertexBuffer(zeros, 1);
  }
}

SceneDrawable::~SceneDrawable() {
  for (BufferHandle b : {positionBuffer_, normalBuffer_, colorBuffer_, triangleBuffer_, edgeBuffer_, markerBuffer_, movingSubset_,
                         quadPositions_, quadTexCoords_})
    renderer_.destroy(b);
  for (BufferHandle b : scalarBuffers_) renderer_.destroy(b);
  for (TextureHandle t : scalarGrids_) renderer_.destroy(t);
  renderer_.destroy(imageTexture_);
}

void SceneDrawable::buildEdges(const Graph& graph) {
  std::vector<std::uint32_t> lines;
  lines.reserve(static_cast<std::size_t>(graph.nonZeros()));
  double length = 0.0;
  std::int64_t count = 0;
  for (std::int64_t i = 0; i < nodes_; ++i)
    for (std::int64_t e = graph.offsets[i]; e < graph.offsets[i + 1]; ++e) {
      const std::int64_t j = graph.neighbours[e];
      if (j <= i) continue;
      lines.push_back(static_cast<std::uint32_t>(i));
      lines.push_back(static_cast<std::uint32_t>(j));
      const Eigen::Vector3f d = nodePosition(i) - nodePosition(j);
      length += d.norm();
      ++count;
    }
  edgeIndices_ = static_cast<std::int64_t>(lines.size());
  if (!lines.empty()) edgeBuffer_ = renderer_.createIndexBuffer(lines);
  const float diag = (hi_ - lo_).norm();
  const double mean = count > 0 ? length / count : diag / std::sqrt(static_cast<double>(nodes_));
  double radius = mean * 0.35;
  // A drawn graph (no geometry) packs its nodes closer than its edges are long (a layout of a social
  // graph is a disc): the spacing of N nodes over the layout's area bounds the radius too, so that
  // neighbouring spheres do not hide each other.
  if (kind_ == DrawKind::GraphLayout) radius = std::min(radius, 0.3 * diag / std::sqrt(static_cast<double>(std::max<std::int64_t>(nodes_, 1))));
  pointRadius_ = static_cast<float>(std::max(radius, 1e-6 * std::max(diag, 1e-6f)));
}

void SceneDrawable::buildSurface(const Mesh& mesh, const Graph& graph) {
  kind_ = DrawKind::Surface;
  positions_ = toFloats(mesh.vertices);
  lo_ = mesh.vertices.colwise().minCoeff().cast<float>().transpose();
  hi_ = mesh.vertices.colwise().maxCoeff().cast<float>().transpose();
  positionBuffer_ = renderer_.createVertexBuffer(positions_, 3);
  std::vector<std::uint32_t> indices(static_cast<std::size_t>(mesh.triangles.rows()) * 3);
  for (Eigen::Index t = 0; t < mesh.triangles.rows(); ++t)
    for (int c = 0; c < 3; ++c) indices[t * 3 + c] = static_cast<std::uint32_t>(mesh.triangles(t, c));
  triangleIndices_ = static_cast<std::int64_t>(indices.size());
  triangleBuffer_ = renderer_.createIndexBuffer(indices);
  // The picking hierarchy builds while the views draw (about 0.3 s at 2M triangles).
  if (cpuPicking_)
    bvhBuild_ = std::async(std::launch::async, [positions = positions_, indices = std::move(indices)] {
      return std::make_unique<TriangleBvh>(positions, indices);
    });
  normalBuffer_ = renderer_.createVertexBuffer(
      mesh.normals.rows() == nodes_ ? toFloats(mesh.normals) : vertexNormals(positions_, mesh.triangles), 3);
  colorBuffer_ = renderer_.createVertexBuffer(
      mesh.colors.rows() == nodes_ ? toFloats(mesh.colors) : constantColors(nodes_, 0.78f, 0.76f, 0.72f), 3);
  buildEdges(graph);
}

void SceneDrawable::buildPoints(const Eigen::MatrixX3d& positions, const Eigen::MatrixX3d& colors, const Graph& graph) {
  positions_ = toFloats(positions);
  lo_ = positions.colwise().minCoeff().cast<float>().transpose();
  hi_ = positions.colwise().maxCoeff().cast<float>().transpose();
  positionBuffer_ = renderer_.createVertexBuffer(positions_, 3);
  colorBuffer_ = renderer_.createVertexBuffer(
      colors.rows() == nodes_ ? toFloats(colors)
      : kind_ == DrawKind::GraphLayout ? constantColors(nodes_, 0.85f, 0.85f, 0.88f)
                                       : constantColors(nodes_, 0.72f, 0.74f, 0.78f),
      3);
  buildEdges(graph);
  if (kind_ == DrawKind::GraphLayout) pointRadius_ *= 0.6f;
}

void SceneDrawable::buildImage(const Image& image, const Graph& graph) {
  kind_ = DrawKind::Image;
  gridWidth_ = graph.gridWidth;
  gridHeight_ = graph.gridHeight;
  gridCell_ = std::max(1, graph.gridCell);
  const float w = static_cast<float>(gridWidth_ * gridCell_), h = static_cast<float>(gridHeight_ * gridCell_);
  lo_ = Eigen::Vector3f(0, 0, 0);
  hi_ = Eigen::Vector3f(w, h, 0);
  imageScale_ = Eigen::Vector2f(w / static_cast<float>(std::max(1, image.width)), h / static_cast<float>(std::max(1, image.height)));
  const float quad[] = {0, h, w, h, w, 0, 0, h, w, 0, 0, 0};
  const float uv[] = {0, 0, 1, 0, 1, 1, 0, 0, 1, 1, 0, 1};
  quadPositions_ = renderer_.createVertexBuffer(quad, 2);
  quadTexCoords_ = renderer_.createVertexBuffer(uv, 2);
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(image.width) * image.height * 4, 255);
  for (int y = 0; y < image.height; ++y)
    for (int x = 0; x < image.width; ++x) {
      std::uint8_t* px = &rgba[(static_cast<std::size_t>(y) * image.width + x) * 4];
      for (int c = 0; c < 3; ++c) {
        const float v = image.channels >= 3 ? image.at(x, y, c) : image.at(x, y, 0);
        px[c] = static_cast<std::uint8_t>(std::clamp(v, 0.0f, 1.0f) * 255.0f + 0.5f);
      }
    }
  imageTexture_ = renderer_.createTexture(std::max(1, image.width), std::max(1, image.height), TextureFormat::Rgba8,
                                          TextureFilter::Nearest, rgba.data());
  positions_.resize(static_cast<std::size_t>(nodes_) * 3);
  for (std::int64_t i = 0; i < nodes_; ++i) {
    const Eigen::Vector3f p = nodePosition(i);
    for (int c = 0; c < 3; ++c) positions_[i * 3 + c] = p[c];
  }
  pointRadius_ = 0.5f * static_cast<float>(gridCell_);
}

Eigen::Vector3f SceneDrawable::nodePosition(std::int64_t i) const {
  if (kind_ == DrawKind::Image) {
    const float x = (static_cast<float>(i % gridWidth_) + 0.5f) * gridCell_;
    const float y = static_cast<float>(gridHeight_ * gridCell_) - (static_cast<float>(i / gridWidth_) + 0.5f) * gridCell_;
    return {x, y, 0.0f};
  }
  if (i < 0 || i >= nodes_) return Eigen::Vector3f::Zero();
  return Eigen::Vector3f(positions_[i * 3], positions_[i * 3 + 1], positions_[i * 3 + 2]);
}

Camera SceneDrawable::defaultCamera(float aspect) const {
  Camera camera;
  camera.mode = cameraMode();
  camera.frame(lo_, hi_, aspect);
  // Fit what is drawn (up to ~20k vertices, evenly strided), not the bounding sphere.
  const std::size_t count = positions_.size() / 3, stride = std::max<std::size_t>(1, count / 20000);
  std::vector<Eigen::Vector3f> sample;
  sample.reserve(count / stride + 1);
  for (std::size_t i = 0; i < count; i += stride)
    sample.emplace_back(positions_[3 * i], positions_[3 * i + 1], positions_[3 * i + 2]);
  camera.fitPoints(sample, aspect);
  return camera;
}

void SceneDrawable::setScalar(int slot, std::span<const float> values) {
  if (slot < 0 || slot >= kMaxViews || static_cast<std::int64_t>(values.size()) != nodes_) return;
  if (kind_ == DrawKind::Image) renderer_.updateTexture(scalarGrids_[slot], gridWidth_, gridHeight_, values.data());
  else renderer_.updateVertexBuffer(scalarBuffers_[slot], values);
}

std::vector<std::pair<std::string, UniformValue>> SceneDrawable::cameraUniforms(const Camera& camera, const Rect& viewport) const {
  const float aspect = static_cast<float>(viewport.width) / static_cast<float>(std::max(1, viewport.height));
  return {{"uModelView", Eigen::Matrix4f(camera.view())}, {"uProjection", Eigen::Matrix4f(camera.projection(aspect))}};
}

void SceneDrawable::draw(int slot, bool hasScalar, const ViewQuantity& q, TextureHandle colormap, const Camera& camera,
                         const Rect& viewport, const DrawStyle& style, std::int64_t query, std::int64_t hover) {
  slot = std::clamp(slot, 0, kMaxViews - 1);
  const auto cam = cameraUniforms(camera, viewport);
  auto scalarUniforms = cam;
  scalarUniforms.push_back({"uRange", Eigen::Vector2f(static_cast<float>(q.range.lo), static_cast<float>(q.range.hi))});
  scalarUniforms.push_back({"uLogScale", q.range.linear > 0 ? 2 : q.range.log ? 1 : 0});
  scalarUniforms.push_back({"uLinear", static_cast<float>(q.range.linear)});
  scalarUniforms.push_back({"uHasScalar", hasScalar ? 1 : 0});
  const float radius = pointRadius_ * style.pointScale;

  auto drawEdges = [&](const Eigen::Vector4f& color) {
    if (!edgeBuffer_) return;
    DrawCall lines;
    lines.program = "lines";
    lines.primitive = Primitive::Lines;
    lines.attributes = {{"aPosition", positionBuffer_, 3}};
    lines.indices = edgeBuffer_;
    lines.count = edgeIndices_;
    lines.uniforms = cam;
    lines.uniforms.push_back({"uColor", color});
    lines.blend = true;
    lines.depthWrite = false;
    renderer_.draw(lines);
  };
  // Sprites for every node, or for the nodes listed in `subset` (count of them).
  auto drawPoints = [&](float minPixels, float pointRadius, BufferHandle subset = {}, std::int64_t count = -1) {
    DrawCall points;
    points.program = "points";
    points.primitive = Primitive::Points;
    points.attributes = {{"aPosition", positionBuffer_, 3}, {"aColor", colorBuffer_, 3}, {"aScalar", scalarBuffers_[slot], 1}};
    points.indices = subset;
    points.count = count < 0 ? nodes_ : count;
    points.uniforms = scalarUniforms;
    points.uniforms.push_back({"uPointRadius", pointRadius});
    points.uniforms.push_back({"uViewportHeight", static_cast<float>(viewport.height)});
    points.uniforms.push_back({"uMinPixels", minPixels});
    points.textures = {{"uColormap", colormap}};
    renderer_.draw(points);
  };

  if (style.moving && movingSubset_) {
    // The subset as sprites, enlarged to cover about the area the whole scene covers.
    const float cover = std::sqrt(static_cast<float>(nodes_) / static_cast<float>(std::max<std::int64_t>(movingCount_, 1)));
    drawPoints(1.5f, radius * cover * (kind_ == DrawKind::Surface ? 2.2f : 1.0f), movingSubset_, movingCount_);
  } else switch (kind_) {
    case DrawKind::Surface: {
      DrawCall surface;
      surface.program = "surface";
      surface.attributes = {{"aPosition", positionBuffer_, 3}, {"aNormal", normalBuffer_, 3}, {"aColor", colorBuffer_, 3},
                            {"aScalar", scalarBuffers_[slot], 1}};
      surface.indices = triangleBuffer_;
      surface.count = triangleIndices_;
      surface.uniforms = scalarUniforms;
      surface.textures = {{"uColormap", colormap}};
      surface.polygonOffset = style.wireframe;
      renderer_.draw(surface);
      if (style.wireframe) drawEdges({0.04f, 0.04f, 0.05f, 0.45f});
      break;
    }
    case DrawKind::Points:
      if (style.edges) drawEdges({0.65f, 0.67f, 0.72f, 0.22f});
      drawPoints(1.5f, radius);
      break;
    case DrawKind::GraphLayout:
      if (style.edges) drawEdges({0.6f, 0.62f, 0.68f, 0.55f});
      drawPoints(3.0f, radius);
      break;
    case DrawKind::Image: {
      DrawCall image;
      image.program = "image";
      image.attributes = {{"aPosition", quadPositions_, 2}, {"aTexCoord", quadTexCoords_, 2}};
      image.count = 6;
      image.uniforms = scalarUniforms;
      image.uniforms.push_back({"uOpacity", style.overlayOpacity});
      image.uniforms.push_back({"uImageScale", imageScale_});
      image.textures = {{"uImage", imageTexture_}, {"uScalarGrid", scalarGrids_[slot]}, {"uColormap", colormap}};
      image.depthTest = false;
      renderer_.draw(image);
      break;
    }
  }

  auto marker = [&](std::int64_t node, float pixels, const Eigen::Vector4f& color) {
    if (node < 0 || node >= nodes_) return;
    const Eigen::Vector3f p = nodePosition(node);
    renderer_.updateVertexBuffer(markerBuffer_, std::span<const float>(p.data(), 3));
    DrawCall call;
    call.program = "marker";
    call.primitive = Primitive::Points;
    call.attributes = {{"aPosition", markerBuffer_, 3}};
    call.count = 1;
    call.uniforms = cam;
    call.uniforms.push_back({"uPixelSize", pixels});
    call.uniforms.push_back({"uColor", color});
    call.depthTest = false;
    renderer_.draw(call);
  };
  if (hover != query) marker(hover, 11.0f, {0.75f, 0.75f, 0.78f, 1.0f});
  marker(query, 17.0f, {0.93f, 0.16f, 0.22f, 1.0f});
}

void SceneDrawable::drawPick(const Camera& camera, const Rect& viewport, const DrawStyle& style) {
  DrawCall call;
  call.uniforms = cameraUniforms(camera, viewport);
  switch (kind_) {
    case DrawKind::Surface:
      call.program = "pick_surface";
      call.attributes = {{"aPosition", positionBuffer_, 3}};
      call.indices = triangleBuffer_;
      call.count = triangleIndices_;
      break;
    case DrawKind::Points:
    case DrawKind::GraphLayout:
      call.program = "pick_points";
      call.primitive = Primitive::Points;
      call.attributes = {{"aPosition", positionBuffer_, 3}};
      call.count = nodes_;
      call.uniforms.push_back({"uPointRadius", pointRadius_ * style.pointScale});
      call.uniforms.push_back({"uViewportHeight", static_cast<float>(viewport.height)});
      call.uniforms.push_back({"uMinPixels", kind_ == DrawKind::GraphLayout ? 9.0f : 4.0f});
      break;
    case DrawKind::Image:
      call.program = "pick_image";
      call.attributes = {{"aPosition", quadPositions_, 2}, {"aTexCoord", quadTexCoords_, 2}};
      call.count = 6;
      call.uniforms.push_back({"uGridWidth", gridWidth_});
      call.uniforms.push_back({"uGridHeight", gridHeight_});
      call.depthTest = false;
      break;
  }
  renderer_.draw(call);
}

namespace {
constexpr int kPickCell = 8;         // pixels per side of a cell of the point-pick grid
constexpr float kPickBigDisc = 16.0f;  // discs of a larger radius (pixels) are kept in a list, not binned
}  // namespace

void SceneDrawable::buildPickGrid(const Camera& camera, const Rect& viewport, const DrawStyle& style, const std::string& key) {
  PickGrid& g = pickGrid_;
  g.key = key;
  const float w = static_cast<float>(std::max(1, viewport.width)), h = static_cast<float>(std::max(1, viewport.height));
  const Eigen::Matrix4f projection = camera.projection(w / h);
  const Eigen::Matrix4f transform = projection * camera.view();
  // As pick_points.vert sizes the sprites: diameter 2 r P[1][1] (h / 2) / w_clip, at least uMinPixels.
  const float radius = pointRadius_ * style.pointScale, minPixels = kind_ == DrawKind::GraphLayout ? 9.0f : 4.0f;
  const auto n = static_cast<std::size_t>(nodes_);
  g.x.assign(n, 0.0f);
  g.y.assign(n, 0.0f);
  g.radius.assign(n, 0.0f);
  g.depth.assign(n, std::numeric_limits<float>::quiet_NaN());
  g.cols = static_cast<int>(std::ceil(w / kPickCell));
  g.rows = static_cast<int>(std::ceil(h / kPickCell));
  g.start.assign(static_cast<std::size_t>(g.cols) * g.rows + 1, 0);
  auto cells = [&](std::size_t i, int& c0, int& c1, int& r0, int& r1) {
    c0 = std::clamp(static_cast<int>(std::floor((g.x[i] - g.radius[i]) / kPickCell)), 0, g.cols - 1);
    c1 = std::clamp(static_cast<int>(std::floor((g.x[i] + g.radius[i]) / kPickCell)), 0, g.cols - 1);
    r0 = std::clamp(static_cast<int>(std::floor((g.y[i] - g.radius[i]) / kPickCell)), 0, g.rows - 1);
    r1 = std::clamp(static_cast<int>(std::floor((g.y[i] + g.radius[i]) / kPickCell)), 0, g.rows - 1);
  };
  for (std::size_t i = 0; i < n; ++i) {
    const Eigen::Vector4f clip = transform * Eigen::Vector4f(positions_[3 * i], positions_[3 * i + 1], positions_[3 * i + 2], 1.0f);
    // A point whose centre is outside the clip volume is not drawn.
    if (!(clip.w() > 0.0f) || std::abs(clip.x()) > clip.w() || std::abs(clip.y()) > clip.w() || std::abs(clip.z()) > clip.w()) continue;
    g.x[i] = (clip.x() / clip.w() + 1.0f) * 0.5f * w;
    g.y[i] = (1.0f - clip.y() / clip.w()) * 0.5f * h;
    // The rasteriser clamps sprites to its largest point size.
    g.radius[i] = 0.5f * std::min(std::max(2.0f * radius * projection(1, 1) * 0.5f * h / clip.w(), minPixels), renderer_.maxPointSize());
    g.depth[i] = clip.z() / clip.w();
    if (g.radius[i] > kPickBigDisc) continue;  // listed as big below
    int c0, c1, r0, r1;
    cells(i, c0, c1, r0, r1);
    for (int r = r0; r <= r1; ++r)
      for (int c = c0; c <= c1; ++c) ++g.start[static_cast<std::size_t>(r) * g.cols + c + 1];
  }
  for (std::size_t k = 1; k < g.start.size(); ++k) g.start[k] += g.start[k - 1];
  g.entries.assign(g.start.back(), 0);
  g.big.clear();
  std::vector<std::uint32_t> fill(g.start.begin(), g.start.end() - 1);
  for (std::size_t i = 0; i < n; ++i) {
    if (std::isnan(g.depth[i])) continue;
    if (g.radius[i] > kPickBigDisc) {
      g.big.push_back(static_cast<std::uint32_t>(i));
      continue;
    }
    int c0, c1, r0, r1;
    cells(i, c0, c1, r0, r1);
    for (int r = r0; r <= r1; ++r)
      for (int c = c0; c <= c1; ++c) g.entries[fill[static_cast<std::size_t>(r) * g.cols + c]++] = static_cast<std::uint32_t>(i);
  }
}

std::optional<std::int64_t> SceneDrawable::pickCpu(const Camera& camera, const Rect& viewport, const DrawStyle& style, int x, int y,
                                                   bool wait) {
  const float px = static_cast<float>(x - viewport.x) + 0.5f, py = static_cast<float>(y - viewport.y) + 0.5f;
  const float w = static_cast<float>(std::max(1, viewport.width)), h = static_cast<float>(std::max(1, viewport.height));
  if (px < 0 || py < 0 || px > w || py > h) return -1;
  switch (kind_) {
    case DrawKind::Image:
      return std::nullopt;
    case DrawKind::Surface: {
      if (!bvh_) {
        if (bvhFailed_ || !bvhBuild_.valid()) return std::nullopt;
        if (!wait && bvhBuild_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
        try {
          bvh_ = bvhBuild_.get();
        } catch (const std::exception&) {
          bvhFailed_ = true;  // e.g. out of memory: the GPU pass picks from now on
          return std::nullopt;
        }
      }
      // The pixel's ray: from the near plane to the far plane through its centre.
      const Eigen::Matrix4f inverse = (camera.projection(w / h) * camera.view()).inverse();
      const float ndcX = px / w * 2.0f - 1.0f, ndcY = 1.0f - py / h * 2.0f;
      const Eigen::Vector4f nearPoint = inverse * Eigen::Vector4f(ndcX, ndcY, -1.0f, 1.0f);
      const Eigen::Vector4f farPoint = inverse * Eigen::Vector4f(ndcX, ndcY, 1.0f, 1.0f);
      const Eigen::Vector3f origin = nearPoint.head<3>() / nearPoint.w(), end = farPoint.head<3>() / farPoint.w();
      const TriangleBvh::Hit hit = bvh_->intersect(origin, end - origin);
      if (hit.triangle < 0 || hit.t > 1.0f) return -1;  // beyond the far plane: not drawn
      return bvh_->nearestVertex(hit);
    }
    case DrawKind::Points:
    case DrawKind::GraphLayout: {
      const std::string key = camera.toText() + "|" + std::to_string(viewport.width) + "x" + std::to_string(viewport.height) + "|" +
                              std::to_string(style.pointScale);
      if (pickGrid_.key != key) buildPickGrid(camera, viewport, style, key);
      const PickGrid& g = pickGrid_;
      const int c = std::clamp(static_cast<int>(px / kPickCell), 0, g.cols - 1), r = std::clamp(static_cast<int>(py / kPickCell), 0, g.rows - 1);
      const std::size_t cell = static_cast<std::size_t>(r) * g.cols + c;
      std::int64_t best = -1;
      float bestDepth = std::numeric_limits<float>::infinity();
      auto consider = [&](std::uint32_t i) {
        const float dx = px - g.x[i], dy = py - g.y[i];
        if (dx * dx + dy * dy > g.radius[i] * g.radius[i]) return;
        // Nearest to the eye wins; among equal depths the first drawn (the depth test is GL_LESS).
        if (g.depth[i] < bestDepth || (g.depth[i] == bestDepth && static_cast<std::int64_t>(i) < best)) {
          bestDepth = g.depth[i];
          best = i;
        }
      };
      for (std::uint32_t k = g.start[cell]; k < g.start[cell + 1]; ++k) consider(g.entries[k]);
      for (std::uint32_t i : g.big) consider(i);
      return best;
    }
  }
  return std::nullopt;
}

}  // namespace topomask::render
