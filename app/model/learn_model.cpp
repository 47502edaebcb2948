#include "model/learn_model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>

#include "model/insight_model.h"
#include "topomask/core/error.h"

namespace topomask::gui {

std::vector<double> modulationSquared(const std::vector<double>& f, const std::vector<double>& lambda) {
  std::vector<double> g(lambda.size());
  for (std::size_t i = 0; i < lambda.size(); ++i) {
    double p = 0.0;  // Horner
    for (std::size_t k = f.size(); k-- > 0;) p = p * lambda[i] + f[k];
    g[i] = p * p;
  }
  return g;
}

LearnModel computeLearnModel(const Graph& graph, const FitTarget& target, const FitOptions& options,
                             std::shared_ptr<const Spectrum> spectrumOfGraph, Progress* progress, const GrfFitOptions* grf) {
  LearnModel m;
  m.target = describeTarget(target);
  m.terms = options.terms;
  if (progress) progress->setStage("learn: fitting f");
  FitOptions recorded = options;
  recorded.recordStarts = true;
  m.fit = fitModulation(graph, target, recorded, progress);
  m.start = m.fit.bestStart;
  m.loss = m.fit.loss;
  m.path = m.fit.path;
  for (FitStart& s : m.fit.starts)
    if (s.name == "constant" && !s.path.empty()) {
      m.start = s.name;
      m.loss = s.loss;
      m.path = s.path;
    }
  for (FitStart& s : m.fit.starts) s.loss.clear(), s.path.clear();  // replayed one kept above
  if (grf) {
    m.grfWalkers = grf->walkers;
    m.grfPHalt = grf->pHalt;
    if (graph.nodeCount() > kGrfFitMaxNodes) {
      m.grfNote = "the expected GRF error is computed up to " + std::to_string(kGrfFitMaxNodes) + " nodes";
    } else {
      try {
        if (progress) progress->setStage("learn: expected GRF error");
        m.grfExpectedRelError = std::sqrt(expectedGrfRelativeLoss(graph, target, m.fit.f, *grf, options));
      } catch (const Error& e) {
        m.grfNote = e.what();
      }
    }
  }
  if (progress) progress->setStage("learn: spectrum of W");
  m.spectrum = spectrumOfGraph ? std::move(spectrumOfGraph)
                               : std::make_shared<const Spectrum>(spectrum(graph, SpectrumOptions{}, progress));
  const double rho = m.spectrum->rho > 0.0 ? m.spectrum->rho : 1.0;
  if (target.kind == FitTargetKind::Kernel) {
    const MaskCurves curves = maskCurves(target.kernel, rho);
    if (curves.error.empty()) m.targetG = curves.g;
    m.lambda = curves.lambda;
  } else {
    for (int i = 0; i <= 200; ++i) m.lambda.push_back(-rho + 2.0 * rho * i / 200.0);
  }
  // Shared axes over the whole trajectory.
  const double inf = std::numeric_limits<double>::infinity();
  double eLo = inf, eHi = 0, fLo = 0, fHi = 0, gLo = inf, gHi = -inf;
  for (const double l : m.loss)
    if (l > 0 && std::isfinite(l)) eLo = std::min(eLo, std::sqrt(l)), eHi = std::max(eHi, std::sqrt(l));
  if (std::isfinite(m.fit.truncatedRelError) && m.fit.truncatedRelError > 0) eHi = std::max(eHi, m.fit.truncatedRelError);
  for (const std::vector<double>& f : m.path) {
    for (const double v : f) fLo = std::min(fLo, v), fHi = std::max(fHi, v);
    for (const double v : modulationSquared(f, m.lambda))
      if (std::isfinite(v)) gLo = std::min(gLo, v), gHi = std::max(gHi, v);
  }
  for (const double v : m.fit.f) fLo = std::min(fLo, v), fHi = std::max(fHi, v);
  if (m.fit.relError > 0) eLo = std::min(eLo, m.fit.relError);
  for (const double v : m.targetG)
    if (std::isfinite(v)) gLo = std::min(gLo, v), gHi = std::max(gHi, v);
  m.errorLo = std::isfinite(eLo) ? eLo : 1e-16;
  m.errorHi = eHi > m.errorLo ? eHi : m.errorLo * 10;
  m.fLo = fLo, m.fHi = fHi > fLo ? fHi : fLo + 1;
  m.gLo = std::min(0.0, std::isfinite(gLo) ? gLo : 0.0);
  m.gHi = std::isfinite(gHi) && gHi > m.gLo ? gHi : m.gLo + 1;
  return m;
}

std::vector<Plot> learnPlots(const LearnModel& model, std::size_t i, int panelWidth, int panelHeight) {
  if (model.path.empty()) throw usageError("learn: the fit has no trajectory to draw");
  i = std::min(i, model.path.size() - 1);
  const std::vector<double>& f = model.path[i];
  const double error = std::sqrt(std::max(model.loss[i], 0.0));
  char line[200];
  std::vector<Plot> plots(3);

  Plot& loss = plots[0];
  loss.title = "Error while learning";
  loss.xLabel = "iteration";
  loss.yLabel = "rel. Frobenius error";
  loss.logX = false;
  loss.logY = true;
  PlotSeries whole{"", {}, {}, {}, 0xb0b4bc, false, false, SeriesKind::Line, {}, false};
  PlotSeries sofar{"", {}, {}, {}, 0x4c9be8, false, false, SeriesKind::Line, {}, false};
  for (std::size_t t = 0; t < model.loss.size(); ++t) {
    whole.x.push_back(static_cast<double>(t));
    whole.y.push_back(std::sqrt(std::max(model.loss[t], 0.0)));
    if (t <= i) sofar.x.push_back(whole.x.back()), sofar.y.push_back(whole.y.back());
  }
  const double last = std::max<double>(1.0, static_cast<double>(model.loss.size() - 1));
  // First on top.
  std::snprintf(line, sizeof line, "iteration %zu: %.3g", i, error);
  loss.series.push_back(PlotSeries{line, {static_cast<double>(i)}, {error}, {}, 0xd62728, true, false, SeriesKind::Line, {}, false});
  if (sofar.x.size() > 1) loss.series.push_back(sofar);
  if (std::isfinite(model.fit.truncatedRelError) && model.fit.truncatedRelError > 0) {
    std::snprintf(line, sizeof line, "closed form cut: %.2g", model.fit.truncatedRelError);
    loss.series.push_back(PlotSeries{line, {0.0, last}, {model.fit.truncatedRelError, model.fit.truncatedRelError}, {}, 0x2ca02c,
                                     false, true, SeriesKind::Line, {}, false});
  }
  const double replayEnd = std::sqrt(std::max(model.loss.back(), 0.0));
  if (model.fit.relError < 0.99 * replayEnd) {
    std::snprintf(line, sizeof line, "best of %zu starts: %.3g", model.fit.starts.size(), model.fit.relError);
    loss.series.push_back(PlotSeries{line, {0.0, last}, {model.fit.relError, model.fit.relError}, {}, 0x9467bd, false, true,
                                     SeriesKind::Line, {}, false});
  }
  loss.series.push_back(whole);
  loss.notes.push_back(model.target);
  loss.notes.push_back("from the " + model.start + " start");
  loss.xMin = 0;
  loss.xMax = last;
  loss.yMin = model.errorLo;
  loss.yMax = model.errorHi;

  Plot& coeffs = plots[1];
  std::snprintf(line, sizeof line, "Coefficients f_k (K = %d)", model.terms);
  coeffs.title = line;
  coeffs.xLabel = "k";
  coeffs.yLabel = "";
  coeffs.logX = coeffs.logY = false;
  PlotSeries bars{"f at this iteration", {}, {}, {}, 0x4c9be8, false, false, SeriesKind::Bars, {}, false};
  PlotSeries learned{"learned f (best start)", {}, {}, {}, 0xd62728, true, true, SeriesKind::Line, {}, false};
  for (std::size_t k = 0; k < f.size(); ++k) {
    bars.x.push_back(static_cast<double>(k) - 0.35);
    bars.xRight.push_back(static_cast<double>(k) + 0.35);
    bars.y.push_back(f[k]);
    learned.x.push_back(static_cast<double>(k));
    learned.y.push_back(model.fit.f[k]);
  }
  coeffs.series.push_back(learned);
  coeffs.series.push_back(bars);
  coeffs.xMin = -0.5;
  coeffs.xMax = static_cast<double>(f.size()) - 0.5;
  coeffs.yMin = model.fLo;
  coeffs.yMax = model.fHi;

  const Spectrum& s = *model.spectrum;
  Plot spectral;
  if (!s.fraction.empty()) {
    spectral = spectrumPlot(s, model.lambda, modulationSquared(f, model.lambda), "p_f(lambda)^2");
    spectral.title = "g(lambda) on the spectrum";
    spectral.series.back().label = "g of this f";
    if (!model.targetG.empty())  // above g of this f (the first on top): dashed, both stay visible
      spectral.series.insert(spectral.series.begin() + 1, PlotSeries{"target g_T", model.lambda, model.targetG, {}, 0x2ca02c,
                                                                     false, true, SeriesKind::Line, {}, true});
    else
      spectral.notes.push_back("the target is not a function of W alone: no g_T to draw");
    spectral.yRightMin = model.gLo;
    spectral.yRightMax = model.gHi;
  } else {
    spectral.title = "g(lambda) = p_f(lambda)^2";
    spectral.logX = spectral.logY = false;
    spectral.series.push_back(PlotSeries{"g of this f", model.lambda, modulationSquared(f, model.lambda), {}, 0xd62728, false,
                                         false, SeriesKind::Line, {}, false});
  }
  plots[2] = spectral;
  for (Plot& p : plots) p.width = panelWidth, p.height = panelHeight;
  return plots;
}

LearnPicture learnPicture(const LearnModel& model, std::size_t i, int width, int height) {
  if (width < 300 || height < 200) throw usageError("the learn view needs at least 300 x 200 pixels");
  LearnPicture out;
  out.width = width;
  out.height = height;
  out.rgba.assign(static_cast<std::size_t>(width) * height * 4, 255);
  const int panel = width / 3;
  const std::vector<Plot> plots = learnPlots(model, i, panel, height);
  for (int p = 0; p < 3; ++p) {
    const PlotImage image = rasterisePlot(plots[static_cast<std::size_t>(p)]);
    for (int y = 0; y < image.height && y < height; ++y)
      std::memcpy(&out.rgba[(static_cast<std::size_t>(y) * width + static_cast<std::size_t>(p) * panel) * 4],
                  &image.rgba[static_cast<std::size_t>(y) * image.width * 4], static_cast<std::size_t>(image.width) * 4);
  }
  return out;
}

}  // namespace topomask::gui
