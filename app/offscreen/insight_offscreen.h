// `topomask render --view walks|learn|<insight view>`: the teaching views drawn offscreen to a PNG
// with the same drawables as the window (walks: WalksDrawable over the scene; the views of
// model/insight_views.h with a picture: their row's computation and picture).
#pragma once

#include <functional>

#include "offscreen/offscreen.h"
#include "topomask/io/load.h"
#include "topomask/mask/fit.h"

namespace topomask::gui {

// View "walks": left, the query's walks coloured by step over the M_hat row rebuilt from the first
// `walkersShown` walkers (0 = all); right, the exact row (one shared log range). Any other view
// named by a row of insightViews() with a picture (renderableInsightViews(): matrix, convergence,
// spectrum): the engine stages the row reads, its computation and its picture, as in the window's tab.
// Same errors as renderOffscreen.
// With `animate` (view walks only), the walkers are released one after another and each spreads hop
// by hop over an equal share of the frames: frame j is at t = j n / (frames - 1), showing walkers
// 1..floor(t) + 1, the last with round((t - floor(t)) hops) of its hops, and the GRF row from those
// walks (firstWalks), converging to the estimate from all n; camera, colour range and the exact row
// stay fixed; the last frame is the finished walks. request.out may then be
// empty (no PNG); otherwise the PNG is the last frame.
OffscreenResult renderInsightOffscreen(const OffscreenRequest& request, int walkersShown = 0,
                                       const AnimationRequest* animate = nullptr);

// The views renderInsightOffscreen draws: "walks" and then the insight views with a picture, comma
// separated ("walks, matrix, convergence, spectrum"), and whether `view` is one of them.
std::string insightOffscreenViews();
bool isInsightOffscreenView(const std::string& view);

// View "learn": fits f to `target` (computeLearnModel) and draws the error while learning, f_k and
// g(lambda) over the spectrum (learnPicture; default 1440 x 480). The PNG is the last iteration; an
// animation's frame j shows iteration round(j (I - 1) / (frames - 1)) of the I recorded. `complete`
// fills in what the target needs from the loaded graph (a dense array's check, the distance metric)
// before the fit.
struct LearnRequest {
  FitTarget target;
  FitOptions fit;
  std::function<void(FitTarget&, const Graph&, const Scene&)> complete;
};
OffscreenResult renderLearnOffscreen(const OffscreenRequest& request, const LearnRequest& learn,
                                     const AnimationRequest* animate = nullptr);

}  // namespace topomask::gui
