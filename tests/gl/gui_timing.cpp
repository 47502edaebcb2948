// Measures, in the real application under a display (xvfb-run): frame time while the engine
// computes (GRF sampling on the worker) and the time from a click to updated rows (exact row,
// GRF row, attention rows) on a mesh of about `n` nodes. Usage: gui_timing [n] (default 100000).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "render/scene/views.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::atoi(argv[1]) : 100000;
  const int side = static_cast<int>(std::sqrt(static_cast<double>(n))) - 1;
  const std::string dir = topomask::testing::tempDir("timing");
  const std::string path = topomask::testing::writeSheetObj(dir, side, side);
  AppOptions o;
  o.width = 1600;
  o.height = 900;
  App app(o);
  ViewSettings v = app.state().view;
  v.layout = Layout::Mask;
  app.dispatch(SetView{v});
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
  std::printf("mesh: %lld nodes, %lld edges; all stages %.2f s (load %.2f, graph %.2f, mask %.3f, tokens %.2f, grf %.2f, errors %.2f)\n",
              static_cast<long long>(r.graphInfo.nodes), static_cast<long long>(r.graphInfo.edges), compute, r.timings.load,
              r.timings.graph, r.timings.mask, r.timings.tokens, r.timings.grf, r.timings.errors);
  std::printf("frames while computing: %zu, median %.1f ms, 90th percentile %.1f ms, max %.1f ms\n", frames.size(),
              frames[frames.size() / 2] * 1e3, frames[frames.size() * 9 / 10] * 1e3, frames.back() * 1e3);
  // Clicks: node under the cursor -> rows on the worker -> accepted by a frame.
  const render::Rect area = app.viewsArea();
  const auto rects = render::layoutViews(area.width, area.height, 3);
  std::vector<double> clicks, rows;
  for (int k = 0; k < 10; ++k) {
    const int x = rects[0].x + rects[0].width * (3 + k % 5) / 10, y = rects[0].y + rects[0].height * (3 + k / 5 * 3) / 10;
    const auto t0 = Clock::now();
    app.clickAt(x, y);
    const std::int64_t q = app.state().query;
    while (app.state().results.rowsQuery != q || app.busy()) app.frame();
    clicks.push_back(std::chrono::duration<double>(Clock::now() - t0).count());
    rows.push_back(app.state().results.timings.rowsTotal);
    std::printf("click %d: node %lld, click->rows shown %.1f ms (rows on worker %.1f ms: exact %.1f, grf %.1f, attention %.1f)\n", k,
                static_cast<long long>(q), clicks.back() * 1e3, rows.back() * 1e3, r.timings.exactRow * 1e3,
                r.timings.grfRow * 1e3, r.timings.attentionRows * 1e3);
  }
  std::sort(clicks.begin(), clicks.end());
  std::sort(rows.begin(), rows.end());
  std::printf("click -> updated rows: median %.1f ms, max %.1f ms (worker part median %.1f ms)\n", clicks[clicks.size() / 2] * 1e3,
              clicks.back() * 1e3, rows[rows.size() / 2] * 1e3);
  return 0;
}
