// App: the window's controller. It owns the host (window, renderer, UI backends: host.h) and the
// worker threads (heavy: load, graph, mask, GRF, tokens, errors; rows: the query's rows), applies commands to the
// AppState, schedules the stale engine stages, accepts fresh results (dropping stale ones by
// generation), and draws the views and panels each frame. Errors are shown, never fatal.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include <imgui.h>

#include "model/bench_runner.h"
#include "gui/commands.h"
#include "gui/host.h"
#include "gui/panels/panels.h"
#include "model/views_model.h"
#include "model/state.h"
#include "model/lanes.h"
#include "render/colormap.h"
#include "render/renderer.h"
#include "render/scene/views.h"

namespace topomask::platform {
struct InputEvent;
}
namespace topomask::render {
class Renderer;
class ViewRenderer;
class SceneDrawable;
}  // namespace topomask::render

namespace topomask::gui {

struct AppOptions {
  int width = 1600;
  int height = 1000;
  bool visible = true;
  std::string configDir;  // where recent files and the window's last size and place are kept ("" = not kept)
  // The `topomask bench` runs of the cost-against-N plot (tests pass the built binary and small sizes).
  BenchRequest bench;
};

// The window's last size and place: "x y width height" in window.txt of the config folder (App
// writes it when it closes; the window host reads it when it opens).
std::string windowStateFile(const std::string& configDir);

class App {
 public:
  // Opens the window (throws std::runtime_error with the reason when it cannot): makeWindowHost.
  explicit App(const AppOptions& options);
  // On the given host (host.h): NullHost drives whole frames with no display. AppOptions' size and
  // visibility are the host's business then; its configDir and bench still apply.
  App(const AppOptions& options, std::unique_ptr<Host> host);
  ~App();
  App(const App&) = delete;
  App& operator=(const App&) = delete;

  // Frames until the window closes; returns the exit status.
  int run();
  // One frame: events, finished work, input, panels, views.
  void frame();
  // Applies a command now (as a panel does) and schedules the work it makes stale.
  void dispatch(const Command& command);
  // Blocks until both workers are idle and their results are applied (tests, scripted screenshots).
  void waitIdle();
  bool busy() const;

  const AppState& state() const { return state_; }
  // The views area in framebuffer pixels (origin top-left of the window) and its last picture.
  render::Rect viewsArea() const { return viewsArea_; }
  // finished: antialiased first if the picture is still the quick one (software OpenGL, drawViews).
  std::vector<std::uint8_t> viewsPixels(int* width, int* height, bool finished = true);
  // False while the views show the quick picture of a change, not yet antialiased.
  bool viewsFinished() const { return !viewsRough_; }
  // Where each view draws its scene within the views area (title and colour-bar bands excluded):
  // what clicks, hovering, picking and the camera use.
  std::vector<render::Rect> viewRects() const;
  float viewTextScale() const;
  // The node under pixel (x, y) of the views area, or -1 (path: see ViewRenderer::pick).
  std::int64_t pickAt(int x, int y, render::ViewRenderer::PickPath path = render::ViewRenderer::PickPath::Auto);
  // A left click at pixel (x, y) of the views area: selects the node there (as the mouse does).
  void clickAt(int x, int y);
  // Writes the views (without panels) to a PNG; returns the path written.
  std::string screenshot(const std::string& path);
  // The mouse as ImGui sees it from the next frame on (ImGui units, origin top-left of the window)
  // and whether its left button is down, instead of the window's own mouse: tests and scripted
  // screenshots drive the panels with it. clearMouse() gives the mouse back to the window.
  void setMouse(float x, float y, bool leftDown = false);
  void clearMouse();
  // Queues a button or key event as the window would (tests: several clicks or key taps within one frame).
  void queueInput(const platform::InputEvent& event);
  // The window's client area on the screen (screen pixels): where synthetic input from outside the
  // process (xdotool, tests) must aim.
  std::pair<int, int> windowPosition() const;
  // Called with every command the app applies, before it applies it, from the thread that calls
  // frame() (tests follow what the user's gestures turned into; one observer, nullptr removes it).
  void setCommandObserver(std::function<void(const Command&)> observer) { commandObserver_ = std::move(observer); }
  // Draws one frame and returns the whole window as drawn (views and panels): RGBA, row 0 at the top.
  std::vector<std::uint8_t> windowPixels(int* width, int* height);
  // The panels' own state (which panels and tabs are open, the matrix entry under the mouse).
  PanelUi& panelUi() { return ui_; }
  // Presentation mode for projectors: text and controls 1.5 times larger (at least 1.75), the side
  // panel hidden, the guided tour started (when not running) with its step as a caption over the
  // views; Right, Space or Page Down go to the next step, Left, Backspace or Page Up back, Home to the
  // first, Escape or F5 leave. Leaving restores the UI scale and the side panel.
  void setPresenting(bool on);
  bool presenting() const { return ui_.presenting; }
  // Seconds the last frame took (CPU side, including the views' draw).
  double lastFrameSeconds() const { return lastFrameSeconds_; }

 private:
  // How engine work runs: lanes, generations, staleness.
  //
  // Lanes (model/lanes.h, where generations live): lane 0 "heavy" runs the stages load -> graph ->
  // mask -> tokens -> GRF -> errors through runStages (model/pipeline.h), whose sink posts each
  // result (scheduleHeavy; runStagesNow runs the same function synchronously); lane 1 "rows" computes the query's rows of M, M_hat and attention
  // (scheduleRows); lanes 2 + k run the insight view InsightKind k (scheduleInsight, from the
  // views' rows in model/insight_views.h), one lane per view, so that one view's work never cancels another's. A job never touches state_: it posts
  // closures that frame() applies through Lanes::drain only while its generation is the lane's
  // newest, so the state never mixes two parameter sets.
  //
  // Staleness. stale_ holds the Stage bits whose results do not match the parameters (apply()
  // says which a command made stale, with their dependents). scheduleHeavy submits one job for all
  // of them; each stage's closure clears its bit when applied; heavyStale_ remembers what the
  // running job recomputes, so that a failure clears exactly those results. Rows follow every
  // heavy result that changes them (scheduleRows from the closures), and insight views compare the
  // inputs they were last submitted with (submitted_) each frame, after the heavy lane is idle.
  void post(int lane, std::uint64_t generation, std::function<void()> apply);  // lanes_->post
  void scheduleHeavy();
  void scheduleRows();
  void clearRows();  // the query's rows are no longer current (views show "not available")
  void scheduleInsight();
  void startBench();  // RunBench
  void cancelInsight(InsightKind kind, const char* message);  // stops that view's worker, says so in it
  void syncInsightTextures();
  // The Learn tab's replay: advances the iteration shown while playing (the whole fit in about 6 s),
  // sets the mask to that iteration's f when the views follow (never while the heavy worker is busy,
  // so the pipeline is not flooded), and applies or reverts the mask on request.
  void stepLearn(double seconds);
  void syncDrawable();
  void syncViews();
  // Draws the views when what they show changed (finished: antialiased now, for screenshots and
  // read-backs, even under software OpenGL).
  void drawViews(bool finished = false);
  void drawUi();
  void drawSidePanel(int flags, const Emit& emit);  // the panels (Data, Graph, Mask, ...) in the left column
  void handleViewInput();
  // A press on a row view's colour bar grabs the nearer end of its range; dragging sets a fixed range
  // (log stays log); a double-click gives the automatic log range back. True while it owns the mouse.
  bool handleBarDrag(double mx, double my, bool inside);
  void handleShortcuts(const std::vector<platform::InputEvent>& events);
  // Clicks from the queued button events: a press and a release with little pointer travel select
  // (left) or clear (right) the query, however long the frame was.
  void handleClicks(const std::vector<platform::InputEvent>& events);
  void drawHoverMarker();  // over the views' cached picture (hovering redraws nothing)
  void applyUiScale();  // rebuilds the font and sizes when the UI-scale setting changed
  void titleTooltip();
  void presentationCaption();  // the tour step over the views' bottom edge (presentation mode)  // the full title and subtitle of the view under the mouse's title band
  void loadRecent();
  void saveRecent() const;

  AppOptions options_;
  AppState state_;
  std::unique_ptr<Host> host_;
  render::Renderer* renderer_ = nullptr;  // the host's
  std::unique_ptr<render::ViewRenderer> views_;
  std::unique_ptr<render::SceneDrawable> drawable_;
  const Graph* drawnGraph_ = nullptr;
  std::uint64_t uploadedRows_ = ~0ull;
  ViewSettings uploadedView_;
  std::int64_t uploadedQuery_ = -2;
  bool uploadedBusy_ = false;

  unsigned stale_ = 0;
  std::string loadPath_;  // "" = demo, when StageLoad is stale
  std::unique_ptr<Lanes> lanes_;
  InsightKey submitted_[kInsightKindCount];  // inputs of the job last submitted per view
  // Textures of the insight pictures, made when a panel asks (InsightTextures::texture), keyed by
  // the picture's pixels and kept while asked for every frame.
  struct PictureTexture {
    render::TextureHandle handle;
    std::shared_ptr<const void> owner;  // what holds the pixels (kept alive: its address is the key)
    bool used = false;                  // asked for since the last frame began
  };
  std::map<const void*, PictureTexture> pictureTextures_;
  std::uintptr_t pictureTexture(std::shared_ptr<const void> owner, const std::vector<std::uint8_t>& rgba, int w, int h,
                                bool nearest);
  std::shared_ptr<const LearnPicture> learnPicture_;  // the Learn tab's picture of the iteration shown
  const LearnModel* learnPictureModel_ = nullptr;
  std::size_t learnPictureIteration_ = 0;
  std::optional<MaskSpec> maskBeforeLearn_;  // the mask the replay replaced (Revert restores it)
  const LearnModel* learnAppliedModel_ = nullptr;  // the replay's f last set as the mask
  std::size_t learnAppliedIteration_ = 0;
  std::chrono::steady_clock::time_point lastLearnStep_{};
  std::optional<RunLearn> learnRequest_;  // a fit asked for, started once the heavy lane is idle
  bool learnApply_ = false, learnRevert_ = false;  // ApplyLearned / RevertLearned, for stepLearn
  InsightTextures insightTextures_;
  bool mouseOverride_ = false, mouseDown_ = false;
  float mouseX_ = 0, mouseY_ = 0;
  bool captureNext_ = false;
  std::vector<std::uint8_t> captured_;
  int capturedW_ = 0, capturedH_ = 0;

  render::Rect viewsArea_;
  float pixelRatio_ = 1.0f;  // framebuffer pixels per window unit (2 on a Retina-like display)
  float appliedUiScale_ = 0.0f;  // the ViewSettings::uiScale the fonts and style were built for
  ImGuiStyle baseStyle_;         // the style at UI scale 1
  std::string shownNotice_;      // notices expire: the one shown and since when
  double noticeSince_ = 0.0;
  double lastFrameSeconds_ = 0.0;
  // Mouse gesture state.
  bool pendingViewQuery_ = false;  // a new file waits for its query until the camera is framed
  unsigned heavyStale_ = 0;      // stages the current heavy job recomputes (cleared if it fails)
  bool errorFromHeavy_ = false;  // state_.error came from a heavy stage: cleared when one succeeds
  bool costConfirmed_ = false;   // the user said "Compute" to a CostQuestion: the next GRF stage runs
  bool tokensFailure_ = false;   // the token file of the last tokens stage could not be used (state_.error says why)
  // Buttons as the window's queued events left them (handleClicks): a press over the views that has
  // not been released. Clicks, drags and hovering follow these, not ImGui's per-frame button state.
  struct Press {
    bool down = false;
    double x = 0, y = 0;  // views-area pixels where the press happened
  } press_[3];
  // Software OpenGL (llvmpipe): changes are drawn without multisampling first, antialiased when
  // the picture has been still for kRefineSeconds (drawViews).
  static constexpr double kRefineSeconds = 0.3;
  static constexpr double kRefineBudgetSeconds = 0.3;
  double roughDrawSeconds_ = 0.0;  // how long the last quick picture took to draw (finished)
  bool softwareGl_ = false;
  bool viewsRough_ = false;  // the views' picture is the quick one, not yet antialiased
  std::chrono::steady_clock::time_point roughSince_{};
  // More graph edges than this are not drawn by default over points (see the graph stage's result).
  static constexpr std::int64_t kEdgesShownAtMost = 100000;
  bool edgesHiddenForSize_ = false;  // the edges were hidden by that default, not by the user
  bool cameraMoving() const { return dragging_ && dragMoved_; }  // a drag is orbiting or panning
  bool dragging_ = false;   // a button pressed over the views is held (drag bookkeeping below is live)
  bool dragMoved_ = false;  // the pointer travelled past the click threshold since the press
  double dragLastX_ = 0, dragLastY_ = 0;  // where the last drag step left the pointer
  std::function<void(const Command&)> commandObserver_;
  std::vector<platform::InputEvent> syntheticEvents_;  // from setMouse (tests, scripted screenshots)
  struct BarDrag {
    bool active = false;
    int view = 0;
    bool high = false;         // the upper end is grabbed
    render::ValueRange start;  // the bar's range when the drag began
  } barDrag_;
  double lastHoverX_ = -1, lastHoverY_ = -1;
  int screenshotCounter_ = 0;
  PanelUi ui_;
  std::vector<ViewContent> content_;
  std::uint64_t contentVersion_ = 0;  // increases whenever content_ is rebuilt
  std::string drawnKey_;  // what the views texture shows; unchanged key: no re-render
};

}  // namespace topomask::gui
