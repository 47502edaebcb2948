// Picking on the CPU (a ray against the mesh's triangle hierarchy; the discs of points and graph
// nodes as the sprites draw them) against the GPU's one-pixel pick pass, pixel by pixel over every
// view: meshes, point clouds and graph layouts, seen straight and from an orbited, zoomed camera.
#include <cstdio>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;
using Path = render::ViewRenderer::PickPath;

namespace {

class Pick : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = topomask::testing::tempDir("pick");
    app_ = std::make_unique<App>(AppOptions{});
    app_->setMouse(-1000, -1000);
  }
  void open(const std::string& path) {
    app_->dispatch(SetLargeAsTokens{false});
    app_->dispatch(OpenFile{path});
    topomask::testing::settle(*app_);
    ASSERT_TRUE(app_->state().results.graph) << app_->state().error;
  }
  // Every `step`-th pixel of every view: how many the GPU pass finds a node under, and how many the
  // two paths disagree on.
  void compare(int step, std::int64_t* hits, std::int64_t* pixels, std::int64_t* disagree) {
    *hits = *pixels = *disagree = 0;
    for (const render::Rect& r : app_->viewRects())
      for (int y = r.y; y < r.y + r.height; y += step)
        for (int x = r.x; x < r.x + r.width; x += step) {
          const std::int64_t gpu = app_->pickAt(x, y, Path::Gpu), cpu = app_->pickAt(x, y, Path::Cpu);
          ++*pixels;
          *hits += gpu >= 0;
          *disagree += gpu != cpu;
        }
    std::printf("%lld pixels, %lld on a node, %lld where the paths disagree\n", static_cast<long long>(*pixels),
                static_cast<long long>(*hits), static_cast<long long>(*disagree));
  }
  void orbitAndZoom() {
    render::Camera c = app_->state().camera;
    c.orbit(140, -60);
    c.zoom(1.8f);
    app_->dispatch(SetCamera{c});
    app_->frame();
  }
  std::string dir_;
  std::unique_ptr<App> app_;
};

// Pixels on the boundary between two triangles or two discs may go either way (float against the
// rasteriser's fixed point): at most 2 % of the hit pixels may differ.
constexpr double kBoundaryShare = 0.02;

TEST_F(Pick, MeshRaysAgreeWithTheGpuPass) {
  open(topomask::testing::writeSheetObj(dir_, 60, 60));
  for (int pose = 0; pose < 2; ++pose) {
    std::int64_t hits = 0, pixels = 0, disagree = 0;
    compare(11, &hits, &pixels, &disagree);
    EXPECT_GT(hits, pixels / 8) << "pose " << pose;
    EXPECT_LE(disagree, static_cast<std::int64_t>(kBoundaryShare * static_cast<double>(hits))) << "pose " << pose;
    orbitAndZoom();
  }
}

TEST_F(Pick, PointDiscsAgreeWithTheGpuPass) {
  open(topomask::testing::writeSphereXyz(dir_, 4000));
  ASSERT_EQ(app_->state().results.graph->nodeCount(), 4000);
  for (int pose = 0; pose < 2; ++pose) {
    std::int64_t hits = 0, pixels = 0, disagree = 0;
    compare(7, &hits, &pixels, &disagree);
    EXPECT_GT(hits, pixels / 10) << "pose " << pose;
    EXPECT_LE(disagree, static_cast<std::int64_t>(kBoundaryShare * static_cast<double>(hits))) << "pose " << pose;
    orbitAndZoom();
  }
  // Close up with sprites five times larger: discs of tens of pixels, some clamped to the
  // rasteriser's largest point size.
  ViewSettings v = app_->state().view;
  v.pointScale = 5.0f;
  app_->dispatch(SetView{v});
  render::Camera c = app_->state().camera;
  c.zoom(4.0f);
  app_->dispatch(SetCamera{c});
  app_->frame();
  std::int64_t hits = 0, pixels = 0, disagree = 0;
  compare(9, &hits, &pixels, &disagree);
  EXPECT_GT(hits, pixels / 4);
  EXPECT_LE(disagree, static_cast<std::int64_t>(kBoundaryShare * static_cast<double>(hits)));
}

TEST_F(Pick, GraphNodesAgreeWithTheGpuPass) {
  open(topomask::testing::writeRingEdges(dir_));
  std::int64_t hits = 0, pixels = 0, disagree = 0;
  compare(5, &hits, &pixels, &disagree);
  EXPECT_GT(hits, 100);
  EXPECT_LE(disagree, static_cast<std::int64_t>(kBoundaryShare * static_cast<double>(hits)));
}

}  // namespace
