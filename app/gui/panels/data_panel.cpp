// Data panel: open a file (path field, browser, recent files, drag-and-drop hint) or the demo.
#include <algorithm>
#include <filesystem>
#include <system_error>

#include <imgui.h>
#include <imgui_stdlib.h>

#include "gui/panels/panels.h"
#include "topomask/io/load.h"

namespace topomask::gui {

namespace {

bool openable(const std::filesystem::path& p) { return findFileFormat(p.extension().string()) != nullptr; }

void fileBrowser(PanelUi& ui, const Emit& emit) {
  namespace fs = std::filesystem;
  std::error_code ec;
  if (ui.browserDir.empty()) ui.browserDir = fs::current_path(ec).string();
  ImGui::TextDisabled("%s", ui.browserDir.c_str());
  if (ImGui::SmallButton("Up")) ui.browserDir = fs::path(ui.browserDir).parent_path().string();
  ImGui::SameLine();
  if (ImGui::SmallButton("Home")) {
    if (const char* home = std::getenv("HOME")) ui.browserDir = home;
  }
  ImGui::SameLine();
  if (ImGui::SmallButton("Models")) ui.browserDir = "/usr/share/assimp/models";
  std::vector<fs::directory_entry> dirs, files;
  for (fs::directory_iterator it(ui.browserDir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
       it.increment(ec)) {
    if (it->path().filename().string().rfind('.', 0) == 0) continue;
    if (it->is_directory(ec)) dirs.push_back(*it);
    else if (openable(it->path())) files.push_back(*it);
  }
  auto byName = [](const fs::directory_entry& a, const fs::directory_entry& b) { return a.path().filename() < b.path().filename(); };
  std::sort(dirs.begin(), dirs.end(), byName);
  std::sort(files.begin(), files.end(), byName);
  ImGui::BeginChild("browser", ImVec2(0, ImGui::GetTextLineHeightWithSpacing() * 9), true);
  for (const auto& d : dirs) {
    std::string label = d.path().filename().string();
    label.append("/");
    if (ImGui::Selectable(label.c_str())) ui.browserDir = d.path().string();
  }
  for (const auto& f : files) {
    const std::string name = f.path().filename().string();
    if (ImGui::Selectable(name.c_str(), false, ImGuiSelectableFlags_AllowDoubleClick) && ImGui::IsMouseDoubleClicked(0)) {
      ui.pathBuffer = f.path().string();
      emit(OpenFile{ui.pathBuffer});
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("double-click to open %s", name.c_str());
  }
  if (dirs.empty() && files.empty()) ImGui::TextDisabled(ec ? "cannot read this folder" : "no openable files here");
  ImGui::EndChild();
}

}  // namespace

void dataPanel(const AppState& s, PanelUi& ui, const Emit& emit) {
  ImGui::TextWrapped("%s", s.sceneLabel.empty() ? "nothing loaded" : s.sceneLabel.c_str());
  ImGui::PushStyleColor(ImGuiCol_Text, ImVec4(1.0f, 0.75f, 0.3f, 1.0f));
  for (const std::string& w : s.warnings) ImGui::TextWrapped("warning: %s", w.c_str());  // wrapped, never cut
  ImGui::PopStyleColor();
  bool tokens = s.largeAsTokens;
  if (ImGui::Checkbox("large inputs as tokens", &tokens)) emit(SetLargeAsTokens{tokens});
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Meshes over 10,000 vertices clustered, point clouds over 20,000 points as voxel tokens, so that\n"
                      "a mask spans a visible share; off: every vertex and point (reloads the file)");
  if (ui.focusPath) {
    ImGui::SetKeyboardFocusHere();
    ui.focusPath = false;
  }
  ImGui::SetNextItemWidth(-ImGui::CalcTextSize("Open").x - 4.0f * ImGui::GetStyle().FramePadding.x);
  const bool enter = ImGui::InputTextWithHint("##path", "path to a mesh, point cloud, image or graph", &ui.pathBuffer,
                                               ImGuiInputTextFlags_EnterReturnsTrue);
  ImGui::SameLine();
  if (ImGui::Button("Open") || enter) emit(OpenFile{ui.pathBuffer});
  if (ImGui::Button("Demo scene")) emit(OpenDemo{});
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("a tube bent into a C whose ends nearly touch:\nsurface and straight-line distance disagree");
  ImGui::SameLine();
  ImGui::Checkbox("Browse files", &ui.showBrowser);
  if (ui.showBrowser) fileBrowser(ui, emit);
  if (!s.recentFiles.empty() && ImGui::TreeNode("Recent files")) {
    for (const std::string& r : s.recentFiles)
      if (ImGui::Selectable(r.c_str())) {
        ui.pathBuffer = r;
        emit(OpenFile{r});
      }
    ImGui::TreePop();
  }
  ImGui::TextDisabled("or drop a file on the window");
}

}  // namespace topomask::gui
