// Writes the README's pictures of the insight window, drawn by the real application under a display
// (xvfb-run): the matrix view with the hover tooltip of one entry, the error against walkers, the
// spectrum of W and the cost against N. Usage: insight_shots OUT_DIR [TOPOMASK_BINARY]
// (the binary runs `topomask bench` for the cost plot; default: next to this program's bin/).
#include <cmath>
#include <cstdio>
#include <string>

#include "gui/app.h"
#include "gui/screenshot.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: insight_shots OUT_DIR [TOPOMASK_BINARY]\n");
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
  app.dispatch(OpenDemo{});
  settle();
  InsightUi& ui = app.panelUi().insight;
  auto shoot = [&](InsightTab tab, const std::string& name) {
    ui.open = true;
    ui.tab = tab;
    ui.selectTab = true;
    if (tab == InsightTab::Cost) ui.runBench = true;
    settle();
    if (tab == InsightTab::Matrix) {
      // Hover an off-diagonal entry near the diagonal of the GRF panel.
      const MatrixPicture& p = app.state().insight.matrix->picture;
      const float scale = ui.imageW / static_cast<float>(p.width);
      const int a = 150, b = 154;
      app.setMouse(std::floor(ui.imageX + (p.margin + (p.panelSize + p.gap) + (b + 0.5f) * p.cell) * scale),
                   std::floor(ui.imageY + (p.top + (a + 0.5f) * p.cell) * scale));
      app.frame();
      app.frame();
    }
    int w = 0, h = 0;
    const auto pixels = app.windowPixels(&w, &h);
    writePng(out + "/" + name, pixels, w, h);
    std::printf("wrote %s/%s (%d x %d)\n", out.c_str(), name.c_str(), w, h);
    app.clearMouse();
  };
  shoot(InsightTab::Matrix, "insight_matrix.png");
  shoot(InsightTab::Convergence, "insight_convergence.png");
  shoot(InsightTab::Spectrum, "insight_spectrum.png");
  shoot(InsightTab::Cost, "insight_cost.png");
  return 0;
}
