// The "Mask function" plots: the coefficients alpha_k and the modulation f_k (f * f = alpha) that the
// walkers use, and g(lambda) = sum_k alpha_k lambda^k over the spectrum interval [-rho(W), rho(W)].
#pragma once

#include "model/state.h"

namespace topomask::gui {

// Reads the spectrum view's result (state.insight, computed on a worker while this panel is open).
void maskPlotsPanel(const AppState& state);

}  // namespace topomask::gui
