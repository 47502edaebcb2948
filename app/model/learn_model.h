// The Learn view's model (issue 17): one fit of the modulation f (mask/fit.h) with its trajectory, the
// spectrum of W, and the pictures of any iteration: the error while learning, the coefficients f_k, and
// g(lambda) = p_f(lambda)^2 over the spectrum with the target's g_T when the target is a kernel. The
// application's Learn panel and `topomask render --view learn` draw the same pictures. No GL.
#pragma once

#include <cstdint>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "render/plot/insight_plot.h"
#include "topomask/core/progress.h"
#include "topomask/graph/graph.h"
#include "topomask/graph/spectrum.h"
#include "topomask/mask/fit.h"

namespace topomask::gui {

struct LearnModel {
  std::string target;                   // describeTarget
  int terms = 0;
  FitResult fit;                        // every start recorded (FitOptions::recordStarts)
  // The trajectory replayed: the fit from the constant start f = (sqrt(alpha_0), 0, ..., 0), whose
  // g(lambda) is flat, so that learning is visible; the winning start's when there is none.
  std::string start;
  std::vector<double> loss;               // relative loss at every iteration
  std::vector<std::vector<double>> path;  // f at every iteration
  std::shared_ptr<const Spectrum> spectrum;
  std::vector<double> lambda;           // 201 points over [-rho, rho]
  std::vector<double> targetG;          // g_T(lambda) of a kernel target, empty otherwise
  // How well n walkers estimate the learned mask: sqrt(E||M_hat(f) - T||^2) / ||T|| for independent
  // ensembles of i.i.d. walkers (expectedGrfRelativeLoss) at the learned f; NaN with the reason in
  // grfNote where the closed form does not apply (W not symmetric, N above kGrfFitMaxNodes).
  int grfWalkers = 0;
  double grfPHalt = 0.0;
  double grfExpectedRelError = std::numeric_limits<double>::quiet_NaN();
  std::string grfNote;
  // Axes shared by every iteration's pictures (so that an animation's frames line up).
  double errorLo = 0, errorHi = 1, fLo = 0, fHi = 1, gLo = 0, gHi = 1;
  std::size_t iterations() const { return path.size(); }  // pictures 0..iterations() - 1
};

// Fits (fitModulation with `options`, every start recorded) and prepares the pictures. Reuses `spectrum` when given (the
// spectrum of the same graph). Polls progress; the engine's errors pass through.
// With `grf` (walkers, p_halt) it also fills grfExpectedRelError.
LearnModel computeLearnModel(const Graph& graph, const FitTarget& target, const FitOptions& options,
                             std::shared_ptr<const Spectrum> spectrum = nullptr, Progress* progress = nullptr,
                             const GrfFitOptions* grf = nullptr);

// p_f(lambda)^2 = (sum_k f_k lambda^k)^2 at each lambda: the mask function of alpha = f * f.
std::vector<double> modulationSquared(const std::vector<double>& f, const std::vector<double>& lambda);

// The three plots of iteration `i` (clamped to the trajectory), each panelWidth x panelHeight.
std::vector<Plot> learnPlots(const LearnModel& model, std::size_t i, int panelWidth, int panelHeight);

// The three plots side by side in one RGBA picture of width x height (row 0 at the top).
struct LearnPicture {
  int width = 0, height = 0;
  std::vector<std::uint8_t> rgba;
};
LearnPicture learnPicture(const LearnModel& model, std::size_t i, int width, int height);

}  // namespace topomask::gui
