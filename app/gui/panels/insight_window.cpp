#include "gui/panels/insight_window.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <string>

#include <imgui.h>

namespace topomask::gui {

namespace {

ImTextureID textureId(std::uintptr_t id) { return reinterpret_cast<ImTextureID>(id); }

// Shows a picture scaled to the available width (at most maxScale), records where (first call only).
// The texture of picture p (any of the views' pictures: width, height, rgba) held by owner.
template <class Picture>
std::uintptr_t textureOf(const InsightTextures& tex, const std::shared_ptr<const void>& owner, const Picture& p, bool nearest = false) {
  return tex.texture ? tex.texture(owner, p.rgba, p.width, p.height, nearest) : 0;
}

void picture(InsightUi& ui, std::uintptr_t texture, int w, int h, bool record, float maxScale = 1.0f) {
  if (!texture || w <= 0 || h <= 0) return;
  const float avail = std::max(64.0f, ImGui::GetContentRegionAvail().x);
  const float scale = std::min(maxScale, avail / static_cast<float>(w));
  const ImVec2 at = ImGui::GetCursorScreenPos();
  ImGui::Image(textureId(texture), ImVec2(w * scale, h * scale));
  if (record) {
    ui.imageX = at.x;
    ui.imageY = at.y;
    ui.imageW = w * scale;
    ui.imageH = h * scale;
    ui.pictureW = w;
    ui.pictureH = h;
  }
}

void status(const AppState& state, InsightKind kind, const char* waiting) {
  const int k = static_cast<int>(kind);
  if (state.insight.busy[k]) {
    ImGui::ProgressBar(static_cast<float>(state.insight.fraction[k]), ImVec2(-1, 0),
                       state.insight.stage[k].empty() ? "computing ..." : state.insight.stage[k].c_str());
  } else if (!state.insight.error[k].empty()) {
    ImGui::TextWrapped("%s", state.insight.error[k].c_str());
  } else if (waiting) {
    ImGui::TextWrapped("%s", waiting);
  }
}

void matrixTab(const AppState& state, InsightUi& ui, const InsightTextures& tex, const std::function<void(const Command&)>& emit) {
  const auto view = state.insight.get<InsightKind::Matrix>();
  status(state, InsightKind::Matrix, view ? nullptr : insightView(InsightKind::Matrix).waiting.c_str());
  const std::uintptr_t texture = view ? textureOf(tex, view, view->picture, /*nearest=*/true) : 0;
  if (!texture) return;
  const MatrixBlocks& blocks = view->blocks;
  const MatrixPicture& p = view->picture;
  const std::int64_t nodes = state.results.graph ? state.results.graph->nodeCount() : 0;
  ImGui::TextWrapped("%zu x %zu entries on %s, ordered along a Morton curve of the positions (neighbours stay close). "
                     "Hover an entry for its values; click to make row i the query.",
                     blocks.nodes.size(), blocks.nodes.size(),
                     blocks.sampled ? ("a sample of the " + std::to_string(nodes) + " nodes").c_str() : "all nodes");
  picture(ui, texture, p.width, p.height, true, 2.0f);
  ui.hover = MatrixHover{};
  if (!ImGui::IsItemHovered()) return;
  const ImVec2 m = ImGui::GetIO().MousePos;
  const float sx = ui.imageW / static_cast<float>(p.width), sy = ui.imageH / static_cast<float>(p.height);
  const int px = static_cast<int>((m.x - ui.imageX) / sx), py = static_cast<int>((m.y - ui.imageY) / sy);
  MatrixCell cell;
  if (!matrixCellAt(p, static_cast<std::int64_t>(blocks.nodes.size()), px, py, cell)) return;
  MatrixHover& h = ui.hover;
  h.valid = true;
  h.panel = cell.panel;
  h.a = cell.a;
  h.b = cell.b;
  h.i = blocks.nodes[static_cast<std::size_t>(cell.a)];
  h.j = blocks.nodes[static_cast<std::size_t>(cell.b)];
  h.exact = blocks.exact(cell.a, cell.b);
  h.estimate = blocks.estimate(cell.a, cell.b);
  ImGui::BeginTooltip();
  ImGui::Text("i = %lld, j = %lld", static_cast<long long>(h.i), static_cast<long long>(h.j));
  ImGui::Text("M_ij     = %.6g", h.exact);
  ImGui::Text("M_hat_ij = %.6g", h.estimate);
  ImGui::Text("M_hat_ij - M_ij = %.3g", h.estimate - h.exact);
  ImGui::TextDisabled("click: query node %lld", static_cast<long long>(h.i));
  ImGui::EndTooltip();
  if (ImGui::IsItemClicked(0)) emit(SelectQuery{h.i});
}

// A view drawn from its row (insight_views.h): its status, the text above, its picture, the text below.
void viewTab(const AppState& state, InsightUi& ui, const InsightTextures& tex, const InsightView& view) {
  const int k = static_cast<int>(view.kind);
  const std::shared_ptr<const void>& result = state.insight.result[k];
  status(state, view.kind, result ? nullptr : view.waiting.c_str());
  if (!result || !view.picture) return;
  const InsightPicture p = view.picture(result.get());
  const std::uintptr_t texture = p.rgba && tex.texture ? tex.texture(result, *p.rgba, p.width, p.height, p.nearest) : 0;
  if (!texture) return;
  if (view.above) ImGui::TextWrapped("%s", view.above(result.get(), state).c_str());
  picture(ui, texture, p.width, p.height, true);
  if (view.below) ImGui::TextWrapped("%s", view.below(result.get(), state).c_str());
}

void costTab(const AppState& state, InsightUi& ui, const InsightTextures& tex, const std::function<void(const Command&)>& emit) {
  const int k = static_cast<int>(InsightKind::Cost);
  const bool busy = state.insight.busy[k];
  const auto view = state.insight.get<InsightKind::Cost>();
  if (!busy && ImGui::Button(view ? "Run the bench again" : "Run topomask bench")) emit(RunBench{});
  if (busy && ImGui::Button("Cancel")) emit(CancelBench{});
  ImGui::SameLine();
  ImGui::TextWrapped("`topomask bench --json` on generated grid graphs, one process per size.");
  status(state, InsightKind::Cost, nullptr);
  if (!view) {
    if (!busy) ImGui::TextWrapped("Time and memory of each attention algorithm against N. Press the button (a few seconds).");
    return;
  }
  picture(ui, textureOf(tex, view, view->timeImage), view->timeImage.width, view->timeImage.height, true);
  picture(ui, textureOf(tex, view, view->memoryImage), view->memoryImage.width, view->memoryImage.height, false);
}

void learnTab(const AppState& state, InsightUi& ui, const InsightTextures& tex, const std::function<void(const Command&)>& emit) {
  const int k = static_cast<int>(InsightKind::Learn);
  const bool busy = state.insight.busy[k];
  ImGui::TextWrapped("Learn the modulation f (alpha = f * f) so that the mask sum_k alpha_k W^k matches a target, then "
                     "watch the fit: its error, the coefficients f_k and g(lambda) over the spectrum of W.");
  const std::vector<const char*>& names = learnTargetNames();
  ImGui::SetNextItemWidth(140);
  ImGui::Combo("target", &ui.learnTarget, names.data(), static_cast<int>(names.size()));
  ImGui::SameLine();
  ImGui::SetNextItemWidth(140);
  const bool distance = std::string(names[static_cast<std::size_t>(ui.learnTarget)]) == "distance";
  if (distance)
    ImGui::SliderFloat("tau", &ui.learnTau, 0.25f, 16.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  else
    ImGui::SliderFloat("beta", &ui.learnBeta, 0.05f, 16.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  if (std::string(names[static_cast<std::size_t>(ui.learnTarget)]) == "pstep") {
    ImGui::SameLine();
    ImGui::SetNextItemWidth(80);
    ImGui::SliderInt("p", &ui.learnP, 1, 8);
  }
  ImGui::SameLine();
  ImGui::SetNextItemWidth(120);
  ImGui::SliderInt("K terms", &ui.learnTerms, 1, 12);
  const auto model = state.insight.get<InsightKind::Learn>();
  if (!busy && ImGui::Button(model ? "Learn again" : "Learn")) {
    const SceneKind kind = state.results.scene ? state.results.scene->kind() : SceneKind::Graph;
    emit(RunLearn{learnTarget(ui, kind == SceneKind::Mesh || kind == SceneKind::Points), ui.learnTerms});
  }
  if (busy && ImGui::Button("Cancel")) emit(CancelLearn{});
  status(state, InsightKind::Learn, nullptr);
  if (!model || model->iterations() == 0) {
    if (!busy) ImGui::TextWrapped("Choose a target and press Learn (a fraction of a second on small graphs).");
    return;
  }
  const int last = static_cast<int>(model->iterations()) - 1;
  const int shown = std::clamp(static_cast<int>(ui.learnPosition), 0, last);
  if (ImGui::Button(ui.learnPlaying ? "Stop" : (shown >= last ? "Replay" : "Continue"))) {
    if (!ui.learnPlaying && shown >= last) ui.learnPosition = 0.0;
    ui.learnPlaying = !ui.learnPlaying;
  }
  ImGui::SameLine();
  int scrub = shown;
  ImGui::SetNextItemWidth(220);
  if (ImGui::SliderInt("iteration", &scrub, 0, last)) {
    ui.learnPosition = scrub;
    ui.learnPlaying = false;
  }
  ImGui::SameLine();
  ImGui::Checkbox("views follow", &ui.learnFollowViews);
  if (ui.learnChanged) {
    if (ImGui::Button("Apply this f")) emit(ApplyLearned{});
    ImGui::SameLine();
    if (ImGui::Button("Revert the mask")) emit(RevertLearned{});
    ImGui::SameLine();
  }
  const double error = std::sqrt(std::max(model->loss[static_cast<std::size_t>(shown)], 0.0));
  ImGui::TextWrapped("%s, K = %d: iteration %d of %d from the %s start, rel. error %.3g (best of %zu starts %.3g; %s, %.2f s)",
                     model->target.c_str(), model->terms, shown, last, model->start.c_str(), error, model->fit.starts.size(),
                     model->fit.relError, model->fit.methodDetail.c_str(), model->fit.seconds);
  if (std::isfinite(model->grfExpectedRelError))
    ImGui::TextWrapped("GRF estimate of the learned mask with %d walkers, p_halt %.3g (independent ensembles, i.i.d.): "
                       "expected rel. error %.3g (topomask fit --for-grf fits f for the estimate).",
                       model->grfWalkers, model->grfPHalt, model->grfExpectedRelError);
  else if (!model->grfNote.empty())
    ImGui::TextDisabled("Expected GRF error: %s", model->grfNote.c_str());
  if (tex.learn) picture(ui, textureOf(tex, tex.learn, *tex.learn), tex.learn->width, tex.learn->height, true);
}

}  // namespace

const std::vector<const char*>& learnTargetNames() {
  static const std::vector<const char*> names = {"heat", "reglap1", "reglap2", "pstep", "cosine", "distance"};
  return names;
}

FitTarget learnTarget(const InsightUi& ui, bool geometric) {
  FitTarget t;
  const std::string name = learnTargetNames()[static_cast<std::size_t>(std::clamp(ui.learnTarget, 0, 5))];
  if (name == "distance") {
    t.kind = FitTargetKind::Distance;
    t.tau = ui.learnTau;
    t.metric = geometric ? DistanceMetric::Length : DistanceMetric::Hops;
    return t;
  }
  t.kind = FitTargetKind::Kernel;
  t.kernel.preset = parseMaskPreset(name);
  t.kernel.beta = ui.learnBeta;
  t.kernel.p = ui.learnP;
  return t;
}

bool insightWants(const InsightUi& ui, bool walksPanelOpen, InsightKind kind) {
  if (kind == InsightKind::Walks) return walksPanelOpen;
  // The mask panel's plots draw g over the spectrum too.
  return (ui.open && ui.tab == kind) || (kind == InsightKind::Spectrum && ui.maskPlotsOpen);
}

void insightWindow(const AppState& state, InsightUi& ui, const InsightTextures& textures, const render::Rect& viewsArea,
                   float uiScale, const std::function<void(const Command&)>& emit) {
  if (!ui.open) {
    ui.hover = MatrixHover{};
    return;
  }
  const float inv = 1.0f / uiScale;
  const float w = std::min(800.0f, viewsArea.width * inv - 20), h = std::min(680.0f, viewsArea.height * inv - 20);
  ImGui::SetNextWindowPos(ImVec2((viewsArea.x + viewsArea.width) * inv - w - 10, viewsArea.y * inv + 10), ImGuiCond_FirstUseEver);
  ImGui::SetNextWindowSize(ImVec2(w, h), ImGuiCond_FirstUseEver);
  if (ui.placeOverViews > 0) {
    const float columnW = viewsArea.width * inv / static_cast<float>(ui.placeOverViews);
    ImGui::SetNextWindowPos(ImVec2(viewsArea.x * inv, viewsArea.y * inv), ImGuiCond_Always);
    ImGui::SetNextWindowSize(ImVec2(columnW, viewsArea.height * inv), ImGuiCond_Always);
    ui.placeOverViews = 0;
  }
  ImGui::SetNextWindowBgAlpha(1.0f);  // opaque: the views behind must not show through its empty part
  if (!ImGui::Begin("Insight views", &ui.open, ImGuiWindowFlags_NoSavedSettings)) {
    ImGui::End();
    return;
  }
  ui.windowX = ImGui::GetWindowPos().x;
  ui.windowY = ImGui::GetWindowPos().y;
  ui.windowW = ImGui::GetWindowSize().x;
  ui.windowH = ImGui::GetWindowSize().y;
  if (ImGui::BeginTabBar("insight tabs")) {
    const InsightKind requested = ui.tab;
    // A tab asked for (a button, the tour) may become the bar's selection a frame later: until then
    // the bar's own tab is neither drawn nor computed.
    const bool select = ui.selectTab && !insightView(requested).title.empty();
    ui.selectTab = false;
    for (const InsightView& view : insightViews()) {
      if (view.title.empty()) continue;  // not a tab (the walks have their own panel)
      const ImGuiTabItemFlags flags = select && requested == view.kind ? ImGuiTabItemFlags_SetSelected : 0;
      if (ImGui::BeginTabItem(view.title.c_str(), nullptr, flags)) {
        if (select && view.kind != requested) {
          ui.selectTab = true;  // ask again next frame
          ImGui::EndTabItem();
          continue;
        }
        ui.tab = view.kind;
        if (view.kind != InsightKind::Matrix) ui.hover = MatrixHover{};
        // Views that read the mouse or have buttons draw their own tab; the rest come from their rows.
        switch (view.kind) {
          case InsightKind::Matrix: matrixTab(state, ui, textures, emit); break;
          case InsightKind::Cost: costTab(state, ui, textures, emit); break;
          case InsightKind::Learn: learnTab(state, ui, textures, emit); break;
          default: viewTab(state, ui, textures, view); break;
        }
        ImGui::EndTabItem();
      }
    }
    ImGui::EndTabBar();
  }
  ImGui::End();
}

}  // namespace topomask::gui
