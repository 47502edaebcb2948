// View panel: what the views compare, colours and ranges, drawing style, camera as text, screenshot.
#include <cmath>
#include <cstdio>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels/panels.h"

namespace topomask::gui {

void viewPanel(const AppState& s, PanelUi& ui, const Emit& emit) {
  using render::Colormap;
  using render::RangeMode;
  ViewSettings v = s.view;
  bool changed = false;
  int layout = v.layout == Layout::Mask ? 0 : 1;
  changed |= ImGui::RadioButton("mask rows", &layout, 0);
  ImGui::SameLine();
  changed |= ImGui::RadioButton("attention rows", &layout, 1);
  v.layout = layout == 0 ? Layout::Mask : Layout::Attention;
  ImGui::Text("views");
  for (int n = 1; n <= 3; ++n) {
    ImGui::SameLine();
    changed |= ImGui::RadioButton(n == 1 ? "1" : n == 2 ? "2" : "3", &v.viewCount, n);
  }
  auto mapCombo = [&](const char* label, Colormap& map) {
    if (ImGui::BeginCombo(label, render::colormapName(map))) {
      for (const auto& e : render::colormapEnum().entries)
        if (ImGui::Selectable(e.label, e.value == map)) {
          map = e.value;
          changed = true;
        }
      ImGui::EndCombo();
    }
  };
  mapCombo("colormap", v.colormap);
  mapCombo("difference map", v.diffColormap);
  if (ImGui::BeginCombo("range", render::rangeModeName(v.rangeMode))) {
    for (const auto& e : render::rangeModeEnum().entries)  // in the order offered: log first
      if (ImGui::Selectable(e.label, e.value == v.rangeMode)) {
        v.rangeMode = e.value;
        changed = true;
      }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("log: nine decades below the largest value; auto: min to max; percentile: 2nd to 98th\n"
                      "percentile; symmetric: -max|v| to max|v|; fixed: as typed, or drag the ends of a\n"
                      "colour bar (double-click the bar: log again)");
  if (v.rangeMode == RangeMode::Fixed) {
    changed |= ImGui::InputDouble("min", &v.fixedLo, 0.01, 0.1, "%.4g");
    changed |= ImGui::InputDouble("max", &v.fixedHi, 0.01, 0.1, "%.4g");
    changed |= ImGui::Checkbox("log scale", &v.fixedLog);
  }
  changed |= ImGui::Checkbox("same range in every view", &v.sameRange);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("rows share one range; the difference keeps its symmetric range");
  changed |= ImGui::Checkbox("colour bars", &v.colourBars);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A colour bar with a histogram of the view's values under each view (in its own band)");
  changed |= ImGui::Checkbox("wireframe", &v.wireframe);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("graph edges", &v.edges);
  changed |= ImGui::SliderFloat("point size", &v.pointScale, 0.1f, 5.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  changed |= ImGui::SliderFloat("overlay opacity", &v.overlayOpacity, 0.0f, 1.0f);
  // UI scale in fixed steps (a slider would resize itself under the mouse while dragged).
  static constexpr float kScales[] = {0.75f, 1.0f, 1.25f, 1.5f, 1.75f, 2.0f, 2.5f, 3.0f};
  char current[16];
  std::snprintf(current, sizeof current, "%d %%", static_cast<int>(std::lround(v.uiScale * 100.0f)));
  if (ImGui::BeginCombo("UI scale", current)) {
    for (float f : kScales) {
      char label[16];
      std::snprintf(label, sizeof label, "%d %%", static_cast<int>(std::lround(f * 100.0f)));
      if (ImGui::Selectable(label, std::abs(f - v.uiScale) < 1e-3f)) {
        v.uiScale = f;
        changed = true;
      }
    }
    ImGui::EndCombo();
  }
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Size of text and controls (Ctrl + and Ctrl -); kept for the next start");
  if (changed) emit(SetView{v});

  ImGui::Separator();
  if (ImGui::Button("Reset camera")) emit(ResetCamera{});
  ImGui::SameLine();
  if (ImGui::Button("Copy camera")) ImGui::SetClipboardText(s.camera.toText().c_str());
  ImGui::SameLine();
  if (ImGui::Button("Paste camera")) {
    const char* text = ImGui::GetClipboardText();
    ui.cameraText = text ? text : "";
    if (auto c = s.camera.parsed(ui.cameraText)) emit(SetCamera{*c});
    else ui.messages.push_back("the clipboard does not hold a camera");
  }
  ImGui::SetNextItemWidth(-1);
  if (ui.cameraText.empty() || !ImGui::IsAnyItemActive()) ui.cameraText = s.camera.toText();
  if (ImGui::InputText("##camera", &ui.cameraText, ImGuiInputTextFlags_EnterReturnsTrue)) {
    if (auto c = s.camera.parsed(ui.cameraText)) emit(SetCamera{*c});
    else ui.messages.push_back("camera text not understood");
  }
  ImGui::Separator();
  if (ImGui::Button("Screenshot (F12)")) emit(Screenshot{});
  ImGui::SameLine();
  int index = s.screenshotScale - 1;
  const char* scales[] = {"1x", "2x", "3x"};
  ImGui::SetNextItemWidth(ImGui::CalcTextSize("3x").x * 4.0f);
  if (ImGui::Combo("size", &index, scales, 3)) emit(SetScreenshotOptions{s.screenshotDir, index + 1});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Screenshots at 1, 2 or 3 times the views' size on screen");
  ImGui::SetNextItemWidth(-1);
  if (ui.screenshotDir.empty() && !ImGui::IsAnyItemActive()) ui.screenshotDir = s.screenshotDir;
  ImGui::InputTextWithHint("##screenshot folder", "folder: Pictures, else the working directory", &ui.screenshotDir);
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Where screenshots go (empty: your Pictures folder if it exists, else the working directory)");
  if (ImGui::IsItemDeactivatedAfterEdit()) emit(SetScreenshotOptions{ui.screenshotDir, s.screenshotScale});
}

}  // namespace topomask::gui
