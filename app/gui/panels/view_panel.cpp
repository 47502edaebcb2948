// View panel: what the views compare, colours and ranges, drawing style, camera as text, screenshot.
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
      for (int k = 0; k < render::kColormapCount; ++k)
        if (ImGui::Selectable(render::colormapName(static_cast<Colormap>(k)), k == static_cast<int>(map))) {
          map = static_cast<Colormap>(k);
          changed = true;
        }
      ImGui::EndCombo();
    }
  };
  mapCombo("colormap", v.colormap);
  mapCombo("difference map", v.diffColormap);
  if (ImGui::BeginCombo("range", render::rangeModeName(v.rangeMode))) {
    for (RangeMode m : {RangeMode::Auto, RangeMode::Fixed, RangeMode::Symmetric, RangeMode::Log})
      if (ImGui::Selectable(render::rangeModeName(m), m == v.rangeMode)) {
        v.rangeMode = m;
        changed = true;
      }
    ImGui::EndCombo();
  }
  if (v.rangeMode == RangeMode::Fixed) {
    changed |= ImGui::InputDouble("min", &v.fixedLo, 0.01, 0.1, "%.4g");
    changed |= ImGui::InputDouble("max", &v.fixedHi, 0.01, 0.1, "%.4g");
  }
  changed |= ImGui::Checkbox("same range in every view", &v.sameRange);
  changed |= ImGui::Checkbox("colour bars", &v.colourBars);
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("A colour bar with a histogram of the view's values under each view (in its own band)");
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("rows share one range; the difference keeps its symmetric range");
  changed |= ImGui::Checkbox("wireframe", &v.wireframe);
  ImGui::SameLine();
  changed |= ImGui::Checkbox("graph edges", &v.edges);
  changed |= ImGui::SliderFloat("point size", &v.pointScale, 0.1f, 5.0f, "%.2f", ImGuiSliderFlags_Logarithmic);
  changed |= ImGui::SliderFloat("overlay opacity", &v.overlayOpacity, 0.0f, 1.0f);
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
  if (ImGui::Button("Screenshot (F12)")) emit(Screenshot{});
}

}  // namespace topomask::gui
