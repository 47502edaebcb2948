#include "model/insight_views.h"

#include <cstdio>
#include <cstdlib>

#include "model/pipeline.h"
#include "model/state.h"

namespace topomask::gui {

namespace {

// The row of view K: K is written once, and every function given to it reads or makes K's result
// type (InsightResult<K>), so that a row cannot store one type and read another.
template <InsightKind K>
class Row {
 public:
  using Result = InsightResult<K>;
  Row(const char* name, const char* title, const char* button, const char* waiting) {
    v_.kind = K;
    v_.name = name;
    v_.title = title;
    v_.button = button;
    v_.waiting = waiting;
  }
  Row& stages(unsigned stages) {
    v_.stages = stages;
    return *this;
  }
  Row& keepWhileRecomputing() {
    v_.keepWhileRecomputing = true;
    return *this;
  }
  Row& key(std::optional<InsightKey> (*key)(const AppState&)) {
    v_.key = key;
    return *this;
  }
  // prepare(state) captures what the computation reads and returns it: a callable
  // (Progress&) -> Result, run on the view's lane.
  template <class Prepare>
  Row& job(Prepare prepare) {
    v_.job = [prepare](const AppState& s) -> InsightJob {
      return [compute = prepare(s)](Progress& progress) -> std::shared_ptr<const void> {
        return std::make_shared<const Result>(compute(progress));
      };
    };
    return *this;
  }
  template <class F>
  Row& picture(F f) {
    v_.picture = [f](const void* r) -> InsightPicture { return f(*static_cast<const Result*>(r)); };
    return *this;
  }
  template <class F>
  Row& above(F f) {
    v_.above = [f](const void* r, const AppState& s) -> std::string { return f(*static_cast<const Result*>(r), s); };
    return *this;
  }
  template <class F>
  Row& below(F f) {
    v_.below = [f](const void* r, const AppState& s) -> std::string { return f(*static_cast<const Result*>(r), s); };
    return *this;
  }
  InsightView done() { return std::move(v_); }

 private:
  InsightView v_;
};

InsightPicture pictureOf(const std::vector<std::uint8_t>& rgba, int width, int height, bool nearest = false) {
  return {&rgba, width, height, nearest};
}

// The key of a view of the exact mask and the GRF features (none without either: a series that
// diverged, features still waiting for the cost question).
std::optional<InsightKey> maskAndFeaturesKey(const AppState& s) {
  const Results& r = s.results;
  if (!r.mask || !r.grf) return std::nullopt;
  return InsightKey{r.mask, r.grf, -1};
}

// The walker counts of the error against walkers (doubling: the 1/n law is a straight line).
const std::vector<int> kConvergenceWalkers{2, 4, 8, 16, 32, 64};

constexpr unsigned kMaskAndFeatures = StageLoad | StageGraph | StageMask | StageGrf;

std::vector<InsightView> makeViews() {
  std::vector<InsightView> views;

  // M | M_hat | M_hat - M on at most 512 nodes (its own tab: hover and click).
  views.push_back(
      Row<InsightKind::Matrix>("matrix", "Matrix M | M_hat", "Matrix", "The matrix view needs the mask and the GRF features.")
          .stages(kMaskAndFeatures)
          .key(maskAndFeaturesKey)
          .job([](const AppState& s) {
            return [graph = s.results.graph, mask = s.results.mask, grf = s.results.grf](Progress& progress) {
              progress.setStage("M and M_hat on the sample");
              return computeMatrixView(mask->op, grf->features.query(), grf->keyT, graph->positions, 512, &progress);
            };
          })
          .picture([](const MatrixView& m) { return pictureOf(m.picture.rgba, m.picture.width, m.picture.height, /*nearest=*/true); })
          .done());

  // The error of M_hat against the number of walkers, with the 1/n law and the concentration bound.
  views.push_back(
      Row<InsightKind::Convergence>("convergence", "Error vs walkers", "Error vs n", "Needs the mask and the GRF options.")
          .stages(kMaskAndFeatures)
          .key(maskAndFeaturesKey)
          .job([](const AppState& s) {
            return [graph = s.results.graph, mask = s.mask, grf = s.results.grf](Progress& progress) {
              return computeConvergence(*graph, mask, grf->features.options, kConvergenceWalkers, 3, 1024, 48, &progress);
            };
          })
          .picture([](const ConvergenceView& c) { return pictureOf(c.image.rgba, c.image.width, c.image.height); })
          .above([](const ConvergenceView& c, const AppState&) {
            return "Error of the GRF mask against the number of walkers (the current GRF options, " +
                   std::to_string(c.walkers.size()) + " walker counts, error over " +
                   (c.allRows ? std::string("all rows") : std::to_string(c.rowsUsed) + " sampled rows") +
                   "). The dashed red line is the 1/n law.";
          })
          .below([](const ConvergenceView& c, const AppState&) {
            std::string text = "Concentration constant: " + c.constant.statement;
            if (!c.bound.note.empty()) text += "\nBound: " + c.bound.note;
            return text + "\nThe bound is on E||M_hat - M||_F^2/||M||_F^2, from the engine's P(|M_hat_ij - M_ij| > t).";
          })
          .done());

  // The eigenvalues of W under the mask function g(lambda); a new mask redraws g over the same
  // eigenvalues (the previous picture stays until then).
  views.push_back(
      Row<InsightKind::Spectrum>("spectrum", "Spectrum of W", "Spectrum", "Needs a graph.")
          .stages(StageLoad | StageGraph)
          .keepWhileRecomputing()
          .key([](const AppState& s) -> std::optional<InsightKey> {
            if (!s.results.graph) return std::nullopt;
            return InsightKey{s.results.graph, s.results.mask, -1};
          })
          .job([](const AppState& s) {
            return [graph = s.results.graph, mask = s.mask, cached = cachedSpectrum(s)](Progress& progress) {
              progress.setStage(cached ? "mask function" : "spectrum of W");
              return computeSpectrumView(*graph, mask, cached, &progress);
            };
          })
          .picture([](const SpectrumView& v) { return pictureOf(v.image.rgba, v.image.width, v.image.height); })
          .above([](const SpectrumView& v, const AppState&) {
            char rho[32];
            std::snprintf(rho, sizeof rho, "%.4g", v.spectrum->rho);
            return "Eigenvalues of W (" + v.spectrum->method + ") with the mask function g over [-rho, rho], rho = " + rho +
                   ": M = g(W) weights each eigenvector by g(lambda).";
          })
          .done());

  // Time and memory against N from `topomask bench` (on request: RunBench; its own tab).
  views.push_back(Row<InsightKind::Cost>("cost", "Cost against N", "Cost vs N", "").done());
  // Learning f for a target (on request: RunLearn; its own tab).
  views.push_back(Row<InsightKind::Learn>("learn", "Learn f", "Learn f", "").done());

  // The query's random walks and the M_hat row they give (the "Random walks" panel draws them over
  // the scene: no picture).
  views.push_back(
      Row<InsightKind::Walks>("walks", "", "", "Waiting for the rows of the query.")
          .stages(kMaskAndFeatures | StageRows)
          .key([](const AppState& s) -> std::optional<InsightKey> {
            const Results& r = s.results;
            if (!r.grf || s.query < 0 || r.rowsQuery != s.query || r.exactRow.size() == 0) return std::nullopt;
            return InsightKey{r.grf, r.graph, s.query};
          })
          .job([](const AppState& s) {
            return [graph = s.results.graph, grf = s.results.grf, exact = s.results.exactRow, mask = s.mask,
                    q = s.query](Progress& progress) {
              progress.setStage("tracing the walks");
              return walkProgress(*graph, mask, grf->features.options, grf->keyT, exact, q);
            };
          })
          .done());
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
    if (v.drawnAsPicture()) names += (names.empty() ? "" : ", ") + v.name;
  return names;
}

std::shared_ptr<const Spectrum> cachedSpectrum(const AppState& state) {
  const auto view = state.insight.get<InsightKind::Spectrum>();
  const int k = static_cast<int>(InsightKind::Spectrum);
  if (!view || !state.results.graph || !InsightKey::sameInput(state.insight.keys[k].a, state.results.graph)) return nullptr;
  return view->spectrum;
}

}  // namespace topomask::gui
