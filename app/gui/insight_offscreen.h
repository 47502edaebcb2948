// `topomask render --view walks|matrix|spectrum`: the teaching views drawn offscreen to a PNG with the
// same drawables as the window (walks: WalksDrawable over the scene; matrix: matrixPicture).
#pragma once

#include "gui/offscreen.h"

namespace topomask::gui {

// View "walks": left, the query's walks coloured by step over the M_hat row rebuilt from the first
// `walkersShown` walkers (0 = all); right, the exact row (one shared log range). View "matrix":
// M | M_hat | M_hat - M on at most 512 Morton-ordered nodes. View "spectrum": the histogram of the
// eigenvalues of W with g(lambda) over it (graph/spectrum.h). Same errors as renderOffscreen.
OffscreenResult renderInsightOffscreen(const OffscreenRequest& request, int walkersShown = 0);

}  // namespace topomask::gui
