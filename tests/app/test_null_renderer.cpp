// The null renderer draws every kind of view with every uniform set and consistent buffers,
// and catches the mistakes it exists for.
#include <gtest/gtest.h>

#include "model/views_model.h"
#include "render/null_renderer.h"
#include "render/scene/views.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::render;

namespace {

Scene meshScene() {
  Mesh m;
  m.vertices.resize(4, 3);
  m.vertices << 0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0.5;
  m.triangles.resize(2, 3);
  m.triangles << 0, 1, 2, 0, 2, 3;
  Scene s;
  s.data = m;
  return s;
}

Graph withPositions(Graph g, const Eigen::MatrixX3d& p) {
  g.positions = p;
  return g;
}

FrameSpec frameFor(const SceneDrawable& d, int views) {
  FrameSpec f;
  f.camera = d.defaultCamera();
  f.query = 1;
  f.hover = 2;
  f.style.wireframe = true;
  for (int k = 0; k < views; ++k) {
    ViewPanel p;
    p.title = "view";
    p.subtitle = "sub";
    p.hasScalar = k != 0;
    p.quantity.range = {k == 2 ? -1.0 : 1e-3, 1.0, k == 1};
    p.quantity.colormap = static_cast<Colormap>(k);
    f.views.push_back(p);
  }
  return f;
}

void drawAll(NullRenderer& r, const Scene& scene, const Graph& graph, DrawKind expected) {
  ViewRenderer views(r);
  SceneDrawable d(r, scene, graph, /*cpuPicking=*/true);
  EXPECT_EQ(d.kind(), expected);
  std::vector<float> values(static_cast<std::size_t>(graph.nodeCount()), 0.5f);
  for (int k = 0; k < kMaxViews; ++k) d.setScalar(k, values);
  const FrameSpec frame = frameFor(d, 3);
  views.render(d, frame, 900, 300);
  // The GPU pick pass (whose uniforms this checks); the CPU path draws nothing.
  views.pick(d, frame, 900, 300, 450, 150, ViewRenderer::PickPath::Gpu);
  const std::size_t drawn = r.drawLog().size();
  if (expected != DrawKind::Image) {
    views.pick(d, frame, 900, 300, 450, 150, ViewRenderer::PickPath::Cpu);
    EXPECT_EQ(r.drawLog().size(), drawn);
  }
  views.renderEmpty("nothing", 300, 200, DrawStyle{});
  for (const std::string& p : r.problems()) ADD_FAILURE() << p;
}

}  // namespace

TEST(NullRenderer, DrawsASurfaceWithEveryUniformSet) {
  NullRenderer r;
  const Scene scene = meshScene();
  drawAll(r, scene, withPositions(topomask::testing::cycleGraph(4), std::get<Mesh>(scene.data).vertices), DrawKind::Surface);
  const auto& log = r.drawLog();
  for (const char* program : {"surface", "lines", "marker", "overlay", "pick_surface"})
    EXPECT_NE(std::find(log.begin(), log.end(), program), log.end()) << program;
}

TEST(NullRenderer, DrawsPointsImagesAndGraphLayouts) {
  {
    NullRenderer r;
    PointCloud cloud;
    cloud.points = Eigen::MatrixX3d::Random(5, 3);
    Scene s;
    s.data = cloud;
    drawAll(r, s, withPositions(topomask::testing::pathGraph(5), cloud.points), DrawKind::Points);
    EXPECT_NE(std::find(r.drawLog().begin(), r.drawLog().end(), "points"), r.drawLog().end());
  }
  {
    NullRenderer r;
    Image img;
    img.width = 4;
    img.height = 3;
    img.channels = 3;
    img.pixels.assign(4 * 3 * 3, 0.5f);
    Scene s;
    s.data = img;
    Graph g = topomask::testing::gridGraph(4, 3);
    g.gridWidth = 4;
    g.gridHeight = 3;
    drawAll(r, s, g, DrawKind::Image);
    EXPECT_NE(std::find(r.drawLog().begin(), r.drawLog().end(), "image"), r.drawLog().end());
    EXPECT_NE(std::find(r.drawLog().begin(), r.drawLog().end(), "pick_image"), r.drawLog().end());
  }
  {
    NullRenderer r;
    EdgeListGraph e;
    e.nodes = 6;
    Scene s;
    s.data = e;
    Eigen::MatrixX3d layout = Eigen::MatrixX3d::Random(6, 3);
    layout.col(2).setZero();
    drawAll(r, s, withPositions(topomask::testing::cycleGraph(6), layout), DrawKind::GraphLayout);
    EXPECT_NE(std::find(r.drawLog().begin(), r.drawLog().end(), "pick_points"), r.drawLog().end());
  }
}

TEST(NullRenderer, CatchesMissingUniformsAndMismatchedBuffers) {
  NullRenderer r;
  r.begin(Target::Color, 10, 10);
  const std::vector<float> three(9, 0.0f), four(4, 0.0f);
  DrawCall call;
  call.program = "lines";
  call.primitive = Primitive::Lines;
  call.attributes = {{"aPosition", r.createVertexBuffer(three, 3), 3}};
  call.count = 2;
  call.uniforms = {{"uModelView", Eigen::Matrix4f::Identity().eval()}, {"uProjection", Eigen::Matrix4f::Identity().eval()}};
  r.draw(call);
  ASSERT_EQ(r.problems().size(), 1u);
  EXPECT_NE(r.problems()[0].find("uColor"), std::string::npos);
  r.clearLog();
  call.uniforms.push_back({"uColor", 1.0f});  // wrong type
  call.count = 4;                            // more vertices than the buffer holds
  r.draw(call);
  EXPECT_EQ(r.problems().size(), 2u);
  r.clearLog();
  DrawCall surface;
  surface.program = "surface";
  surface.attributes = {{"aPosition", r.createVertexBuffer(three, 3), 3}, {"aNormal", r.createVertexBuffer(three, 3), 3},
                        {"aColor", r.createVertexBuffer(three, 3), 3}, {"aScalar", r.createVertexBuffer(four, 1), 1}};
  const std::vector<std::uint32_t> idx{0, 1, 3};
  surface.indices = r.createIndexBuffer(idx);
  surface.count = 3;
  r.draw(surface);
  bool sizes = false, range = false, sampler = false;
  for (const std::string& p : r.problems()) {
    sizes |= p.find("aScalar has 4 vertices") != std::string::npos;
    range |= p.find("index 3 out of range") != std::string::npos;
    sampler |= p.find("uColormap") != std::string::npos;
  }
  EXPECT_TRUE(sizes);
  EXPECT_TRUE(range);
  EXPECT_TRUE(sampler);
  r.end();
}

// While the camera moves, a scene of more than kMovingNodes nodes draws a subset of about
// kMovingNodes of them as sprites and no edges; standing still it draws its triangles again.
TEST(NullRenderer, LargeScenesDrawASubsetWhileTheCameraMoves) {
  const int side = 480;  // 481^2 = 231,361 vertices
  Mesh m;
  m.vertices.resize((side + 1) * (side + 1), 3);
  for (int y = 0; y <= side; ++y)
    for (int x = 0; x <= side; ++x) m.vertices.row(y * (side + 1) + x) << x, y, 0;
  m.triangles.resize(2 * side * side, 3);
  for (int y = 0, t = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const int a = y * (side + 1) + x, b = a + 1, c = a + side + 1, d = c + 1;
      m.triangles.row(t++) << a, b, c;
      m.triangles.row(t++) << b, d, c;
    }
  Scene s;
  s.data = m;
  NullRenderer r;
  ViewRenderer views(r);
  SceneDrawable d(r, s, withPositions(topomask::testing::gridGraph(side + 1, side + 1), m.vertices));
  FrameSpec frame = frameFor(d, 1);
  frame.style.moving = true;
  views.render(d, frame, 400, 300);
  for (const std::string& p : r.problems()) ADD_FAILURE() << p;
  auto drew = [&](const char* program) { return std::find(r.drawLog().begin(), r.drawLog().end(), program) != r.drawLog().end(); };
  EXPECT_TRUE(drew("points"));
  EXPECT_FALSE(drew("surface"));
  EXPECT_FALSE(drew("lines")) << "no wireframe while moving";
  r.clearLog();
  frame.style.moving = false;
  views.render(d, frame, 400, 300);
  EXPECT_TRUE(drew("surface"));
  EXPECT_FALSE(drew("points"));
}
