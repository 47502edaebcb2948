#include "gui/app.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <imgui.h>

#include "model/bench_runner.h"
#include "model/lanes.h"
#include "model/pipeline.h"
#include "render/plot/screenshot.h"
#include "model/views_model.h"
#include "gui/host.h"
#include "platform/input.h"
#include "render/scene/views.h"

namespace topomask::gui {

namespace {
using Clock = std::chrono::steady_clock;
constexpr int kHeavy = 0;
constexpr int kRows = 1;
constexpr int kInsightLane = 2;  // lane of InsightKind k: kInsightLane + k
int laneOf(InsightKind k) { return kInsightLane + static_cast<int>(k); }
}  // namespace

namespace {
// Where F12 puts screenshots: $XDG_PICTURES_DIR, else ~/Pictures when it exists, else the working
// directory.
std::filesystem::path screenshotFolder() {
  std::error_code ec;
  if (const char* xdg = std::getenv("XDG_PICTURES_DIR"); xdg && *xdg && std::filesystem::is_directory(xdg, ec)) return xdg;
  if (const char* home = std::getenv("HOME"); home && *home) {
    const std::filesystem::path pictures = std::filesystem::path(home) / "Pictures";
    if (std::filesystem::is_directory(pictures, ec)) return pictures;
  }
  return std::filesystem::current_path(ec);
}
// The UI scale ("ui-scale 1.25" in settings.txt of the config folder).
std::filesystem::path settingsFile(const std::string& configDir) { return std::filesystem::path(configDir) / "settings.txt"; }
// Seconds a notice ("Screenshot written to ...") stays in the status bar.
constexpr double kNoticeSeconds = 8.0;
// ProggyClean, ImGui's built-in font, is drawn at 13 pixels at UI scale 1.
constexpr float kFontPixels = 13.0f;
}  // namespace

std::string windowStateFile(const std::string& configDir) { return (std::filesystem::path(configDir) / "window.txt").string(); }

App::App(const AppOptions& options, std::unique_ptr<Host> host) : options_(options), host_(std::move(host)) {
  renderer_ = &host_->renderer();
  softwareGl_ = host_->softwareRasteriser();
  views_ = std::make_unique<render::ViewRenderer>(*renderer_);
  // A job of a lane's newest generation threw (run on this thread by Lanes::drain).
  insightTextures_.texture = [this](std::shared_ptr<const void> owner, const std::vector<std::uint8_t>& rgba, int w, int h,
                                    bool nearest) { return pictureTexture(std::move(owner), rgba, w, h, nearest); };
  lanes_ = std::make_unique<Lanes>(kInsightLane + kInsightKindCount, [this](int lane, const std::string& m) {
    if (lane == kHeavy) {
      // The root cause first: a series that diverged makes the later stages fail too.
      state_.error = state_.results.maskInfo.failure.empty() ? m : state_.results.maskInfo.failure;
      errorFromHeavy_ = true;
      // What the failed job was recomputing is not current: never leave it on screen.
      Results& r = state_.results;
      if (heavyStale_ & StageMask) r.mask.reset();
      if (heavyStale_ & StageGrf) r.grf.reset();
      if (heavyStale_ & StageTokens) r.tokens.reset();
      if (heavyStale_ & (StageMask | StageGrf | StageTokens)) clearRows();
      stale_ = 0;
    } else if (lane == kRows) {
      state_.error = m;
    } else {
      const int k = lane - kInsightLane;
      state_.insight.error[k] = m;
      state_.insight.busy[k] = false;
    }
  });

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
  baseStyle_ = style;
  const auto [fbw, fbh] = host_->framebufferSize();
  const auto [ww, wh] = host_->windowSize();
  pixelRatio_ = ww > 0 ? static_cast<float>(fbw) / static_cast<float>(ww) : 1.0f;
  (void)fbh;
  (void)wh;
  io.FontGlobalScale = 1.0f;
  // The UI scale: the one the user chose last time, else the monitor's content scale (HiDPI).
  float scale = std::clamp(host_->contentScale() / pixelRatio_, kMinUiScale, kMaxUiScale);
  if (!options.configDir.empty()) {
    std::ifstream in(settingsFile(options.configDir));
    std::string key;
    float value = 0.0f;
    for (std::string line; std::getline(in, line);) {
      std::istringstream fields(line);
      if (!(fields >> key)) continue;
      if (key == "ui-scale" && fields >> value && std::isfinite(value)) scale = std::clamp(value, kMinUiScale, kMaxUiScale);
      if (key == "screenshot-dir") std::getline(fields >> std::ws, state_.screenshotDir);
    }
  }
  state_.view.uiScale = scale;
  host_->uiInit();
  loadRecent();
}

App::~App() {
  if (!options_.configDir.empty() && host_) {
    std::error_code ec;
    std::filesystem::create_directories(options_.configDir, ec);
    const auto [x, y] = host_->position();
    const auto [width, height] = host_->windowSize();
    std::ofstream(windowStateFile(options_.configDir)) << x << ' ' << y << ' ' << width << ' ' << height << '\n';
    std::ofstream settings(settingsFile(options_.configDir));
    // The user's own scale, not the presentation's.
    settings << "ui-scale " << (ui_.presenting ? ui_.presentSavedScale : state_.view.uiScale) << '\n';
    if (!state_.screenshotDir.empty()) settings << "screenshot-dir " << state_.screenshotDir << '\n';
  }
  lanes_->stop();  // joins the workers while jobs may still post through lanes_
  lanes_.reset();
  drawable_.reset();
  for (auto& [key, t] : pictureTextures_)
    if (t.handle) renderer_->destroy(t.handle);
  pictureTextures_.clear();
  views_.reset();
  host_->uiShutdown();
  ImGui::DestroyContext();
  renderer_ = nullptr;
  host_.reset();
}

void App::post(int lane, std::uint64_t generation, std::function<void()> apply) { lanes_->post(lane, generation, std::move(apply)); }

void App::dispatch(const Command& command) {
  if (commandObserver_) commandObserver_(command);
  if (const auto* open = std::get_if<OpenFile>(&command)) {
    // "demo" names the built-in scene here too, as on the command line (unless such a file exists).
    if (open->path == "demo" && !std::filesystem::exists(open->path)) {
      dispatch(OpenDemo{});
      return;
    }
    if (!open->path.empty() && !std::filesystem::exists(open->path)) {
      state_.error = open->path + ": no such file";
      return;
    }
  }
  if (const auto* view = std::get_if<SetView>(&command); view && view->view.edges != state_.view.edges)
    edgesHiddenForSize_ = false;  // the user's own choice from now on
  const bool opening = std::holds_alternative<OpenFile>(command) || std::holds_alternative<OpenDemo>(command);
  if (opening) state_.notice.clear();  // a notice about the previous scene ("cancelled", a screenshot) is done
  const Effects e = apply(state_, command);
  if (opening) {
    loadPath_ = state_.pathField;
    state_.error.clear();
  }
  if (e.cancel && !e.stale) {
    lanes_->cancel(kHeavy);
    lanes_->cancel(kRows);
    state_.heavy = {};
    state_.rows = {};
    for (int k = 0; k < kInsightKindCount; ++k)
      if (state_.insight.busy[k]) cancelInsight(static_cast<InsightKind>(k), "cancelled");
    state_.notice = "cancelled";
  }
  if (e.costConfirmed) costConfirmed_ = true;
  // The insight views' requests (apply() leaves the state alone for these).
  if (std::holds_alternative<RunBench>(command)) startBench();
  if (std::holds_alternative<CancelBench>(command)) cancelInsight(InsightKind::Cost, "bench cancelled");
  if (const auto* learn = std::get_if<RunLearn>(&command)) learnRequest_ = *learn;  // scheduleInsight starts it
  if (std::holds_alternative<CancelLearn>(command)) {
    learnRequest_.reset();
    cancelInsight(InsightKind::Learn, "learning cancelled");
  }
  if (std::holds_alternative<ApplyLearned>(command)) learnApply_ = true;  // stepLearn, which knows the iteration shown
  if (std::holds_alternative<RevertLearned>(command)) learnRevert_ = true;
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
    lanes_->cancel(kRows);
}

bool App::busy() const { return lanes_->busy(); }

void App::waitIdle() {
  lanes_->waitIdle();
  state_.heavy = {};
  state_.rows = {};
}

void App::scheduleHeavy() {
  if (!stale_) return;
  unsigned stale = stale_;
  const auto& scene = state_.results.scene;
  const auto& graph = state_.results.graph;
  if (!(stale & StageLoad) && !scene) {
    stale_ = 0;
    return;  // nothing loaded yet: parameters wait for a scene
  }
  // A scene without a graph (its last build failed, e.g. a graph kind that does not apply): every
  // later stage needs one, so the graph is built again with the current options first.
  if (!(stale & StageLoad) && !graph) stale |= withDependents(StageGraph);
  // The stages run in runStages' order (model/pipeline.h, shared with runStagesNow); each result is
  // posted to the UI thread as it finishes, so that the views change stage by stage.
  StageRun run = stageRun(state_, stale, loadPath_);
  // A GRF stage above the cost threshold waits for the user's answer unless they already gave it.
  run.costConfirmed = costConfirmed_;
  if (stale & StageGrf) costConfirmed_ = false;
  state_.heavy.busy = true;
  state_.heavy.stage = "queued";  // the status shows the job the moment it is asked for
  heavyStale_ = stale;
  lanes_->submit(kHeavy, [this, run = std::move(run)](Progress& progress, std::uint64_t gen) {
    const std::string path = run.path;
    const bool loaded = (run.stages & StageLoad) != 0;
    StageSink sink;
    sink.loaded = [&](std::shared_ptr<const Scene> scene, double seconds) {
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
    };
    sink.graph = [&](const GraphStage& g) {
      post(kHeavy, gen, [this, g, path, loaded] {
        Results& r = state_.results;
        storeGraph(r, g);
        r.mask.reset();
        r.grf.reset();
        r.tokens.reset();
        if (state_.query >= g.graph->nodeCount()) state_.query = -1;
        // Every newly loaded file gets a query, so that the first picture already shows a mask: the
        // demo's tip and the centre of grids at once; on other geometry the node drawn at the centre
        // of the first view, picked once the camera is framed (syncDrawable), so it faces the user.
        // Graph edges over points: past kEdgesShownAtMost they cover the points in a grey felt and
        // cost most of a frame under software OpenGL (two thirds at 100k points, 400k edges).
        // Hidden by default on such a file (E shows them); shown again on a smaller file.
        const bool pointsOrGraph = state_.results.scene && (std::holds_alternative<PointCloud>(state_.results.scene->data) ||
                                                            std::holds_alternative<EdgeListGraph>(state_.results.scene->data));
        if (loaded && pointsOrGraph) {
          if (g.info.edges > kEdgesShownAtMost && state_.view.edges) {
            state_.view.edges = false;
            edgesHiddenForSize_ = true;
            state_.notice = "graph edges hidden: " + std::to_string(g.info.edges) + " edges would cover the points (E shows them)";
          } else if (g.info.edges <= kEdgesShownAtMost && edgesHiddenForSize_) {
            state_.view.edges = true;
            edgesHiddenForSize_ = false;
          }
        }
        if (loaded && state_.query < 0) {
          const bool centreOfView = !path.empty() && g.graph->gridWidth == 0 && g.graph->positions.rows() == g.graph->nodeCount();
          if (centreOfView) pendingViewQuery_ = true;
          else state_.query = defaultQuery(*g.graph);
        }
        stale_ &= ~StageGraph;
      });
    };
    sink.mask = [&](const MaskStage& m) {
      post(kHeavy, gen, [this, m] {
        storeMask(state_.results, m);  // maskInfo without a failure
        stale_ &= ~StageMask;
        scheduleRows();
      });
    };
    sink.maskFailed = [&](const Error& e) {
      post(kHeavy, gen, [this, msg = std::string(e.what())] {
        state_.results.mask.reset();
        state_.results.maskInfo = {};
        state_.results.maskInfo.failure = msg;  // shown in the Mask panel and the exact view
        state_.error = msg;
        errorFromHeavy_ = true;
        stale_ &= ~StageMask;
        scheduleRows();
      });
    };
    sink.tokens = [&](const TokensStage& t) {
      post(kHeavy, gen, [this, t] {
        state_.results.tokens = t.tokens;
        state_.results.tokensNote = t.note;
        state_.results.timings.tokens = t.seconds;
        // A token file that cannot be used: its reason in the status line, until the file or the
        // choice of tokens changes (the end of this job does not clear it).
        tokensFailure_ = t.failure.has_value();
        if (tokensFailure_) {
          state_.error = t.note;
          errorFromHeavy_ = true;  // cleared by the end of a later job whose tokens are fine
        }
        stale_ &= ~StageTokens;
        scheduleRows();
      });
    };
    sink.grfWaits = [&](const GrfStageCost& cost) {
      post(kHeavy, gen, [this, cost] {
        state_.results.grf.reset();
        state_.results.grfInfo = {};
        state_.results.errors.relFrobenius = state_.results.errors.relFrobeniusSq = -1;
        state_.costQuestion = CostQuestion{cost.text, cost.affordableWalkers, true};
        stale_ &= ~(StageGrf | StageErrors);
        scheduleRows();
      });
    };
    sink.grf = [&](const GrfStage& g) {
      post(kHeavy, gen, [this, g] {
        storeGrf(state_.results, g);
        stale_ &= ~StageGrf;
        scheduleRows();
      });
    };
    sink.errors = [&](const ErrorsStage& e) {
      post(kHeavy, gen, [this, e] {
        storeErrors(state_.results, e);
        stale_ &= ~StageErrors;
      });
    };
    runStages(run, sink, &progress);
    post(kHeavy, gen, [this] {
      state_.heavy = {};
      // Everything asked for was computed: an error of an earlier heavy job no longer holds.
      if (errorFromHeavy_ && state_.results.maskInfo.failure.empty() && !tokensFailure_) {
        state_.error.clear();
        errorFromHeavy_ = false;
      }
    });
  });
}

void App::clearRows() {
  Results& r = state_.results;
  r.rowsQuery = -1;
  r.exactRow = {};
  r.grfRow = {};
  r.attentionA = {};
  r.attentionB = {};
  r.errors.rowRelError = -1;
  r.errors.attentionRowL1 = -1;
  ++r.rowsVersion;
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
  lanes_->submit(kRows, [this, in](Progress&, std::uint64_t gen) {
    RowsResult r = computeRows(in);
    post(kRows, gen, [this, r, graph = in.graph] {
      state_.rows = {};
      if (graph != state_.results.graph || r.query != state_.query) return;
      storeRows(state_.results, r);
      if (!r.note.empty() && state_.view.layout == Layout::Attention) state_.notice = r.note;
    });
  });
}

void App::scheduleInsight() {
  const Results& r = state_.results;
  InsightResults& ins = state_.insight;
  for (int k = 0; k < kInsightKindCount; ++k) {
    ins.busy[k] = lanes_->busy(kInsightLane + k);
    ins.stage[k] = ins.busy[k] ? lanes_->stage(kInsightLane + k) : std::string();
    ins.fraction[k] = ins.busy[k] ? lanes_->fraction(kInsightLane + k) : 0.0;
  }
  // Engine results are consistent with the parameters only once the heavy worker is done.
  if (lanes_->busy(kHeavy) || !r.graph) return;

  if (learnRequest_) {
    const FitTarget target = learnRequest_->target;
    FitOptions fit;
    fit.terms = std::clamp(learnRequest_->terms, 1, kMaxFitTerms);
    learnRequest_.reset();
    fit.seed = state_.grf.seed;
    const int k = static_cast<int>(InsightKind::Learn);
    ins.error[k].clear();
    ins.busy[k] = true;
    GrfFitOptions grf;
    grf.walkers = state_.grf.walkers;
    grf.pHalt = state_.grf.pHalt;
    lanes_->submit(laneOf(InsightKind::Learn), [this, graph = r.graph, target, fit, cached = cachedSpectrum(state_),
                                                grf](Progress& progress, std::uint64_t gen) {
      auto model = std::make_shared<const LearnModel>(computeLearnModel(*graph, target, fit, cached, &progress, &grf));
      post(laneOf(InsightKind::Learn), gen, [this, model] {
        state_.insight.set<InsightKind::Learn>(model);
        state_.insight.busy[static_cast<int>(InsightKind::Learn)] = false;
        ui_.insight.learnPosition = 0.0;
        ui_.insight.learnPlaying = true;
      });
    });
  }

  // The views computed from their rows (insight_views.h): each while it is wanted, again when its
  // inputs key changes; a view whose inputs are gone (no mask, no features, no query) is dropped.
  for (const InsightView& view : insightViews()) {
    if (!view.key) continue;  // on request only (a command)
    const int k = static_cast<int>(view.kind);
    const std::optional<InsightKey> key = view.key(state_);
    if (!key) {
      if (!(submitted_[k] == InsightKey{})) lanes_->cancel(laneOf(view.kind));  // its result would not be current
      ins.result[k].reset();
      ins.keys[k] = submitted_[k] = InsightKey{};
      ins.busy[k] = false;
      continue;
    }
    if (!insightWants(ui_.insight, ui_.walks.open, view.kind) || *key == submitted_[k]) continue;  // done or in flight
    if (!view.keepWhileRecomputing) ins.result[k].reset();
    submitted_[k] = *key;
    ins.error[k].clear();
    ins.busy[k] = true;
    lanes_->submit(laneOf(view.kind), [this, k, key = *key, job = view.job(state_)](Progress& progress, std::uint64_t gen) {
      std::shared_ptr<const void> result = job(progress);
      post(kInsightLane + k, gen, [this, k, key, result] {
        state_.insight.result[k] = result;
        state_.insight.keys[k] = key;
        state_.insight.busy[k] = false;
      });
    });
  }
}

void App::startBench() {
  const BenchRequest request = options_.bench;
  const int k = static_cast<int>(InsightKind::Cost);
  state_.insight.error[k].clear();
  state_.insight.busy[k] = true;
  lanes_->submit(laneOf(InsightKind::Cost), [this, request](Progress& progress, std::uint64_t gen) {
    progress.setStage("topomask bench");
    auto view = std::make_shared<const CostView>(costView(runBench(request, &progress)));
    post(laneOf(InsightKind::Cost), gen, [this, view] {
      state_.insight.set<InsightKind::Cost>(view);
      state_.insight.busy[static_cast<int>(InsightKind::Cost)] = false;
    });
  });
}

void App::cancelInsight(InsightKind kind, const char* message) {
  const int k = static_cast<int>(kind);
  lanes_->cancel(laneOf(kind));
  state_.insight.busy[k] = false;
  state_.insight.error[k] = message;
}

void App::syncInsightTextures() {
  // The Learn tab's picture of the iteration shown (plots rasterised on the CPU, a few ms).
  const LearnModel* model = state_.insight.get<InsightKind::Learn>().get();
  if (!model || model->iterations() == 0) {
    learnPicture_.reset();
    learnPictureModel_ = nullptr;
  } else {
    const std::size_t i = std::min(static_cast<std::size_t>(std::max(0.0, ui_.insight.learnPosition)), model->iterations() - 1);
    if (model != learnPictureModel_ || i != learnPictureIteration_ || !learnPicture_) {
      learnPicture_ = std::make_shared<const LearnPicture>(learnPicture(*model, i, 1200, 400));
      learnPictureModel_ = model;
      learnPictureIteration_ = i;
    }
  }
  // Pictures not asked for during the last frame lose their texture (and their owner).
  for (auto it = pictureTextures_.begin(); it != pictureTextures_.end();) {
    if (!it->second.used) {
      if (it->second.handle) renderer_->destroy(it->second.handle);
      it = pictureTextures_.erase(it);
    } else {
      it->second.used = false;
      ++it;
    }
  }
  insightTextures_.learn = learnPicture_;
}

std::uintptr_t App::pictureTexture(std::shared_ptr<const void> owner, const std::vector<std::uint8_t>& rgba, int w, int h,
                                   bool nearest) {
  if (!owner || w <= 0 || h <= 0 || rgba.size() < static_cast<std::size_t>(w) * static_cast<std::size_t>(h) * 4) return 0;
  PictureTexture& t = pictureTextures_[&rgba];
  if (t.owner != owner) {  // a new picture (the entry holds its owner, so the address is not reused meanwhile)
    if (t.handle) renderer_->destroy(t.handle);
    t.owner = std::move(owner);
    t.handle = renderer_->createTexture(w, h, render::TextureFormat::Rgba8,
                                        nearest ? render::TextureFilter::Nearest : render::TextureFilter::Linear, rgba.data());
  }
  t.used = true;
  return t.handle.id;
}

void App::stepLearn(double seconds) {
  InsightUi& ui = ui_.insight;
  const auto model = state_.insight.get<InsightKind::Learn>();
  if (learnRevert_) {
    learnRevert_ = false;
    ui.learnPlaying = false;
    ui.learnFollowViews = false;  // the views stay on the restored mask until asked again
    if (maskBeforeLearn_) dispatch(SetMask{*maskBeforeLearn_});
    maskBeforeLearn_.reset();
    ui.learnChanged = false;
  }
  if (!model || model->iterations() == 0) return;
  const std::size_t last = model->iterations() - 1;
  if (ui.learnPlaying) {
    const double rate = std::max(2.0, static_cast<double>(last) / 6.0);  // iterations per second
    ui.learnPosition = std::min(static_cast<double>(last), ui.learnPosition + std::clamp(seconds, 0.0, 0.5) * rate);
    if (ui.learnPosition >= static_cast<double>(last)) ui.learnPlaying = false;
  }
  const std::size_t i = std::min(static_cast<std::size_t>(std::max(0.0, ui.learnPosition)), last);
  MaskSpec spec;
  spec.preset = MaskPreset::CustomF;
  spec.f = model->path[i];
  if (learnApply_) {
    learnApply_ = false;
    dispatch(SetMask{spec});
    maskBeforeLearn_.reset();
    ui.learnChanged = false;
    learnAppliedModel_ = model.get();
    learnAppliedIteration_ = i;
    return;
  }
  if (ui.learnFollowViews && (model.get() != learnAppliedModel_ || i != learnAppliedIteration_) && !lanes_->busy(kHeavy)) {
    if (!maskBeforeLearn_) maskBeforeLearn_ = state_.mask;
    dispatch(SetMask{spec});
    learnAppliedModel_ = model.get();
    learnAppliedIteration_ = i;
    ui.learnChanged = true;
  }
}

void App::setMouse(float x, float y, bool leftDown) {
  // The window's own button events are replaced by these: a change of the button is a press or release here.
  if (leftDown != mouseDown_)
    syntheticEvents_.push_back({leftDown ? platform::InputEvent::Press : platform::InputEvent::Release, 0, 0, x, y});
  mouseOverride_ = true;
  mouseX_ = x;
  mouseY_ = y;
  mouseDown_ = leftDown;
}

void App::clearMouse() {
  mouseOverride_ = false;
  // A press the scripted mouse made is not the window's: no drag continues from it.
  for (Press& p : press_) p.down = false;
  mouseDown_ = false;
}

void App::queueInput(const platform::InputEvent& event) { syntheticEvents_.push_back(event); }

std::pair<int, int> App::windowPosition() const { return host_->position(); }

std::vector<std::uint8_t> App::windowPixels(int* width, int* height) {
  captureNext_ = true;
  frame();
  if (width) *width = capturedW_;
  if (height) *height = capturedH_;
  return captured_;
}

void App::syncDrawable() {
  const Graph* graph = state_.results.graph.get();
  if (graph != drawnGraph_) {
    drawable_.reset();
    drawnGraph_ = graph;
    uploadedRows_ = ~0ull;
    if (graph && state_.results.scene) {
      try {
        drawable_ = std::make_unique<render::SceneDrawable>(*renderer_, *state_.results.scene, *graph, /*cpuPicking=*/true);
        if (drawable_->cameraMode() != state_.camera.mode) state_.cameraFramed = false;
      } catch (const std::exception& e) {
        state_.error = std::string("cannot draw this scene: ") + e.what();
      }
    }
  }
  // Framed once the views area has its size (the first frame lays out the panels before it is known).
  if (drawable_ && !state_.cameraFramed && viewsArea_.width > 8 && viewsArea_.height > 8) {
    const auto rects = viewRects();
    state_.camera = drawable_->defaultCamera(static_cast<float>(rects[0].width) / static_cast<float>(rects[0].height));
    state_.cameraFramed = true;
  }
  if (pendingViewQuery_ && drawable_ && state_.cameraFramed && state_.results.graph) {
    pendingViewQuery_ = false;
    const auto rects = viewRects();
    const std::int64_t q = nodeAtViewCentre(*state_.results.graph, state_.camera, static_cast<float>(rects[0].width),
                                            static_cast<float>(rects[0].height));
    if (state_.query < 0 && q >= 0) dispatch(SelectQuery{q});
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

void App::drawViews(bool finished) {
  const int w = std::max(1, viewsArea_.width), h = std::max(1, viewsArea_.height);
  renderer_->setMultisample(true);
  if (!drawable_) {
    views_->renderEmpty(state_.heavy.busy ? "loading ..." : "Open a file or the demo scene (Data panel)", w, h, render::DrawStyle{});
    viewsRough_ = false;
    return;
  }
  syncViews();
  // Large scenes draw a subset while the camera is dragged; a finished picture (screenshots,
  // read-backs) is always the whole scene.
  const bool moving = cameraMoving() && !finished;
  // Skip the draw when nothing shown changed (the texture keeps the last picture): frames stay
  // cheap while the engine computes.
  // The hover marker is not part of the picture (drawHoverMarker draws it over): hovering costs no
  // redraw of the views.
  const std::string key = state_.camera.toText() + "|" + std::to_string(contentVersion_) + "|" + std::to_string(w) + "x" +
                          std::to_string(h) + "|" + std::to_string(state_.query) + "|" +
                          std::to_string(reinterpret_cast<std::uintptr_t>(drawable_.get())) + (moving ? "|moving" : "");
  const auto now = Clock::now();
  if (key != drawnKey_) {
    drawnKey_ = key;
    // Under software OpenGL a change is drawn at once without multisampling (at 100k nodes about a
    // third of the cost of 4x multisampling) and antialiased once the picture has been still for
    // kRefineSeconds: clicks and orbits answer fast, and the picture the user looks at is smooth.
    viewsRough_ = softwareGl_ && !finished;
    roughSince_ = now;
  } else if (!(viewsRough_ && (finished || (!dragging_ && roughDrawSeconds_ <= kRefineBudgetSeconds &&
                                            now - roughSince_ >= std::chrono::duration<double>(kRefineSeconds))))) {
    // Where the quick picture already took longer than kRefineBudgetSeconds to draw (a million
    // nodes under llvmpipe: 0.5-0.9 s), antialiasing would freeze the window for two or three times that on every
    // change; the quick picture stays (screenshots and read-backs still antialias).
    return;
  } else {
    viewsRough_ = false;
  }
  renderer_->setMultisample(!viewsRough_);
  render::FrameSpec frame = frameSpec(state_, content_);
  frame.style.moving = moving;
  frame.hover = -1;
  frame.textScale = viewTextScale();
  const auto drawStart = Clock::now();
  views_->render(*drawable_, frame, w, h);
  if (viewsRough_) {
    // How long the quick picture takes to draw (the rasteriser finished): decides whether
    // antialiasing it later is affordable.
    renderer_->finish();
    roughDrawSeconds_ = std::chrono::duration<double>(Clock::now() - drawStart).count();
  }
  renderer_->setMultisample(true);
}

void App::drawHoverMarker() {
  if (state_.hover < 0 || !drawable_ || state_.hover >= drawable_->nodeCount() || state_.hover == state_.query) return;
  const Eigen::Vector3f p = drawable_->nodePosition(state_.hover);
  const float inv = 1.0f / pixelRatio_, radius = 4.5f * state_.view.uiScale;
  ImDrawList* draw = ImGui::GetBackgroundDrawList();
  for (const render::Rect& r : viewRects()) {
    const auto at = state_.camera.toPixels(p, static_cast<float>(r.width), static_cast<float>(r.height));
    if (!at || at->x() < 0 || at->y() < 0 || at->x() >= r.width || at->y() >= r.height) continue;
    const ImVec2 c((viewsArea_.x + r.x + at->x()) * inv, (viewsArea_.y + r.y + at->y()) * inv);
    draw->AddCircle(c, radius + 1.5f, IM_COL32(20, 20, 24, 255), 20, 3.0f);
    draw->AddCircle(c, radius, IM_COL32(255, 255, 255, 255), 20, 2.0f);
  }
}

// The views' own text (titles, colour-bar labels) is a pixel font drawn at whole multiples.
float App::viewTextScale() const { return std::max(1.0f, std::round(2.0f * pixelRatio_ * state_.view.uiScale)); }

void App::applyUiScale() {
  const float scale = state_.view.uiScale;
  if (scale == appliedUiScale_) return;
  appliedUiScale_ = scale;
  ImGuiIO& io = ImGui::GetIO();
  io.Fonts->Clear();
  ImFontConfig font;
  font.SizePixels = std::round(kFontPixels * scale);
  io.Fonts->AddFontDefault(&font);
  host_->uiFontsChanged();
  ImGui::GetStyle() = baseStyle_;
  ImGui::GetStyle().ScaleAllSizes(scale);
  drawnKey_.clear();  // the views' text changes size too
}

std::vector<render::Rect> App::viewRects() const {
  return render::layoutViews(std::max(1, viewsArea_.width), std::max(1, viewsArea_.height),
                             std::clamp(state_.view.viewCount, 1, 3), viewTextScale(), state_.view.colourBars);
}

std::vector<std::uint8_t> App::viewsPixels(int* width, int* height, bool finished) {
  if (viewsRough_ && finished) drawViews(true);
  if (width) *width = renderer_->width();
  if (height) *height = renderer_->height();
  return renderer_->readColor();
}

std::int64_t App::pickAt(int x, int y, render::ViewRenderer::PickPath path) {
  if (!drawable_) return -1;
  syncViews();
  render::FrameSpec frame = frameSpec(state_, content_);
  frame.textScale = viewTextScale();
  return views_->pick(*drawable_, frame, std::max(1, viewsArea_.width), std::max(1, viewsArea_.height), x, y, path);
}

void App::clickAt(int x, int y) {
  const std::int64_t node = pickAt(x, y);
  if (node >= 0) dispatch(SelectQuery{node});
}

std::string App::screenshot(const std::string& requested) {
  std::string path = requested;
  if (path.empty()) {
    std::error_code ec;
    const std::filesystem::path folder =
        !state_.screenshotDir.empty() && std::filesystem::is_directory(state_.screenshotDir, ec) ? std::filesystem::path(state_.screenshotDir)
                                                                                                : screenshotFolder();
    do {
      path = (folder / ("topomask-" + std::to_string(++screenshotCounter_) + ".png")).string();
    } while (std::filesystem::exists(path));
  }
  path = std::filesystem::absolute(path).lexically_normal().string();  // the message names the full path
  // At scale k the views are drawn k times larger (text and markers too) for the file, then again
  // at the screen's size.
  const int scale = std::clamp(state_.screenshotScale, 1, 3);
  if (drawable_ && scale > 1) {
    syncViews();
    render::FrameSpec frame = frameSpec(state_, content_);
    frame.textScale = viewTextScale() * static_cast<float>(scale);
    renderer_->setMultisample(true);
    views_->render(*drawable_, frame, std::max(1, viewsArea_.width) * scale, std::max(1, viewsArea_.height) * scale);
    drawnKey_.clear();
    viewsRough_ = false;  // the picture in the target is this finished one, at k times the size
  } else {
    drawViews(true);
  }
  int w = 0, h = 0;
  const std::vector<std::uint8_t> pixels = viewsPixels(&w, &h);
  writePng(path, pixels, w, h);
  if (scale > 1) drawViews(true);
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
  while (!host_->shouldClose()) {
    frame();
    // Idle: sleep until input arrives, or until the views are due to be antialiased.
    if (!busy() && !ImGui::IsAnyMouseDown()) {
      const double due = kRefineSeconds - std::chrono::duration<double>(Clock::now() - roughSince_).count();
      const bool refinePending = viewsRough_ && !dragging_ && roughDrawSeconds_ <= kRefineBudgetSeconds;
      host_->waitEvents(refinePending ? std::clamp(due, 0.0, 0.25) : 0.25);
    }
  }
  return 0;
}

void App::frame() {
  const auto t0 = Clock::now();
  host_->pollEvents();
  for (const std::string& path : host_->takeDroppedPaths()) {
    ui_.pathBuffer = path;
    dispatch(OpenFile{path});
  }
  lanes_->drain();
  state_.heavy.busy = lanes_->busy(kHeavy);
  if (state_.heavy.busy) {
    state_.heavy.stage = lanes_->stage(kHeavy);
    state_.heavy.fraction = lanes_->fraction(kHeavy);
  }
  state_.rows.busy = lanes_->busy(kRows);
  syncDrawable();
  {
    const auto now = Clock::now();
    const double dt = lastLearnStep_ == Clock::time_point{} ? 0.0 : std::chrono::duration<double>(now - lastLearnStep_).count();
    lastLearnStep_ = now;
    stepLearn(dt);
  }
  syncInsightTextures();

  applyUiScale();
  if (state_.notice != shownNotice_) {
    shownNotice_ = state_.notice;
    noticeSince_ = ImGui::GetTime();
  } else if (!state_.notice.empty() && ImGui::GetTime() - noticeSince_ > kNoticeSeconds) {
    state_.notice.clear();
    shownNotice_.clear();
  }
  host_->uiNewFrame();
  if (mouseOverride_) {
    ImGuiIO& io = ImGui::GetIO();
    io.MousePos = ImVec2(mouseX_, mouseY_);
    io.MouseDown[0] = mouseDown_;
  }
  ImGui::NewFrame();
  std::vector<platform::InputEvent> events = host_->takeEvents();
  // Scripted input: the window's own button events are not the scripted mouse's.
  if (mouseOverride_)
    std::erase_if(events, [](const platform::InputEvent& e) { return e.type != platform::InputEvent::Key; });
  events.insert(events.end(), syntheticEvents_.begin(), syntheticEvents_.end());
  syntheticEvents_.clear();
  drawUi();
  scheduleInsight();
  handleShortcuts(events);
  handleClicks(events);
  handleViewInput();
  drawViews(captureNext_);
  // The views are a texture behind the panels (GL textures are bottom-up: flip v).
  const float inv = 1.0f / pixelRatio_;
  ImGui::GetBackgroundDrawList()->AddImage(
      reinterpret_cast<ImTextureID>(renderer_->colorTextureHandle()), ImVec2(viewsArea_.x * inv, viewsArea_.y * inv),
      ImVec2((viewsArea_.x + viewsArea_.width) * inv, (viewsArea_.y + viewsArea_.height) * inv), ImVec2(0, 1), ImVec2(1, 0));
  drawHoverMarker();
  if (state_.hover >= 0 && !ImGui::GetIO().WantCaptureMouse) hoverTooltip(state_);
  titleTooltip();
  ImGui::Render();

  if (captureNext_) {
    captureNext_ = false;
    captured_ = host_->present(true, &capturedW_, &capturedH_);
  } else {
    host_->present(false, nullptr, nullptr);
  }
  lastFrameSeconds_ = std::chrono::duration<double>(Clock::now() - t0).count();
}

}  // namespace topomask::gui
