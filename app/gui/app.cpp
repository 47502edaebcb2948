#include "gui/app.h"

#include <chrono>
#include <filesystem>
#include <fstream>

#include <imgui.h>
#include <imgui_impl_glfw.h>
#include <imgui_impl_opengl3.h>

#include "gui/pipeline.h"
#include "gui/screenshot.h"
#include "gui/views_model.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/views.h"

struct GLFWwindow;

namespace topomask::gui {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kHeavy = 0;
constexpr int kRows = 1;
}  // namespace

App::App(const AppOptions& options) : options_(options) {
  platform::WindowOptions w;
  w.width = options.width;
  w.height = options.height;
  w.visible = options.visible;
  w.vsync = options.visible;
  window_ = std::make_unique<platform::Window>(w);
  renderer_ = std::make_unique<render::GlRenderer>(4);
  views_ = std::make_unique<render::ViewRenderer>(*renderer_);
  heavy_ = std::make_unique<Worker>([this](const std::string& m, std::uint64_t g) {
    post(kHeavy, g, [this, m] {
      state_.error = m;
      stale_ = 0;
    });
  });
  rows_ = std::make_unique<Worker>([this](const std::string& m, std::uint64_t g) { post(kRows, g, [this, m] { state_.error = m; }); });

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  ImGuiIO& io = ImGui::GetIO();
  io.IniFilename = nullptr;
  ImGui::StyleColorsDark();
  ImGuiStyle& style = ImGui::GetStyle();
  style.WindowRounding = 0.0f;
  style.FrameRounding = 3.0f;
  style.GrabRounding = 3.0f;
  style.WindowBorderSize = 0.0f;
  style.Colors[ImGuiCol_WindowBg] = ImVec4(0.085f, 0.09f, 0.10f, 0.97f);
  style.Colors[ImGuiCol_Header] = ImVec4(0.20f, 0.25f, 0.33f, 1.0f);
  const auto [fbw, fbh] = window_->framebufferSize();
  const auto [ww, wh] = window_->windowSize();
  uiScale_ = ww > 0 ? static_cast<float>(fbw) / static_cast<float>(ww) : 1.0f;
  (void)fbh;
  (void)wh;
  io.FontGlobalScale = 1.0f;
  ImGui_ImplGlfw_InitForOpenGL(static_cast<GLFWwindow*>(window_->nativeHandle()), true);
  ImGui_ImplOpenGL3_Init("#version 330 core");
  loadRecent();
}

App::~App() {
  heavy_.reset();
  rows_.reset();
  drawable_.reset();
  views_.reset();
  renderer_.reset();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
}

void App::post(int lane, std::uint64_t generation, std::function<void()> apply) {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  inbox_.push_back({lane, generation, std::move(apply)});
}

void App::drainResults() {
  std::vector<Posted> posted;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    posted.swap(inbox_);
  }
  for (Posted& p : posted) {
    const Worker& worker = p.lane == kHeavy ? *heavy_ : *rows_;
    if (p.generation != worker.generation()) continue;  // a newer request made it stale
    p.apply();
  }
}

void App::dispatch(const Command& command) {
  if (const auto* open = std::get_if<OpenFile>(&command)) {
    if (!open->path.empty() && !std::filesystem::exists(open->path)) {
      state_.error = open->path + ": no such file";
      return;
    }
  }
  const Effects e = apply(state_, command);
  if (std::holds_alternative<OpenFile>(command) || std::holds_alternative<OpenDemo>(command)) {
    loadPath_ = state_.pathField;
    state_.error.clear();
  }
  if (e.cancel && !e.stale) {
    heavy_->cancel();
    rows_->cancel();
    state_.heavy = {};
    state_.rows = {};
    state_.notice = "cancelled";
  }
  if (e.reframeCamera) state_.cameraFramed = false;
  if (e.screenshot) {
    try {
      state_.notice = "Screenshot written to " + screenshot(e.screenshotPath);
    } catch (const std::exception& ex) {
      state_.error = ex.what();
    }
  }
  if (e.stale & ~StageRows) {
    stale_ |= e.stale;
    scheduleHeavy();
  } else if (e.stale & StageRows) {
    scheduleRows();
  }
  if (std::holds_alternative<ClearQuery>(command) || (std::holds_alternative<SelectQuery>(command) && state_.query < 0))
    rows_->cancel();
}

bool App::busy() const { return heavy_->busy() || rows_->busy(); }

void App::waitIdle() {
  for (int i = 0; i < 100000; ++i) {
    heavy_->waitIdle();
    rows_->waitIdle();
    drainResults();
    if (!busy()) {
      std::lock_guard<std::mutex> lock(inboxMutex_);
      if (inbox_.empty()) break;
    }
  }
  state_.heavy = {};
  state_.rows = {};
}

void App::scheduleHeavy() {
  if (!stale_) return;
  const unsigned stale = stale_;
  const std::string path = loadPath_;
  auto scene = state_.results.scene;
  auto graph = state_.results.graph;
  auto grf = state_.results.grf;
  if (!(stale & StageLoad) && !scene) {
    stale_ = 0;
    return;  // nothing loaded yet: parameters wait for a scene
  }
  const GraphOptions graphOptions = state_.graph;
  const MaskSpec maskSpec = state_.mask;
  const GrfOptions grfOptions = state_.grf;
  const AttentionParams attention = state_.attention;
  state_.heavy.busy = true;
  heavy_->submit([=, this](Progress& progress, std::uint64_t gen) mutable {
    if (stale & StageLoad) {
      progress.setStage(path.empty() ? "building the demo" : "loading");
      double seconds = 0;
      scene = loadSceneStage(path, &seconds);
      post(kHeavy, gen, [this, scene, seconds, path] {
        Results& r = state_.results;
        r = Results{};
        r.scene = scene;
        r.timings.load = seconds;
        state_.scenePath = path;
        state_.warnings = scene->warnings;
        state_.sceneLabel = path.empty() ? scene->name : std::filesystem::path(path).filename().string() + "  (" +
                                                             sceneKindName(scene->kind()) + ")";
        state_.query = -1;
        state_.hover = -1;
        state_.cameraFramed = false;
        if (!path.empty()) {
          rememberRecent(state_, path);
          saveRecent();
        }
        stale_ &= ~StageLoad;
      });
    }
    if (stale & StageGraph) {
      progress.setStage("building the graph");
      GraphStage g = runGraphStage(*scene, graphOptions, &progress);
      graph = g.graph;
      post(kHeavy, gen, [this, g, path, loaded = (stale & StageLoad) != 0] {
        Results& r = state_.results;
        r.graph = g.graph;
        r.graphInfo = g.info;
        r.timings.graph = g.seconds;
        r.mask.reset();
        r.grf.reset();
        r.tokens.reset();
        if (state_.query >= g.graph->nodeCount()) state_.query = -1;
        if (loaded && path.empty() && state_.query < 0) state_.query = defaultQuery(*g.graph);
        stale_ &= ~StageGraph;
      });
    }
    progress.throwIfCancelled();
    if (stale & StageMask) {
      progress.setStage("mask operator");
      try {
        MaskStage m = runMaskStage(graph, maskSpec);
        post(kHeavy, gen, [this, m] {
          state_.results.mask = m.mask;
          state_.results.maskInfo = m.info;
          state_.results.timings.mask = m.seconds;
          stale_ &= ~StageMask;
          scheduleRows();
        });
      } catch (const Error& e) {
        post(kHeavy, gen, [this, msg = std::string(e.what())] {
          state_.results.mask.reset();
          state_.results.maskInfo = {};
          state_.error = msg;
          stale_ &= ~StageMask;
          scheduleRows();
        });
      }
    }
    if (stale & StageTokens) {
      progress.setStage("tokens");
      TokensStage t = runTokensStage(*graph, attention);
      post(kHeavy, gen, [this, t] {
        state_.results.tokens = t.tokens;
        state_.results.tokensNote = t.note;
        state_.results.timings.tokens = t.seconds;
        stale_ &= ~StageTokens;
        scheduleRows();
      });
    }
    if (stale & StageGrf) {
      progress.setStage("sampling random walks");
      GrfStage g = runGrfStage(*graph, maskSpec, grfOptions, &progress);
      grf = g.grf;
      post(kHeavy, gen, [this, g] {
        state_.results.grf = g.grf;
        state_.results.grfInfo = g.info;
        state_.results.timings.grf = g.seconds;
        stale_ &= ~StageGrf;
        scheduleRows();
      });
    }
    if ((stale & StageErrors) && grf) {
      progress.setStage("error of M_hat");
      ErrorsStage e = runErrorsStage(*graph, maskSpec, *grf, &progress);
      post(kHeavy, gen, [this, e] {
        ErrorFigures& f = state_.results.errors;
        f.relFrobenius = e.relFrobenius;
        f.relFrobeniusSq = e.relFrobeniusSq;
        f.rowsUsed = e.rowsUsed;
        state_.results.timings.errors = e.seconds;
        stale_ &= ~StageErrors;
      });
    }
    post(kHeavy, gen, [this] { state_.heavy = {}; });
  });
}

void App::scheduleRows() {
  RowsInput in;
  in.graph = state_.results.graph;
  in.mask = state_.results.mask;
  in.grf = state_.results.grf;
  in.tokens = state_.results.tokens;
  in.attention = state_.attention;
  in.query = state_.query;
  if (!in.graph || in.query < 0) return;
  state_.rows.busy = true;
  state_.rows.stage = "rows of the query";
  rows_->submit([this, in](Progress&, std::uint64_t gen) {
    RowsResult r = computeRows(in);
    post(kRows, gen, [this, r, graph = in.graph] {
      state_.rows = {};
      if (graph != state_.results.graph || r.query != state_.query) return;
      Results& res = state_.results;
      res.rowsQuery = r.query;
      res.exactRow = r.exactRow;
      res.grfRow = r.grfRow;
      res.attentionA = r.attentionA;
      res.attentionB = r.attentionB;
      res.errors.rowRelError = r.rowRelError;
      res.errors.attentionRowL1 = r.attentionRowL1;
      res.timings.exactRow = r.exactSeconds;
      res.timings.grfRow = r.grfSeconds;
      res.timings.attentionRows = r.attentionSeconds;
      res.timings.rowsTotal = r.totalSeconds;
      ++res.rowsVersion;
      if (!r.note.empty() && state_.view.layout == Layout::Attention) state_.notice = r.note;
    });
  });
}

void App::syncDrawable() {
  const Graph* graph = state_.results.graph.get();
  if (graph != drawnGraph_) {
    drawable_.reset();
    drawnGraph_ = graph;
    uploadedRows_ = ~0ull;
    if (graph && state_.results.scene) {
      try {
        drawable_ = std::make_unique<render::SceneDrawable>(*renderer_, *state_.results.scene, *graph);
        if (drawable_->cameraMode() != state_.camera.mode) state_.cameraFramed = false;
      } catch (const std::exception& e) {
        state_.error = std::string("cannot draw this scene: ") + e.what();
      }
    }
  }
  if (drawable_ && !state_.cameraFramed) {
    const auto rects = render::layoutViews(std::max(1, viewsArea_.width), std::max(1, viewsArea_.height), state_.view.viewCount);
    state_.camera = drawable_->defaultCamera(static_cast<float>(rects[0].width) / static_cast<float>(rects[0].height));
    state_.cameraFramed = true;
  }
}

void App::syncViews() {
  if (!drawable_) return;
  const bool busyNow = state_.heavy.busy || state_.rows.busy;
  if (uploadedRows_ == state_.results.rowsVersion && uploadedView_ == state_.view && uploadedQuery_ == state_.query &&
      uploadedBusy_ == busyNow)
    return;
  uploadedRows_ = state_.results.rowsVersion;
  uploadedView_ = state_.view;
  uploadedQuery_ = state_.query;
  uploadedBusy_ = busyNow;
  content_ = buildViews(state_);
  ++contentVersion_;
  for (std::size_t k = 0; k < content_.size(); ++k) drawable_->setScalar(static_cast<int>(k), content_[k].values);
}

void App::drawViews() {
  const int w = std::max(1, viewsArea_.width), h = std::max(1, viewsArea_.height);
  if (!drawable_) {
    views_->renderEmpty(state_.heavy.busy ? "loading ..." : "Open a file or the demo scene (Data panel)", w, h, render::DrawStyle{});
    return;
  }
  syncViews();
  // Skip the draw when nothing shown changed (the texture keeps the last picture): frames stay
  // cheap while the engine computes.
  const std::string key = state_.camera.toText() + "|" + std::to_string(contentVersion_) + "|" + std::to_string(w) + "x" +
                          std::to_string(h) + "|" + std::to_string(state_.query) + "|" + std::to_string(state_.hover) + "|" +
                          std::to_string(reinterpret_cast<std::uintptr_t>(drawable_.get()));
  if (key == drawnKey_) return;
  drawnKey_ = key;
  render::FrameSpec frame = frameSpec(state_, content_);
  frame.textScale = std::max(1.0f, std::round(2.0f * uiScale_));
  views_->render(*drawable_, frame, w, h);
}

std::vector<std::uint8_t> App::viewsPixels(int* width, int* height) {
  if (width) *width = renderer_->width();
  if (height) *height = renderer_->height();
  return renderer_->readColor();
}

std::int64_t App::pickAt(int x, int y) {
  if (!drawable_) return -1;
  syncViews();
  return views_->pick(*drawable_, frameSpec(state_, content_), std::max(1, viewsArea_.width), std::max(1, viewsArea_.height), x, y);
}

void App::clickAt(int x, int y) {
  const std::int64_t node = pickAt(x, y);
  if (node >= 0) dispatch(SelectQuery{node});
}

std::string App::screenshot(const std::string& requested) {
  std::string path = requested;
  if (path.empty()) {
    do {
      path = "topomask-" + std::to_string(++screenshotCounter_) + ".png";
    } while (std::filesystem::exists(path));
  }
  drawViews();
  int w = 0, h = 0;
  const std::vector<std::uint8_t> pixels = viewsPixels(&w, &h);
  writePng(path, pixels, w, h);
  return path;
}

void App::loadRecent() {
  if (options_.configDir.empty()) return;
  std::ifstream in(std::filesystem::path(options_.configDir) / "recent.txt");
  std::string line;
  while (std::getline(in, line))
    if (!line.empty() && state_.recentFiles.size() < 10) state_.recentFiles.push_back(line);
}

void App::saveRecent() const {
  if (options_.configDir.empty()) return;
  std::error_code ec;
  std::filesystem::create_directories(options_.configDir, ec);
  std::ofstream out(std::filesystem::path(options_.configDir) / "recent.txt");
  for (const std::string& r : state_.recentFiles) out << r << '\n';
}

int App::run() {
  while (!window_->shouldClose()) {
    frame();
    if (!busy() && !ImGui::IsAnyMouseDown()) window_->waitEvents(0.25);
  }
  return 0;
}

void App::frame() {
  const auto t0 = Clock::now();
  window_->pollEvents();
  for (const std::string& path : window_->takeDroppedPaths()) {
    ui_.pathBuffer = path;
    dispatch(OpenFile{path});
  }
  drainResults();
  state_.heavy.busy = heavy_->busy();
  if (state_.heavy.busy) {
    state_.heavy.stage = heavy_->stage();
    state_.heavy.fraction = heavy_->fraction();
  }
  state_.rows.busy = rows_->busy();
  syncDrawable();

  ImGui_ImplOpenGL3_NewFrame();
  ImGui_ImplGlfw_NewFrame();
  ImGui::NewFrame();
  drawUi();
  handleShortcuts();
  handleViewInput();
  drawViews();
  // The views are a texture behind the panels (GL textures are bottom-up: flip v).
  const float inv = 1.0f / uiScale_;
  ImGui::GetBackgroundDrawList()->AddImage(
      reinterpret_cast<ImTextureID>(renderer_->colorTextureHandle()), ImVec2(viewsArea_.x * inv, viewsArea_.y * inv),
      ImVec2((viewsArea_.x + viewsArea_.width) * inv, (viewsArea_.y + viewsArea_.height) * inv), ImVec2(0, 1), ImVec2(1, 0));
  if (state_.hover >= 0 && !ImGui::GetIO().WantCaptureMouse) hoverTooltip(state_);
  ImGui::Render();

  const auto [fbw, fbh] = window_->framebufferSize();
  renderer_->clearScreen(fbw, fbh);
  ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
  window_->swapBuffers();
  lastFrameSeconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace topomask::gui
