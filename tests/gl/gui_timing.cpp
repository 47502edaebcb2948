// Measures, in the real application under a display (xvfb-run): frame time while the engine
// computes (GRF sampling on the worker), an idle frame, a frame while the pointer moves over the
// object (hover), and the time from a click to updated rows (exact row, GRF row, attention rows) and
// to all views redrawn, on a mesh, point cloud or image of about `n` nodes drawn at full resolution.
// Usage: gui_timing [n] [mesh|cloud|image] [tokens] (default 100000 mesh; "tokens": the app's default
// of about 10,000 clustered vertices, 20,000 voxel tokens or a patch grid instead).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "render/scene/views.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  int n = 100000;
  bool tokens = false;
  std::string kind = "mesh";
  for (int a = 1; a < argc; ++a) {
    const std::string arg = argv[a];
    if (arg == "tokens") tokens = true;
    else if (arg == "mesh" || arg == "cloud" || arg == "image") kind = arg;
    else n = std::atoi(arg.c_str());
  }
  const std::string dir = topomask::testing::tempDir("timing");
  std::string path;
  if (kind == "cloud") {
    path = topomask::testing::writeSphereXyz(dir, n);
  } else if (kind == "image") {
    const int side = static_cast<int>(std::sqrt(static_cast<double>(n)));
    path = topomask::testing::writeGradientPng(dir, side, side);
  } else {
    const int side = static_cast<int>(std::sqrt(static_cast<double>(n))) - 1;
    path = topomask::testing::writeSheetObj(dir, side, side);
  }
  AppOptions o;
  o.width = 1600;
  o.height = 900;
  App app(o);
  ViewSettings v = app.state().view;
  v.layout = Layout::Mask;
  if (std::getenv("TIMING_NO_EDGES")) v.edges = false;
  app.dispatch(SetView{v});
  app.dispatch(SetLargeAsTokens{tokens});
  if (kind == "image" && !tokens) {  // every pixel a node (the app's default is a patch grid)
    GraphOptions g = app.state().graph;
    g.kind = GraphKind::Grid4;
    app.dispatch(SetGraphOptions{g});
  }
  app.dispatch(OpenFile{path});
  // Frames while loading, building the graph, the mask operator, tokens and sampling GRFs.
  std::vector<double> frames;
  const auto start = Clock::now();
  while (app.busy() || frames.size() < 3) {
    app.frame();
    frames.push_back(app.lastFrameSeconds());
  }
  const double compute = std::chrono::duration<double>(Clock::now() - start).count();
  app.waitIdle();
  app.frame();
  std::sort(frames.begin(), frames.end());
  const Results& r = app.state().results;
  std::printf("%s: %lld nodes, %lld edges; all stages %.2f s (load %.2f, graph %.2f, mask %.3f, tokens %.2f, grf %.2f, errors %.2f)\n",
              kind.c_str(), static_cast<long long>(r.graphInfo.nodes), static_cast<long long>(r.graphInfo.edges), compute, r.timings.load,
              r.timings.graph, r.timings.mask, r.timings.tokens, r.timings.grf, r.timings.errors);
  std::printf("frames while computing: %zu, median %.1f ms, 90th percentile %.1f ms, max %.1f ms\n", frames.size(),
              frames[frames.size() / 2] * 1e3, frames[frames.size() * 9 / 10] * 1e3, frames.back() * 1e3);
  const render::Rect area = app.viewsArea();
  const auto rects = app.viewRects();
  // Idle frames (nothing changes) and frames while the pointer moves over the object (hover picks).
  auto medianOf = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
  };
  // A million nodes: the GRF stage asks before it starts (a dialog over the views); answered "not
  // now", so that the pointer reaches the views.
  if (app.state().costQuestion.open) {
    app.dispatch(AnswerCost{CostAnswer::NotNow});
    app.frame();
    std::printf("the GRF cost question was answered \"not now\"\n");
  }
  std::vector<double> idle, hover;
  int hovered = 0;
  app.setMouse(-1000, -1000);
  for (int k = 0; k < 20; ++k) {
    app.frame();
    idle.push_back(app.lastFrameSeconds());
  }
  for (int k = 0; k < 40; ++k) {
    const float x = static_cast<float>(area.x + rects[0].x + rects[0].width * (0.3 + 0.4 * k / 40.0));
    const float y = static_cast<float>(area.y + rects[0].y + rects[0].height * 0.5);
    app.setMouse(x, y);
    app.frame();
    hover.push_back(app.lastFrameSeconds());
    hovered += app.state().hover >= 0;
  }
  // Frames while the camera orbits (a drag across the first view; large scenes draw a subset).
  std::vector<double> orbit;
  const float oy = static_cast<float>(area.y + rects[0].y + rects[0].height * 0.5);
  const float ox = static_cast<float>(area.x + rects[0].x + rects[0].width * 0.3);
  app.setMouse(ox, oy, true);
  app.frame();
  for (int k = 1; k <= 12; ++k) {
    app.setMouse(ox + 8.0f * k, oy, true);
    app.frame();
    orbit.push_back(app.lastFrameSeconds());
  }
  app.setMouse(ox + 96.0f, oy, false);
  app.frame();
  const double still = app.lastFrameSeconds();
  app.setMouse(-1000, -1000);
  app.frame();
  std::printf("frame while the camera orbits: median %.1f ms; the frame after the release (the whole scene): %.1f ms\n",
              medianOf(orbit) * 1e3, still * 1e3);
  std::printf("idle frame: median %.1f ms; frame while the pointer moves over the object: median %.1f ms (a node under the pointer in %d of %zu)\n",
              medianOf(idle) * 1e3, medianOf(hover) * 1e3, hovered, hover.size());
  // Clicks: node under the cursor -> rows on the worker -> accepted by a frame.
  std::vector<double> picks, accepted, drawn, rows, refine;
  for (int k = 0; k < 12; ++k) {
    const int x = rects[0].x + rects[0].width * (2 + k % 6) / 10, y = rects[0].y + rects[0].height * (4 + k / 6 * 2) / 10;
    const auto t0 = Clock::now();
    app.clickAt(x, y);  // pick pass + SelectQuery (rows scheduled on the worker)
    const auto t1 = Clock::now();
    const std::int64_t q = app.state().query;
    app.waitIdle();  // rows computed and accepted into the state
    const auto t2 = Clock::now();
    app.frame();  // the three views redrawn with the new rows
    const auto t3 = Clock::now();
    if (q < 0 || app.state().results.rowsQuery != q) continue;
    auto ms = [](auto a, auto b) { return std::chrono::duration<double>(b - a).count() * 1e3; };
    picks.push_back(ms(t0, t1));
    accepted.push_back(ms(t0, t2));
    drawn.push_back(ms(t0, t3));
    rows.push_back(r.timings.rowsTotal * 1e3);
    // Under software OpenGL the first picture is drawn without multisampling; the frame after the
    // picture has been still for a moment antialiases it.
    std::this_thread::sleep_for(std::chrono::milliseconds(350));
    app.frame();
    refine.push_back(app.lastFrameSeconds() * 1e3);
    std::printf("click on node %lld: pick %.1f ms, rows accepted %.1f ms (worker %.1f: exact %.2f, grf %.2f, attention %.2f), "
                "drawn %.1f ms, antialiasing frame %.1f ms\n",
                static_cast<long long>(q), picks.back(), accepted.back(), rows.back(), r.timings.exactRow * 1e3,
                r.timings.grfRow * 1e3, r.timings.attentionRows * 1e3, drawn.back(), refine.back());
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v.empty() ? -1.0 : v[v.size() / 2];
  };
  std::printf("median over %zu clicks: pick %.1f ms, click -> rows in the state %.1f ms (worker %.1f ms), click -> views drawn %.1f ms, "
              "antialiasing frame %.1f ms\n",
              picks.size(), median(picks), median(accepted), median(rows), median(drawn), median(refine));
  return 0;
}
