// `topomask render --view walks|matrix|spectrum`: the teaching views drawn offscreen to a PNG with the
// same drawables as the window (walks: WalksDrawable over the scene; matrix: matrixPicture).
#pragma once

#include <functional>

#include "offscreen/offscreen.h"
#include "topomask/io/load.h"
#include "topomask/mask/fit.h"

namespace topomask::gui {

// View "walks": left, the query's walks coloured by step over the M_hat row rebuilt from the first
// `walkersShown` walkers (0 = all); right, the exact row (one shared log range). View "matrix":
// M | M_hat | M_hat - M on at most 512 Morton-ordered nodes. View "spectrum": the histogram of the
// eigenvalues of W with g(lambda) over it (graph/spectrum.h). Same errors as renderOffscreen.
// With `animate` (view walks only), the walkers are released one after another and each spreads hop
// by hop over an equal share of the frames: frame j is at t = j n / (frames - 1), showing walkers
// 1..floor(t) + 1, the last with round((t - floor(t)) hops) of its hops, and the GRF row from those
// walks (firstWalks), converging to the estimate from all n; camera, colour range and the exact row
// stay fixed; the last frame is the finished walks. request.out may then be
// empty (no PNG); otherwise the PNG is the last frame.
OffscreenResult renderInsightOffscreen(const OffscreenRequest& request, int walkersShown = 0,
                                       const AnimationRequest* animate = nullptr);

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
