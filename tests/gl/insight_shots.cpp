// Writes the README's pictures of the insight window, drawn by the real application under a display
// (xvfb-run): the matrix view with the hover tooltip of one entry, the error against walkers, the
// spectrum of W and the cost against N. Usage: insight_shots OUT_DIR [TOPOMASK_BINARY]
// [FILE] (the binary runs `topomask bench` for the cost plot; default: next to this program's bin/;
// FILE instead of the demo scene).
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>

#include "gui/app.h"
#include "render/plot/screenshot.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: insight_shots OUT_DIR [TOPOMASK_BINARY] [FILE]\n");
    return 2;
  }
  const std::string out = argv[1];
  AppOptions o;
  o.width = 1500;
  o.height = 860;
  o.bench.executable = argc > 2 ? argv[2] : topomask::testing::binDir() + "/topomask";
  App app(o);
  auto settle = [&] {
    for (int k = 0; k < 4; ++k) {
      app.frame();
      app.waitIdle();
    }
    app.frame();
  };
  if (argc > 3) app.dispatch(OpenFile{argv[3]});
  else app.dispatch(OpenDemo{});
  settle();
  InsightUi& ui = app.panelUi().insight;
  auto shoot = [&](InsightKind tab, const std::string& name) {
    ui.open = true;
    ui.tab = tab;
    ui.selectTab = true;
    if (tab == InsightKind::Cost) app.dispatch(RunBench{});
    const auto t0 = std::chrono::steady_clock::now();
    settle();
    std::printf("%s: ready after %.2f s\n", name.c_str(), std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    if (tab == InsightKind::Matrix) {
      // Hover the largest off-diagonal entry of M in the GRF panel.
      const MatrixView& view = *app.state().insight.get<InsightKind::Matrix>();
      const MatrixPicture& p = view.picture;
      const float scale = ui.imageW / static_cast<float>(p.width);
      Eigen::MatrixXd off = view.blocks.exact;
      off.diagonal().setZero();
      Eigen::Index a = 0, b = 0;
      off.maxCoeff(&a, &b);
      app.setMouse(std::floor(ui.imageX + (p.margin + (p.panelSize + p.gap) + (b + 0.5f) * p.cell) * scale),
                   std::floor(ui.imageY + (p.top + (a + 0.5f) * p.cell) * scale));
      app.frame();
      app.frame();
    }
    int w = 0, h = 0;
    const auto pixels = app.windowPixels(&w, &h);
    // Crop to the insight window (a few pixels of margin).
    const int x0 = std::max(0, static_cast<int>(ui.windowX) - 4), y0 = std::max(0, static_cast<int>(ui.windowY) - 4);
    const int x1 = std::min(w, static_cast<int>(ui.windowX + ui.windowW) + 4);
    const int y1 = std::min(h, static_cast<int>(ui.windowY + ui.windowH) + 4);
    std::vector<std::uint8_t> crop;
    for (int y = y0; y < y1; ++y)
      crop.insert(crop.end(), pixels.begin() + (static_cast<std::ptrdiff_t>(y) * w + x0) * 4,
                  pixels.begin() + (static_cast<std::ptrdiff_t>(y) * w + x1) * 4);
    writePng(out + "/" + name, crop, x1 - x0, y1 - y0);
    std::printf("wrote %s/%s (%d x %d)\n", out.c_str(), name.c_str(), x1 - x0, y1 - y0);
    app.clearMouse();
  };
  shoot(InsightKind::Matrix, "insight_matrix.png");
  shoot(InsightKind::Convergence, "insight_convergence.png");
  shoot(InsightKind::Spectrum, "insight_spectrum.png");
  shoot(InsightKind::Cost, "insight_cost.png");
  // The side panel's small plots: the walks panel and the mask function plots (insight window closed).
  ui.open = false;
  app.panelUi().walks.requestOpen = true;
  ui.openMaskPlots = true;
  settle();
  int w = 0, h = 0;
  const auto panels = app.windowPixels(&w, &h);
  writePng(out + "/insight_panels.png", panels, w, h);
  std::printf("wrote %s/insight_panels.png\n", out.c_str());
  return 0;
}
