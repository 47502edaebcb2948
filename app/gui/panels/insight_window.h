// The "Insight views" window over the views area: tabs for the matrix view (M | M_hat | difference
// with a hover tooltip of i, j and both values; a click makes row i the query), the error against
// walkers with the 1/n slope and the concentration bound, the spectrum of W under g(lambda), and
// time and memory against N from `topomask bench`. Every picture comes from a worker (state.insight),
// uploaded by App as a texture; this panel only shows them and reads the mouse.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "gui/commands.h"
#include "model/learn_model.h"
#include "model/state.h"
#include "render/renderer.h"

namespace topomask::gui {

// The matrix entry under the mouse (valid only while hovering a panel).
struct MatrixHover {
  bool valid = false;
  int panel = -1;          // 0 M, 1 M_hat, 2 M_hat - M
  int a = -1, b = -1;      // indices into the sample
  std::int64_t i = -1, j = -1;  // node ids
  double exact = 0.0, estimate = 0.0;
};

struct InsightUi {
  bool open = false;
  InsightKind tab = InsightKind::Matrix;  // the tab shown (updated from ImGui)
  bool selectTab = false;               // select `tab` on the next frame (tour, tests)
  bool maskPlotsOpen = false;           // the side panel's "Mask function plots" is open
  bool openMaskPlots = false;           // open that panel on the next frame (scripted screenshots)
  MatrixHover hover;
  // Where the current tab's first picture was drawn (ImGui units) and its size in picture pixels.
  float imageX = 0, imageY = 0, imageW = 0, imageH = 0;
  int pictureW = 0, pictureH = 0;
  float windowX = 0, windowY = 0, windowW = 0, windowH = 0;  // the window itself (ImGui units)
  // Learn tab (issue 17): the target, K, and the replay of the fit.
  int learnTarget = 0;           // index into learnTargetNames()
  float learnBeta = 2.0f;        // beta of a kernel target
  int learnP = 2;                // p of a pstep target
  float learnTau = 2.0f;         // tau of the distance target
  int learnTerms = 6;            // K
  bool learnPlaying = false;     // the replay advances (App::stepLearn)
  double learnPosition = 0.0;    // the iteration shown (fractional while playing)
  bool learnFollowViews = true;  // the views show the mask of the iteration shown
  bool learnChanged = false;     // the mask is the replay's (Apply or Revert decide)
  // Place the window over the first of `placeOverViews` equal columns of the views area on the next
  // frame (the tour keeps the view it talks about uncovered); 0: where the user left it.
  int placeOverViews = 0;
};

// The insight pictures as textures, which App makes: texture(owner, rgba, width, height, nearest)
// gives the texture of a picture (RGBA, row 0 at the top) held by `owner` (a view in state.insight),
// uploading it the first time it is asked for; a picture not asked for during a frame loses its
// texture. A new view's tab asks for its own pictures: nothing to add here or in App. learn: the
// Learn tab's picture of the iteration shown (App rasterises it).
struct InsightTextures {
  std::function<std::uintptr_t(std::shared_ptr<const void> owner, const std::vector<std::uint8_t>& rgba, int width,
                               int height, bool nearest)>
      texture;
  std::shared_ptr<const LearnPicture> learn;
};

// The Learn tab's targets: "heat", "reglap1", "reglap2", "pstep", "cosine", "distance".
const std::vector<const char*>& learnTargetNames();
// The target of the tab's settings (the distance metric: path length on meshes and point clouds,
// hops otherwise).
FitTarget learnTarget(const InsightUi& ui, bool geometric);

// The window (when ui.open). viewsArea in framebuffer pixels, uiScale = framebuffer pixels per ImGui unit.
void insightWindow(const AppState& state, InsightUi& ui, const InsightTextures& textures, const render::Rect& viewsArea,
                   float uiScale, const std::function<void(const Command&)>& emit);

// Whether a view of this kind is shown this frame (its tab, the mask plots for the spectrum, the
// "Random walks" panel for the walks): App computes only those.
bool insightWants(const InsightUi& ui, bool walksPanelOpen, InsightKind kind);

}  // namespace topomask::gui
