// Status bar, hover tooltip and the shortcuts overlay.
#include <algorithm>
#include <string>

#include <imgui.h>

#include "gui/panels/panels.h"
#include "model/views_model.h"

namespace topomask::gui {

void statusBar(const AppState& s, float x, float y, float width, float height, double frameSeconds, const Emit& emit) {
  ImGui::SetNextWindowPos(ImVec2(x, y));
  ImGui::SetNextWindowSize(ImVec2(width, height));
  ImGui::Begin("##status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                   ImGuiWindowFlags_NoBringToFrontOnFocus);
  const TaskStatus& task = s.heavy.busy ? s.heavy : s.rows;
  if (task.busy) {
    ImGui::SetNextItemWidth(220.0f * ImGui::GetFontSize() / 13.0f);
    ImGui::ProgressBar(static_cast<float>(task.fraction), ImVec2(220.0f * ImGui::GetFontSize() / 13.0f, 0), task.stage.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("Cancel")) emit(CancelWork{});
    ImGui::SameLine();
  } else {
    ImGui::TextDisabled("ready");
    ImGui::SameLine();
  }
  if (!s.error.empty()) {
    ImGui::TextColored(ImVec4(1.0f, 0.42f, 0.4f, 1.0f), "%s", s.error.c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton("x")) emit(DismissError{});
    ImGui::SameLine();
  } else if (!s.notice.empty()) {
    ImGui::TextColored(ImVec4(0.55f, 0.85f, 0.6f, 1.0f), "%s", s.notice.c_str());
    ImGui::SameLine();
  }
  const char* help = "H: help";
  const float right = ImGui::GetWindowContentRegionMax().x;
  char fps[64];
  std::snprintf(fps, sizeof fps, "%.1f ms/frame   %s", frameSeconds * 1e3, help);
  ImGui::SetCursorPosX(std::max(ImGui::GetCursorPosX(), right - ImGui::CalcTextSize(fps).x));
  ImGui::TextDisabled("%s", fps);
  ImGui::End();
}

void costDialog(const AppState& s, float x, float y, float width, float height, const Emit& emit) {
  const char* title = "Large computation";
  if (s.costQuestion.open && !ImGui::IsPopupOpen(title)) ImGui::OpenPopup(title);
  ImGui::SetNextWindowPos(ImVec2(x + 0.5f * width, y + 0.5f * height), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(width * 0.9f, 34.0f * ImGui::GetFontSize()), 0.0f));
  if (ImGui::BeginPopupModal(title, nullptr, ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings)) {
    if (!s.costQuestion.open) {  // answered here or in the GRF panel, or a new job replaced the question
      ImGui::CloseCurrentPopup();
    } else {
      ImGui::TextWrapped("%s.", s.costQuestion.text.c_str());
      ImGui::TextWrapped("Compute it now? The exact views are ready meanwhile; the GRF estimate waits.");
      ImGui::Spacing();
      costAnswerButtons(s, emit);
    }
    ImGui::EndPopup();
  }
}

void hoverTooltip(const AppState& s) {
  if (s.hover < 0) return;
  const std::vector<NamedValue> values = valuesAt(s, s.hover);
  if (values.empty()) return;
  ImGui::BeginTooltip();
  ImGui::Text("node %lld%s", static_cast<long long>(s.hover), s.hover == s.query ? "  (query)" : "");
  ImGui::Separator();
  for (const NamedValue& v : values) ImGui::Text("%-24s %.6g", v.name.c_str(), v.value);
  ImGui::EndTooltip();
}

void helpOverlay(const AppState& s, const Emit& emit) {
  if (!s.view.showHelp) return;
  const ImGuiIO& io = ImGui::GetIO();
  ImGui::SetNextWindowPos(ImVec2(io.DisplaySize.x / 2, io.DisplaySize.y / 2), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowBgAlpha(0.92f);
  bool open = true;
  ImGui::Begin("Shortcuts", &open, ImGuiWindowFlags_AlwaysAutoResize | ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoCollapse);
  static const char* rows[][2] = {
      {"left click", "make the node under the cursor the query (marked in every view)"},
      {"right click", "clear the query"},
      {"double click", "centre the camera on that node"},
      {"left drag", "orbit (3-D) / pan (2-D)"},
      {"right or middle drag", "pan"},
      {"wheel", "zoom (2-D: about the cursor)"},
      {"R", "reset the camera"},
      {"1 / 2 / 3", "one, two or three views"},
      {"M", "mask rows <-> attention rows"},
      {"L", "logarithmic range on / off"},
      {"S", "same range in every view on / off"},
      {"W / E", "wireframe / graph edges"},
      {"C / V", "copy / paste the camera as text"},
      {"F12 or P", "screenshot of the views (PNG, no panels)"},
      {"Ctrl+O", "type a path to open"},
      {"Esc", "cancel running work"},
      {"F5", "presentation mode (large text, tour with arrow keys)"},
      {"H or F1", "this help"},
  };
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_SizingFixedFit)) {
    for (const auto& r : rows) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImVec4(0.6f, 0.8f, 1.0f, 1.0f), "%s", r[0]);
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r[1]);
    }
    ImGui::EndTable();
  }
  ImGui::End();
  if (!open) {
    ViewSettings v = s.view;
    v.showHelp = false;
    emit(SetView{v});
  }
}

}  // namespace topomask::gui
