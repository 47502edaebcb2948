// App: the frame's UI layout (side panel, status bar, help) and the mouse and keyboard
// gestures over the views (orbit, pan, zoom, pick, hover, shortcuts).
#include <algorithm>
#include <cmath>

#include <imgui.h>

#include "gui/app.h"
#include "gui/tour.h"
#include "platform/input.h"
#include "render/scene/drawable.h"
#include "render/scene/views.h"

namespace topomask::gui {

namespace {
constexpr float kPanelWidth = 370.0f;
constexpr double kClickTravel = 4.0;  // pixels a press may travel and still be a click
constexpr float kStatusHeight = 30.0f;
}  // namespace

void App::drawUi() {
  const ImGuiIO& io = ImGui::GetIO();
  const Emit emit = [this](const Command& c) { dispatch(c); };
  const float scale = state_.view.uiScale;
  const float statusH = std::round(kStatusHeight * scale);
  // The side panel, or when hidden a strip with the button that shows it again.
  const float stripW = ImGui::GetFrameHeight() + 2.0f * ImGui::GetStyle().WindowPadding.x;
  const float panelW = state_.view.sidePanel ? std::min(kPanelWidth * scale, io.DisplaySize.x * 0.45f) : stripW;
  // Views area in framebuffer pixels: right of the panel, above the status bar.
  viewsArea_ = render::Rect{static_cast<int>(panelW * pixelRatio_), 0,
                            std::max(1, static_cast<int>((io.DisplaySize.x - panelW) * pixelRatio_)),
                            std::max(1, static_cast<int>((io.DisplaySize.y - statusH) * pixelRatio_))};

  ImGui::SetNextWindowPos(ImVec2(0, 0));
  ImGui::SetNextWindowSize(ImVec2(panelW, io.DisplaySize.y - statusH));
  const ImGuiWindowFlags fixed = ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoResize | ImGuiWindowFlags_NoCollapse |
                                 ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus |
                                 ImGuiWindowFlags_NoTitleBar;
  if (!state_.view.sidePanel) {
    ImGui::Begin("##panel strip", nullptr, fixed | ImGuiWindowFlags_NoScrollbar);
    if (ImGui::ArrowButton("show panel", ImGuiDir_Right)) {
      ViewSettings v = state_.view;
      v.sidePanel = true;
      dispatch(SetView{v});
    }
    if (ImGui::IsItemHovered()) ImGui::SetTooltip("Show the side panel (Tab)");
    ImGui::End();
  } else {
    drawSidePanel(fixed, emit);
  }
  if (!state_.view.sidePanel && ui_.presenting) {
    // Presenting without the panel: the tour's walks step still opens the walks, in a window of their
    // own at the views' top right.
    if (ui_.walks.requestOpen) ui_.walks.open = true;
    if (ui_.walks.requestClose) ui_.walks.open = false;
    ui_.walks.requestOpen = ui_.walks.requestClose = false;
    if (ui_.walks.open) {
      const float inv = 1.0f / pixelRatio_;
      const float w = std::min(24.0f * ImGui::GetFontSize(), viewsArea_.width * inv * 0.4f);
      ImGui::SetNextWindowPos(ImVec2((viewsArea_.x + viewsArea_.width) * inv - 12.0f, viewsArea_.y * inv + 12.0f),
                              ImGuiCond_Appearing, ImVec2(1.0f, 0.0f));
      ImGui::SetNextWindowSize(ImVec2(w, viewsArea_.height * inv * 0.5f), ImGuiCond_Appearing);
      ImGui::SetNextWindowBgAlpha(0.88f);
      if (ImGui::Begin("Random walks", &ui_.walks.open, ImGuiWindowFlags_NoSavedSettings))
        walksPanel(state_, ui_.walks, viewsArea_, pixelRatio_);
      ImGui::End();
    }
  }
  if (!ui_.messages.empty()) {
    state_.notice = ui_.messages.back();
    ui_.messages.clear();
  }
  insightWindow(state_, ui_.insight, insightTextures_, viewsArea_, pixelRatio_, emit);
  statusBar(state_, 0, io.DisplaySize.y - statusH, io.DisplaySize.x, statusH, lastFrameSeconds_, emit);
  helpOverlay(state_, emit);
  presentationCaption();
  const float inv = 1.0f / pixelRatio_;
  costDialog(state_, viewsArea_.x * inv, viewsArea_.y * inv, viewsArea_.width * inv, viewsArea_.height * inv, emit);
}

void App::drawSidePanel(int flags, const Emit& emit) {
  const float scale = state_.view.uiScale;
  ImGui::Begin("TopoMask", nullptr, flags);
  ImGui::TextUnformatted("TopoMask");
  ImGui::SameLine(ImGui::GetWindowContentRegionMax().x - ImGui::GetFrameHeight());
  if (ImGui::ArrowButton("hide panel", ImGuiDir_Left)) {
    ViewSettings v = state_.view;
    v.sidePanel = false;
    dispatch(SetView{v});
  };
  if (ImGui::IsItemHovered()) ImGui::SetTooltip("Hide the side panel: the views get the window (Tab)");
  ImGui::PushItemWidth(-130.0f * scale);
  if (ImGui::CollapsingHeader("Guided tour", ImGuiTreeNodeFlags_DefaultOpen))
    tourPanel(state_, ui_.tour, ui_.walks, ui_.insight, emit);
  if (ui_.walks.requestOpen || ui_.walks.requestClose) ImGui::SetNextItemOpen(ui_.walks.requestOpen);
  ui_.walks.requestOpen = ui_.walks.requestClose = false;
  ui_.walks.open = ImGui::CollapsingHeader("Random walks");
  if (ui_.walks.open) walksPanel(state_, ui_.walks, viewsArea_, pixelRatio_);
  if (ImGui::CollapsingHeader("Insight views", ImGuiTreeNodeFlags_DefaultOpen)) {
    int shown = 0;
    for (const InsightView& view : insightViews()) {
      if (view.button.empty()) continue;
      if (shown++ % 4 != 0) ImGui::SameLine();  // four to a row
      if (ImGui::SmallButton(view.button.c_str())) {
        if (view.kind == InsightKind::Learn && !state_.insight.get<InsightKind::Learn>()) {
          // The first target offered: the current kernel, when it is one of the tab's presets.
          const std::vector<const char*>& names = learnTargetNames();
          for (std::size_t t = 0; t < names.size(); ++t)
            if (state_.mask.preset != MaskPreset::CustomF && state_.mask.preset != MaskPreset::Custom &&
                MaskFunction(MaskSpec{state_.mask.preset, 1.0, state_.mask.p, {}, {}}).name() == names[t]) {
              ui_.insight.learnTarget = static_cast<int>(t);
              ui_.insight.learnBeta = static_cast<float>(state_.mask.beta);
              ui_.insight.learnP = state_.mask.p;
            }
        }
        ui_.insight.open = true;
        ui_.insight.tab = view.kind;
        ui_.insight.selectTab = true;
      }
    }
  }
  if (ui_.insight.openMaskPlots) ImGui::SetNextItemOpen(true);
  ui_.insight.openMaskPlots = false;
  ui_.insight.maskPlotsOpen = ImGui::CollapsingHeader("Mask function plots");
  if (ui_.insight.maskPlotsOpen) maskPlotsPanel(state_);
  if (ImGui::CollapsingHeader("Data", ImGuiTreeNodeFlags_DefaultOpen)) dataPanel(state_, ui_, emit);
  if (ImGui::CollapsingHeader("Graph", ImGuiTreeNodeFlags_DefaultOpen)) graphPanel(state_, emit);
  if (ImGui::CollapsingHeader("Mask", ImGuiTreeNodeFlags_DefaultOpen)) maskPanel(state_, emit);
  if (ImGui::CollapsingHeader("GRF", ImGuiTreeNodeFlags_DefaultOpen)) grfPanel(state_, emit);
  if (ImGui::CollapsingHeader("Attention")) attentionPanel(state_, emit);
  if (ImGui::CollapsingHeader("View", ImGuiTreeNodeFlags_DefaultOpen)) viewPanel(state_, ui_, emit);
  if (ImGui::CollapsingHeader("Statistics")) statsPanel(state_);
  ImGui::PopItemWidth();
  ImGui::End();
}

void App::setPresenting(bool on) {
  if (on == ui_.presenting) return;
  const Emit emit = [this](const Command& c) { dispatch(c); };
  if (on) {
    ui_.presentSavedScale = state_.view.uiScale;
    ui_.presentSavedPanel = state_.view.sidePanel;
    // The tour first: it remembers the view as the user had it, to restore when it ends.
    if (!ui_.tour.active) goToTourStep(0, state_, ui_.tour, ui_.walks, ui_.insight, emit);
    ViewSettings v = state_.view;
    v.uiScale = std::clamp(std::max(1.75f, v.uiScale * 1.5f), kMinUiScale, kMaxUiScale);
    v.sidePanel = false;
    v.showHelp = false;
    ui_.presenting = true;
    dispatch(SetView{v});
  } else {
    ViewSettings v = state_.view;
    v.uiScale = ui_.presentSavedScale;
    v.sidePanel = ui_.presentSavedPanel;
    ui_.presenting = false;
    dispatch(SetView{v});
  }
}

void App::presentationCaption() {
  if (!ui_.presenting) return;
  const float inv = 1.0f / pixelRatio_;
  const float x = viewsArea_.x * inv, w = viewsArea_.width * inv;
  // Above the colour-bar band, which would show through the caption and cross its text.
  const float band = state_.view.colourBars ? static_cast<float>(render::barBandHeight(viewTextScale())) : 0.0f;
  const float bottom = (viewsArea_.y + viewsArea_.height - band) * inv;
  const float width = std::max(200.0f, std::min(w - 24.0f, 60.0f * ImGui::GetFontSize()));
  ImGui::SetNextWindowPos(ImVec2(x + w * 0.5f, bottom - 12.0f), ImGuiCond_Always, ImVec2(0.5f, 1.0f));
  ImGui::SetNextWindowSizeConstraints(ImVec2(width, 0.0f), ImVec2(width, viewsArea_.height * inv * 0.45f));
  ImGui::SetNextWindowBgAlpha(0.94f);
  const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings |
                                 ImGuiWindowFlags_NoFocusOnAppearing | ImGuiWindowFlags_AlwaysAutoResize |
                                 ImGuiWindowFlags_NoNav;
  if (ImGui::Begin("##presentation", nullptr, flags)) {
    const auto& steps = tourSteps();
    if (ui_.tour.active) {
      const int step = std::clamp(ui_.tour.step, 0, static_cast<int>(steps.size()) - 1);
      ImGui::Text("%d / %d   %s", step + 1, static_cast<int>(steps.size()), steps[static_cast<std::size_t>(step)].title.c_str());
      ImGui::Separator();
      ImGui::TextWrapped("%s", tourText(step, state_).c_str());
    } else {
      ImGui::TextUnformatted("Presentation mode");
    }
    ImGui::TextDisabled("Right or Space: next    Left: back    Home: first    Esc or F5: leave");
  }
  ImGui::End();
}

void App::handleShortcuts(const std::vector<platform::InputEvent>& events) {
  // Shortcuts act on the window's queued key presses, so that a tap shorter than a frame counts.
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  constexpr int kControl = 0x2, kEscape = 256, kTab = 258, kF1 = 290, kF12 = 301;
  constexpr int kSpace = 32, kBackspace = 259, kRight = 262, kLeft = 263, kPageUp = 266, kPageDown = 267, kHome = 268,
                kF5 = 294;
  const Emit emit = [this](const Command& c) { dispatch(c); };
  for (const platform::InputEvent& e : events) {
    if (e.type != platform::InputEvent::Key) continue;
    ViewSettings v = state_.view;
    bool viewChanged = false;
    const int key = e.code;
    if (key == kF5 && !(e.mods & kControl)) {
      setPresenting(!ui_.presenting);
      continue;
    }
    if (ui_.presenting && !(e.mods & kControl)) {
      const int last = static_cast<int>(tourSteps().size()) - 1;
      const int step = ui_.tour.active ? ui_.tour.step : -1;
      auto go = [&](int s) { goToTourStep(std::clamp(s, 0, last), state_, ui_.tour, ui_.walks, ui_.insight, emit); };
      bool handled = true;
      switch (key) {
        case kRight:
        case kPageDown:
        case kSpace:
          if (step < last) go(step + 1);
          break;
        case kLeft:
        case kPageUp:
        case kBackspace:
          if (step > 0) go(step - 1);
          break;
        case kHome: go(0); break;
        case kEscape: setPresenting(false); break;
        default: handled = false; break;
      }
      if (handled) continue;
    }
    if (e.mods & kControl) {
      if (key == 'O') ui_.focusPath = true;
      // Ctrl + / Ctrl -: the UI scale in steps of an eighth (as a browser's zoom).
      const bool larger = key == 61 /* = */ || key == 334 /* keypad + */;
      const bool smaller = key == 45 /* - */ || key == 333 /* keypad - */;
      if (larger || smaller) {
        v.uiScale = std::clamp(std::round((v.uiScale + (larger ? 0.125f : -0.125f)) * 8.0f) / 8.0f, kMinUiScale, kMaxUiScale);
        dispatch(SetView{v});
      }
      continue;
    }
    switch (key) {
      case kEscape: dispatch(CancelWork{}); break;
      case 'R': dispatch(ResetCamera{}); break;
      case kTab: v.sidePanel = !v.sidePanel, viewChanged = true; break;
      case 'H':
      case kF1: v.showHelp = !v.showHelp, viewChanged = true; break;
      case '1':
      case '2':
      case '3': v.viewCount = key - '0', viewChanged = true; break;
      case 'M': v.layout = v.layout == Layout::Mask ? Layout::Attention : Layout::Mask, viewChanged = true; break;
      case 'L':
        v.rangeMode = v.rangeMode == render::RangeMode::Log ? render::RangeMode::Auto : render::RangeMode::Log, viewChanged = true;
        break;
      case 'S': v.sameRange = !v.sameRange, viewChanged = true; break;
      case 'W': v.wireframe = !v.wireframe, viewChanged = true; break;
      case 'E': v.edges = !v.edges, viewChanged = true; break;
      case 'C':
        ImGui::SetClipboardText(state_.camera.toText().c_str());
        state_.notice = "camera copied";
        break;
      case 'V': {
        const char* text = ImGui::GetClipboardText();
        if (auto c = state_.camera.parsed(text ? text : "")) dispatch(SetCamera{*c});
        else state_.notice = "the clipboard does not hold a camera";
        break;
      }
      case 'P':
      case kF12: dispatch(Screenshot{}); break;
      default: break;
    }
    if (viewChanged) dispatch(SetView{v});
  }
}

void App::handleClicks(const std::vector<platform::InputEvent>& events) {
  const ImGuiIO& io = ImGui::GetIO();
  for (const platform::InputEvent& e : events) {
    if (e.type == platform::InputEvent::Key || e.code < 0 || e.code > 2) continue;
    const double mx = e.x * pixelRatio_ - viewsArea_.x, my = e.y * pixelRatio_ - viewsArea_.y;
    Press& p = press_[e.code];
    if (e.type == platform::InputEvent::Press) {
      const bool inside = mx >= 0 && my >= 0 && mx < viewsArea_.width && my < viewsArea_.height;
      p = Press{inside && !io.WantCaptureMouse, mx, my};
      dragMoved_ = false;
      continue;
    }
    const bool click = p.down && !dragMoved_ && std::hypot(mx - p.x, my - p.y) < kClickTravel;
    p.down = false;
    if (!click || barDrag_.active) continue;
    if (e.code == 0) clickAt(static_cast<int>(mx), static_cast<int>(my));
    if (e.code == 1) dispatch(ClearQuery{});
  }
}

void App::titleTooltip() {
  const ImGuiIO& io = ImGui::GetIO();
  if (io.WantCaptureMouse || content_.empty()) return;
  const double mx = io.MousePos.x * pixelRatio_ - viewsArea_.x, my = io.MousePos.y * pixelRatio_ - viewsArea_.y;
  const std::vector<render::Rect> rects = viewRects();
  for (std::size_t k = 0; k < rects.size() && k < content_.size(); ++k)
    if (mx >= rects[k].x && mx < rects[k].x + rects[k].width && my >= 0 && my < rects[k].y) {
      const ViewContent& c = content_[k];
      ImGui::SetTooltip("%s\n%s", c.title.c_str(), c.subtitle.c_str());
    }
}

bool App::handleBarDrag(double mx, double my, bool inside) {
  const std::vector<render::Rect> slots = render::layoutSlots(std::max(1, viewsArea_.width), std::max(1, viewsArea_.height),
                                                              std::clamp(state_.view.viewCount, 1, 3));
  const std::vector<render::Rect> rects = viewRects();
  const float s = viewTextScale();
  auto barT = [&](int k) {  // where mx lies along view k's colour bar, 0 at its low end and 1 at its high end
    const render::ColourBarLayout bar = render::colourBarLayout(content_[k].range, static_cast<float>(slots[k].width), s);
    return (mx - slots[k].x - bar.x) / std::max(1.0f, bar.width);
  };
  if (!barDrag_.active && inside && state_.view.colourBars && ImGui::IsMouseClicked(0)) {
    for (std::size_t k = 0; k < slots.size() && k < rects.size() && k < content_.size(); ++k) {
      const render::Rect& slot = slots[k];
      const bool inBand = mx >= slot.x && mx < slot.x + slot.width && my >= rects[k].y + rects[k].height && my < slot.y + slot.height;
      if (!inBand || content_[k].difference || content_[k].values.empty()) continue;
      const int view = static_cast<int>(k);
      if (ImGui::IsMouseDoubleClicked(0)) {  // back to the automatic log range
        ViewSettings v = state_.view;
        v.rangeMode = render::RangeMode::Log;
        dispatch(SetView{v});
        return true;
      }
      barDrag_ = BarDrag{true, view, barT(view) >= 0.5, content_[k].range};
      return true;
    }
  }
  if (!barDrag_.active) return false;
  if (!ImGui::IsMouseDown(0) || barDrag_.view >= static_cast<int>(content_.size())) {
    barDrag_.active = false;
    return true;
  }
  // The grabbed end follows the pointer along the bar as it was when the drag began (a stable mapping).
  const double value = render::denormalise(barT(barDrag_.view), barDrag_.start);
  ViewSettings v = state_.view;
  const render::ValueRange now = content_[barDrag_.view].range;
  v.rangeMode = render::RangeMode::Fixed;
  v.fixedLog = now.log;
  v.fixedLo = barDrag_.high ? now.lo : value;
  v.fixedHi = barDrag_.high ? value : now.hi;
  if (v.fixedLo < v.fixedHi && !(v == state_.view)) dispatch(SetView{v});
  return true;
}

void App::handleViewInput() {
  const ImGuiIO& io = ImGui::GetIO();
  const double mx = io.MousePos.x * pixelRatio_ - viewsArea_.x, my = io.MousePos.y * pixelRatio_ - viewsArea_.y;
  const bool inside = !io.WantCaptureMouse && mx >= 0 && my >= 0 && mx < viewsArea_.width && my < viewsArea_.height;
  if (!drawable_) return;
  render::Camera& cam = state_.camera;
  const std::vector<render::Rect> rects = viewRects();
  const int k = render::viewAt(rects, mx, my);
  const float viewH = k >= 0 ? static_cast<float>(rects[k].height) : static_cast<float>(viewsArea_.height);

  if (handleBarDrag(mx, my, inside)) return;
  // Drags follow the window's queued presses and releases (handleClicks has applied this frame's),
  // not ImGui's per-frame button state: ImGui 1.86 reports a click shorter than a frame as a button
  // down for that frame, so clicks in consecutive slow frames looked like one button held while the
  // pointer travelled between them, and orbited the camera. A drag starts past kClickTravel from
  // where its press happened and moves the camera by the pointer's travel since the last step.
  const int held = press_[0].down ? 0 : press_[1].down ? 1 : press_[2].down ? 2 : -1;
  if (held < 0) {
    dragging_ = false;
  } else {
    const Press& p = press_[held];
    if (!dragging_) {
      dragging_ = true;
      dragLastX_ = p.x;
      dragLastY_ = p.y;
    }
    if (!dragMoved_ && std::hypot(mx - p.x, my - p.y) >= kClickTravel) dragMoved_ = true;
    const float dx = static_cast<float>(mx - dragLastX_), dy = static_cast<float>(my - dragLastY_);
    if (dragMoved_ && (dx != 0 || dy != 0)) {
      if (held == 0 && cam.mode == render::CameraMode::Orbit && !io.KeyShift) cam.orbit(dx, dy);
      else cam.pan(dx, dy, viewH);
      dragLastX_ = mx;
      dragLastY_ = my;
    }
  }
  // Clicks come from the queued button events (handleClicks); a double-click centres the camera.
  if (inside && !dragMoved_ && ImGui::IsMouseDoubleClicked(0)) {
    const std::int64_t node = pickAt(static_cast<int>(mx), static_cast<int>(my));
    if (node >= 0) cam.target = drawable_->nodePosition(node);
  }
  if (inside && io.MouseWheel != 0.0f && k >= 0) {
    const render::Rect& r = rects[k];
    const float ndcX = static_cast<float>((mx - r.x) / r.width * 2.0 - 1.0);
    const float ndcY = static_cast<float>(1.0 - (my - r.y) / r.height * 2.0);
    cam.zoom(std::pow(1.15f, io.MouseWheel), ndcX, ndcY, static_cast<float>(r.width) / static_cast<float>(r.height));
  }
  // Hover: pick when the resting mouse moved (not while dragging).
  if (!inside || held >= 0) {
    if (!inside) state_.hover = -1;
  } else if (mx != lastHoverX_ || my != lastHoverY_) {
    lastHoverX_ = mx;
    lastHoverY_ = my;
    state_.hover = pickAt(static_cast<int>(mx), static_cast<int>(my));
  }
}

}  // namespace topomask::gui
