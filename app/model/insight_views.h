// The insight views (the teaching views beside the main ones), one row each in insightViews().
//
// A row says what a view is called, what it reads, when its inputs changed, how to compute it and
// how to show it. From the rows:
// - App computes each view on its own lane while it is wanted (its tab is shown), again whenever
//   its inputs key changes, and drops its result when the inputs are gone (App::scheduleInsight);
// - the "Insight views" window gives it a tab and a button (its picture and text, or a tab of its
//   own for views that read the mouse or have buttons: gui/panels/insight_window.cpp);
// - `topomask render --view <name>` draws its picture to a PNG (offscreen/insight_offscreen.cpp).
// A new view is therefore its computation (insight_model.h), a value in InsightKind with its result
// type (InsightResultOf), its row in insight_views.cpp, a test and a line in the README.
//
// Views computed only on request (cost: `topomask bench`; learn: a fit of f) have no key: a command
// starts them (gui/commands.h RunBench, RunLearn) and App handles it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/insight_model.h"
#include "model/learn_model.h"
#include "topomask/core/progress.h"

namespace topomask::gui {

struct AppState;

// In the order of the window's tabs (walks, last, has a panel of its own: "Random walks").
enum class InsightKind { Matrix, Convergence, Spectrum, Cost, Learn, Walks };
inline constexpr int kInsightKindCount = 6;

// The type of each view's result.
template <InsightKind K>
struct InsightResultOf;
template <>
struct InsightResultOf<InsightKind::Matrix> { using type = MatrixView; };
template <>
struct InsightResultOf<InsightKind::Convergence> { using type = ConvergenceView; };
template <>
struct InsightResultOf<InsightKind::Spectrum> { using type = SpectrumView; };
template <>
struct InsightResultOf<InsightKind::Cost> { using type = CostView; };
template <>
struct InsightResultOf<InsightKind::Learn> { using type = LearnModel; };
template <>
struct InsightResultOf<InsightKind::Walks> { using type = WalkProgress; };
template <InsightKind K>
using InsightResult = typename InsightResultOf<K>::type;

// The inputs a result was computed from: the engine's results it read (immutable, replaced, never
// changed, when a parameter changes) and the query. Compared by owner, not by address: a new graph
// allocated where a freed one was is not the same input.
struct InsightKey {
  std::weak_ptr<const void> a;  // e.g. the graph, mask or GRF data the result belongs to
  std::weak_ptr<const void> b;
  std::int64_t query = -1;
  bool operator==(const InsightKey& other) const {
    return sameInput(a, other.a) && sameInput(b, other.b) && query == other.query;
  }
  // Whether x and y name the same object (both empty: the same, nothing).
  static bool sameInput(const std::weak_ptr<const void>& x, const std::weak_ptr<const void>& y) {
    return !x.owner_before(y) && !y.owner_before(x);
  }
};

// The views' results and their progress, indexed by InsightKind; get<K>() reads a result with its type.
struct InsightResults {
  std::shared_ptr<const void> result[kInsightKindCount];  // of type InsightResult<K> (null: none yet)
  InsightKey keys[kInsightKindCount];                      // the inputs of each result
  bool busy[kInsightKindCount] = {};
  std::string stage[kInsightKindCount];
  double fraction[kInsightKindCount] = {};
  std::string error[kInsightKindCount];  // the last failure of each view ("" = none)

  template <InsightKind K>
  std::shared_ptr<const InsightResult<K>> get() const {
    return std::static_pointer_cast<const InsightResult<K>>(result[static_cast<int>(K)]);
  }
  template <InsightKind K>
  void set(std::shared_ptr<const InsightResult<K>> value) {
    result[static_cast<int>(K)] = std::move(value);
  }
};

// A view's picture: RGBA, row 0 at the top, owned by the result it came from.
struct InsightPicture {
  const std::vector<std::uint8_t>* rgba = nullptr;
  int width = 0, height = 0;
  bool nearest = false;  // magnify without smoothing (one matrix entry per block of pixels)
};

// A prepared computation: everything it reads was captured on the UI thread; run on a worker.
using InsightJob = std::function<std::shared_ptr<const void>(Progress&)>;

struct InsightView {
  InsightKind kind = InsightKind::Matrix;
  std::string name;     // "matrix": `topomask render --view matrix`
  std::string title;    // the tab's title ("" = no tab)
  std::string button;   // the side panel's button that opens the tab
  std::string waiting;  // shown in the tab while there is no result
  unsigned stages = 0;  // the engine stages it reads (model/pipeline.h Stage): `render --view` runs these
  bool keepWhileRecomputing = false;  // show the previous result until the new one arrives
  // The inputs key in this state; nullopt: nothing current to show (the result is dropped). Empty
  // for a view computed only on request.
  std::function<std::optional<InsightKey>(const AppState&)> key;
  // Prepares the computation for this state (only called when key gives a value).
  std::function<InsightJob(const AppState&)> job;
  // Its picture (empty: the view draws itself: walks over the scene, or a tab of its own).
  std::function<InsightPicture(const void* result)> picture;
  // Text above and below the picture in its tab.
  std::function<std::string(const void* result, const AppState&)> above, below;
  // Computed from the state and drawn as a picture: the window's generic tab and `render --view` draw it.
  bool drawnAsPicture() const { return job && picture; }
};

// Every view, in InsightKind order.
const std::vector<InsightView>& insightViews();
const InsightView& insightView(InsightKind kind);
// The view called `name`, or null.
const InsightView* findInsightView(std::string_view name);
// The names of the views `topomask render --view` draws from their rows (they have a job and a
// picture), comma separated.
std::string renderableInsightViews();

// The spectrum of the current graph, when the spectrum view has computed it (else null): the
// spectrum and learn views reuse it.
std::shared_ptr<const Spectrum> cachedSpectrum(const AppState& state);

}  // namespace topomask::gui
