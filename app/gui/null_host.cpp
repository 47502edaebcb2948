#include "gui/null_host.h"

#include <imgui.h>

namespace topomask::gui {

namespace {
// The font atlas must be built before ImGui::NewFrame; a renderer backend would upload it too.
void buildFontAtlas() {
  unsigned char* pixels = nullptr;
  int w = 0, h = 0;
  ImGui::GetIO().Fonts->GetTexDataAsRGBA32(&pixels, &w, &h);
  ImGui::GetIO().Fonts->SetTexID(reinterpret_cast<ImTextureID>(static_cast<std::uintptr_t>(1)));
}
}  // namespace

void NullHost::uiInit() {
  ImGuiIO& io = ImGui::GetIO();
  io.BackendPlatformName = "topomask-null";
  io.BackendRendererName = "topomask-null";
  buildFontAtlas();
}

void NullHost::uiNewFrame() {
  ImGuiIO& io = ImGui::GetIO();
  io.DisplaySize = ImVec2(static_cast<float>(width_), static_cast<float>(height_));
  io.DisplayFramebufferScale = ImVec2(1.0f, 1.0f);
  io.DeltaTime = 1.0f / 60.0f;  // a steady 60 frames a second: double-clicks and notices see time pass
  if (!io.Fonts->IsBuilt()) buildFontAtlas();
}

void NullHost::uiFontsChanged() { buildFontAtlas(); }

std::vector<std::uint8_t> NullHost::present(bool readBack, int* width, int* height) {
  std::int64_t commands = 0, vertices = 0;
  if (const ImDrawData* data = ImGui::GetDrawData()) {
    for (int i = 0; i < data->CmdListsCount; ++i) commands += data->CmdLists[i]->CmdBuffer.Size;
    vertices = data->TotalVtxCount;
  }
  drawCommands_ = commands;
  drawVertices_ = vertices;
  ++frames_;
  if (!readBack) return {};
  if (width) *width = width_;
  if (height) *height = height_;
  return std::vector<std::uint8_t>(static_cast<std::size_t>(width_) * static_cast<std::size_t>(height_) * 4, 0);
}

}  // namespace topomask::gui
