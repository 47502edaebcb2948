#include "model/insight_views.h"

#include <cstdio>
#include <cstdlib>

#include "model/pipeline.h"
#include "model/state.h"

namespace topomask::gui {

namespace {

// A result of view K as its type.
template <InsightKind K>
const InsightResult<K>& as(const void* result) {
  return *static_cast<const InsightResult<K>*>(result);
}

// A job computing view K's result with `compute(progress)` (its type checked here, once).
template <InsightKind K, class Compute>
InsightJob jobOf(Compute compute) {
  return [compute = std::move(compute)](Progress& progress) -> std::shared_ptr<const void> {
    return std::make_shared<const InsightResult<K>>(compute(progress));
  };
}

InsightPicture pictureOf(const std::vector<std::uint8_t>& rgba, int width, int height, bool nearest = false) {
  return {&rgba, width, height, nearest};
}

// A row with its names and nothing computed yet.
InsightView row(InsightKind kind, const char* name, const char* title, const char* button, const char* waiting) {
  InsightView v;
  v.kind = kind;
  v.name = name;
  v.title = title;
  v.button = button;
  v.waiting = waiting;
  return v;
}

// The key of a view of the exact mask and the GRF features (none without either: a series that
// diverged, features still waiting for the cost question).
std::optional<InsightKey> maskAndFeaturesKey(const AppState& s) {
  const Results& r = s.results;
  if (!r.mask || !r.grf) return std::nullopt;
  return InsightKey{r.mask.get(), r.grf.get(), -1};
}

// The walker counts of the error against walkers (doubling: the 1/n law is a straight line).
const std::vector<int> kConvergenceWalkers{2, 4, 8, 16, 32, 64};

std::vector<InsightView> makeViews() {
  std::vector<InsightView> views;

  {  // M | M_hat | M_hat - M on at most 512 nodes (its own tab: hover and click).
    InsightView v = row(InsightKind::Matrix, "matrix", "Matrix M | M_hat", "Matrix", "The matrix view needs the mask and the GRF features.");
    v.stages = StageLoad | StageGraph | StageMask | StageGrf;
    v.key = maskAndFeaturesKey;
    v.job = [](const AppState& s) {
      return jobOf<InsightKind::Matrix>([graph = s.results.graph, mask = s.results.mask, grf = s.results.grf](Progress& progress) {
        progress.setStage("M and M_hat on the sample");
        return computeMatrixView(mask->op, grf->features.query(), grf->keyT, graph->positions, 512, &progress);
      });
    };
    v.picture = [](const void* r) {
      const MatrixPicture& p = as<InsightKind::Matrix>(r).picture;
      return pictureOf(p.rgba, p.width, p.height, /*nearest=*/true);
    };
    views.push_back(std::move(v));
  }

  {  // The error of M_hat against the number of walkers, with the 1/n law and the concentration bound.
    InsightView v = row(InsightKind::Convergence, "convergence", "Error vs walkers", "Error vs n", "Needs the mask and the GRF options.");
    v.stages = StageLoad | StageGraph | StageMask | StageGrf;
    v.key = maskAndFeaturesKey;
    v.job = [](const AppState& s) {
      return jobOf<InsightKind::Convergence>(
          [graph = s.results.graph, mask = s.mask, grf = s.results.grf](Progress& progress) {
            return computeConvergence(*graph, mask, grf->features.options, kConvergenceWalkers, 3, 1024, 48, &progress);
          });
    };
    v.picture = [](const void* r) {
      const PlotImage& p = as<InsightKind::Convergence>(r).image;
      return pictureOf(p.rgba, p.width, p.height);
    };
    v.above = [](const void* r, const AppState&) {
      const ConvergenceView& c = as<InsightKind::Convergence>(r);
      return "Error of the GRF mask against the number of walkers (the current GRF options, " + std::to_string(c.walkers.size()) +
             " walker counts, error over " + (c.allRows ? std::string("all rows") : std::to_string(c.rowsUsed) + " sampled rows") +
             "). The dashed red line is the 1/n law.";
    };
    v.below = [](const void* r, const AppState&) {
      const ConvergenceView& c = as<InsightKind::Convergence>(r);
      std::string text = "Concentration constant: " + c.constant.statement;
      if (!c.bound.note.empty()) text += "\nBound: " + c.bound.note;
      return text + "\nThe bound is on E||M_hat - M||_F^2/||M||_F^2, from the engine's P(|M_hat_ij - M_ij| > t).";
    };
    views.push_back(std::move(v));
  }

  {  // The eigenvalues of W under the mask function g(lambda).
    InsightView v = row(InsightKind::Spectrum, "spectrum", "Spectrum of W", "Spectrum", "Needs a graph.");
    v.stages = StageLoad | StageGraph;
    v.keepWhileRecomputing = true;  // a new mask redraws g over the same eigenvalues
    v.key = [](const AppState& s) -> std::optional<InsightKey> {
      if (!s.results.graph) return std::nullopt;
      return InsightKey{s.results.graph.get(), s.results.mask.get(), -1};
    };
    v.job = [](const AppState& s) {
      return jobOf<InsightKind::Spectrum>([graph = s.results.graph, mask = s.mask, cached = cachedSpectrum(s)](Progress& progress) {
        progress.setStage(cached ? "mask function" : "spectrum of W");
        return computeSpectrumView(*graph, mask, cached, &progress);
      });
    };
    v.picture = [](const void* r) {
      const PlotImage& p = as<InsightKind::Spectrum>(r).image;
      return pictureOf(p.rgba, p.width, p.height);
    };
    v.above = [](const void* r, const AppState&) {
      const SpectrumView& sv = as<InsightKind::Spectrum>(r);
      char rho[32];
      std::snprintf(rho, sizeof rho, "%.4g", sv.spectrum->rho);
      return "Eigenvalues of W (" + sv.spectrum->method + ") with the mask function g over [-rho, rho], rho = " + rho +
             ": M = g(W) weights each eigenvector by g(lambda).";
    };
    views.push_back(std::move(v));
  }

  // Time and memory against N from `topomask bench` (on request: RunBench; its own tab).
  views.push_back(row(InsightKind::Cost, "cost", "Cost against N", "Cost vs N", ""));
  // Learning f for a target (on request: RunLearn; its own tab).
  views.push_back(row(InsightKind::Learn, "learn", "Learn f", "Learn f", ""));

  {  // The query's random walks and the M_hat row they give (the "Random walks" panel).
    InsightView v = row(InsightKind::Walks, "walks", "", "", "Waiting for the rows of the query.");
    v.stages = StageLoad | StageGraph | StageMask | StageGrf | StageRows;
    v.key = [](const AppState& s) -> std::optional<InsightKey> {
      const Results& r = s.results;
      if (!r.grf || s.query < 0 || r.rowsQuery != s.query || r.exactRow.size() == 0) return std::nullopt;
      return InsightKey{r.grf.get(), r.graph.get(), s.query};
    };
    v.job = [](const AppState& s) {
      return jobOf<InsightKind::Walks>([graph = s.results.graph, grf = s.results.grf, exact = s.results.exactRow, mask = s.mask,
                                        q = s.query](Progress& progress) {
        progress.setStage("tracing the walks");
        return walkProgress(*graph, mask, grf->features.options, grf->keyT, exact, q);
      });
    };
    views.push_back(std::move(v));
  }
  return views;
}

}  // namespace

const std::vector<InsightView>& insightViews() {
  static const std::vector<InsightView> views = [] {
    std::vector<InsightView> v = makeViews();
    for (std::size_t k = 0; k < v.size(); ++k)
      if (static_cast<std::size_t>(v[k].kind) != k) std::abort();  // rows in InsightKind order
    if (v.size() != static_cast<std::size_t>(kInsightKindCount)) std::abort();
    return v;
  }();
  return views;
}

const InsightView& insightView(InsightKind kind) { return insightViews()[static_cast<std::size_t>(kind)]; }

const InsightView* findInsightView(std::string_view name) {
  for (const InsightView& v : insightViews())
    if (v.name == name) return &v;
  return nullptr;
}

std::string renderableInsightViews() {
  std::string names;
  for (const InsightView& v : insightViews())
    if (v.job && v.picture) names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

std::shared_ptr<const Spectrum> cachedSpectrum(const AppState& state) {
  const auto view = state.insight.get<InsightKind::Spectrum>();
  const int k = static_cast<int>(InsightKind::Spectrum);
  if (!view || !state.results.graph || state.insight.keys[k].a != state.results.graph.get()) return nullptr;
  return view->spectrum;
}

}  // namespace topomask::gui
