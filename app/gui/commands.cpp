#include "gui/commands.h"

#include <algorithm>
#include <cmath>
#include <type_traits>

namespace topomask::gui {

namespace {

void clearRows(AppState& s) {
  Results& r = s.results;
  r.rowsQuery = -1;
  r.exactRow.resize(0);
  r.grfRow.resize(0);
  r.attentionA.resize(0);
  r.attentionB.resize(0);
  r.errors.rowRelError = -1;
  r.errors.attentionRowL1 = -1;
  ++r.rowsVersion;
}

}  // namespace

void rememberRecent(AppState& state, const std::string& path) {
  if (path.empty()) return;
  auto& recent = state.recentFiles;
  recent.erase(std::remove(recent.begin(), recent.end(), path), recent.end());
  recent.insert(recent.begin(), path);
  if (recent.size() > 10) recent.resize(10);
}

MaskSpec demoMaskSpec() {
  MaskSpec m;
  m.preset = MaskPreset::Heat;
  m.beta = 8.0;
  return m;
}

Effects apply(AppState& s, const Command& command) {
  Effects e;
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (std::is_same_v<T, OpenFile>) {
          if (c.path.empty()) {
            s.error = "Open: type a file path first";
            return;
          }
          s.pathField = c.path;
          // Walkers cost memory per node (N x walkers x walk length entries): a count chosen for a
          // small graph is not carried silently to a file that may be a hundred times larger.
          if (s.grf.walkers > kCarriedWalkers) {
            s.notice = "walkers set back to " + std::to_string(kCarriedWalkers) + " for the new file (were " +
                       std::to_string(s.grf.walkers) + "); raise them in the GRF panel";
            s.grf.walkers = kCarriedWalkers;
          }
          s.costQuestion = {};
          e.stale = withDependents(StageLoad);
          e.cancel = true;
        } else if constexpr (std::is_same_v<T, OpenDemo>) {
          s.pathField.clear();
          // The demo's settings (README): exp(8 W) spreads along the query's finger and not across
          // the gap; 64 walkers make the estimate clean enough to see it.
          s.mask = demoMaskSpec();
          s.grf.walkers = kDemoWalkers;
          s.costQuestion = {};
          e.stale = withDependents(StageLoad);
          e.cancel = true;
        } else if constexpr (std::is_same_v<T, SetGraphOptions>) {
          if (c.options == s.graph) return;  // operator== = default: every field counts
          s.graph = c.options;
          s.costQuestion = {};  // a new job asks again if it must
          e.stale = withDependents(StageGraph);
        } else if constexpr (std::is_same_v<T, SetMask>) {
          if (c.spec == s.mask) return;
          s.mask = c.spec;
          s.costQuestion = {};
          e.stale = withDependents(StageMask);
        } else if constexpr (std::is_same_v<T, SetGrf>) {
          if (c.options == s.grf) return;
          s.grf = c.options;
          s.costQuestion = {};
          e.stale = withDependents(StageGrf);
        } else if constexpr (std::is_same_v<T, SetAttention>) {
          if (c.params == s.attention) return;
          // Everything but the two methods shapes the tokens (a new field does too, unless listed here).
          AttentionParams methodsAside = c.params;
          methodsAside.a = s.attention.a;
          methodsAside.b = s.attention.b;
          const bool tokens = !(methodsAside == s.attention);
          s.attention = c.params;
          e.stale = withDependents(tokens ? StageTokens : StageRows);
        } else if constexpr (std::is_same_v<T, SelectQuery>) {
          if (c.node < 0) {
            s.query = -1;
            clearRows(s);
            return;
          }
          if (s.results.graph && c.node >= s.results.graph->nodeCount()) {
            s.error = "Query: node " + std::to_string(c.node) + " does not exist (the graph has " +
                      std::to_string(s.results.graph->nodeCount()) + " nodes)";
            return;
          }
          if (c.node == s.query && s.results.rowsQuery == c.node) return;
          s.query = c.node;
          e.stale = StageRows;
        } else if constexpr (std::is_same_v<T, ClearQuery>) {
          s.query = -1;
          clearRows(s);
        } else if constexpr (std::is_same_v<T, SetHover>) {
          s.hover = c.node;
        } else if constexpr (std::is_same_v<T, SetView>) {
          ViewSettings v = c.view;
          v.viewCount = std::clamp(v.viewCount, 1, 3);
          v.pointScale = std::clamp(v.pointScale, 0.05f, 20.0f);
          v.overlayOpacity = std::clamp(v.overlayOpacity, 0.0f, 1.0f);
          v.uiScale = std::isfinite(v.uiScale) ? std::clamp(v.uiScale, kMinUiScale, kMaxUiScale) : 1.0f;
          if (v.fixedHi < v.fixedLo) std::swap(v.fixedLo, v.fixedHi);
          if (v.fixedLog && !(v.fixedLo > 0)) v.fixedLo = v.fixedHi > 0 ? v.fixedHi * 1e-6 : 1e-6;  // log needs lo > 0
          s.view = v;
        } else if constexpr (std::is_same_v<T, SetCamera>) {
          s.camera = c.camera;
          s.cameraFramed = true;
        } else if constexpr (std::is_same_v<T, ResetCamera>) {
          s.cameraFramed = false;
          e.reframeCamera = true;
        } else if constexpr (std::is_same_v<T, Screenshot>) {
          e.screenshot = true;
          e.screenshotPath = c.path;
        } else if constexpr (std::is_same_v<T, CancelWork>) {
          e.cancel = true;
        } else if constexpr (std::is_same_v<T, DismissError>) {
          s.error.clear();
        } else if constexpr (std::is_same_v<T, SetLargeAsTokens>) {
          if (c.on == s.largeAsTokens) return;
          s.largeAsTokens = c.on;
          s.costQuestion = {};
          e.stale = withDependents(StageLoad);  // the scene is read again (App keeps its path)
          e.cancel = true;
        } else if constexpr (std::is_same_v<T, SetScreenshotOptions>) {
          s.screenshotDir = c.folder;
          s.screenshotScale = std::clamp(c.scale, 1, 3);
        } else if constexpr (std::is_same_v<T, AnswerCost>) {
          if (s.costQuestion.text.empty()) return;
          if (c.answer == CostAnswer::NotNow) {
            s.costQuestion.open = false;
            return;
          }
          if (c.answer == CostAnswer::UseAffordable) {
            if (s.costQuestion.affordableWalkers <= 0) return;
            s.grf.walkers = s.costQuestion.affordableWalkers;
          } else {
            e.costConfirmed = true;
          }
          s.costQuestion = {};
          e.stale = withDependents(StageGrf);
        }
      },
      command);
  return e;
}

}  // namespace topomask::gui
