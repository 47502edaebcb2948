// Commands: every user intent as a value (std::variant). Panels, input handling, the command
// line and tests emit them; apply() changes the AppState and says which engine stages became
// stale (Stage bits), so that a parameter change recomputes what depends on it and nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

#include "model/pipeline.h"
#include "model/state.h"

namespace topomask::gui {

struct OpenFile { std::string path; };
struct OpenDemo {};
struct SetGraphOptions { GraphOptions options; };
struct SetLargeAsTokens { bool on = true; };  // reloads the scene
struct SetMask { MaskSpec spec; };
struct SetGrf { GrfOptions options; };
struct SetAttention { AttentionParams params; };
struct SelectQuery { std::int64_t node = -1; };
struct ClearQuery {};
struct SetHover { std::int64_t node = -1; };
struct SetView { ViewSettings view; };
struct SetCamera { render::Camera camera; };
struct ResetCamera {};
struct Screenshot { std::string path; };  // "" = a numbered file in the screenshot folder
struct SetScreenshotOptions { std::string folder; int scale = 1; };  // folder "" = Pictures or the working directory
struct CancelWork {};
struct DismissError {};
// The answer to a CostQuestion: compute as set, use the affordable walker count, or not now (the
// GRF estimate stays empty; the GRF panel offers the question again).
enum class CostAnswer { Compute, UseAffordable, NotNow };
struct AnswerCost { CostAnswer answer = CostAnswer::NotNow; };
// Work of the insight views that runs only on request (the Insight window's buttons, the tour).
// apply() leaves the state alone; App starts or stops that view's worker (a fit waits until the
// engine's parameters are settled, i.e. the heavy lane is idle).
struct RunBench {};     // `topomask bench` for the cost-against-N plot (AppOptions::bench)
struct CancelBench {};
struct RunLearn { FitTarget target; int terms = 6; };  // fit f to the target with K = terms
struct CancelLearn {};
struct ApplyLearned {};   // keep the replay's f (the iteration shown) as the mask
struct RevertLearned {};  // back to the mask from before the replay changed it

using Command = std::variant<OpenFile, OpenDemo, SetGraphOptions, SetMask, SetGrf, SetAttention, SelectQuery, ClearQuery,
                             SetHover, SetView, SetCamera, ResetCamera, Screenshot, CancelWork, DismissError, AnswerCost, SetScreenshotOptions, SetLargeAsTokens,
                             RunBench, CancelBench, RunLearn, CancelLearn, ApplyLearned, RevertLearned>;

// What App must do after apply().
struct Effects {
  unsigned stale = StageNone;  // stages to recompute (dependents included)
  bool cancel = false;
  bool screenshot = false;
  std::string screenshotPath;
  bool reframeCamera = false;
  bool costConfirmed = false;  // the next GRF stage runs whatever its cost (AnswerCost::Compute)
};

// The settings OpenDemo sets (and the README shows): exp(8 W), 64 walkers.
MaskSpec demoMaskSpec();
inline constexpr int kDemoWalkers = 64;
// Opening a file sets more walkers than this back to it (with a notice).
inline constexpr int kCarriedWalkers = 16;

// The UI-scale setting's range (ViewSettings::uiScale).
inline constexpr float kMinUiScale = 0.75f;
inline constexpr float kMaxUiScale = 3.0f;

// Applies a command to the state. Pure: no engine calls, no GL, no threads.
Effects apply(AppState& state, const Command& command);

// Adds a path to the recent list (newest first, no duplicates, at most 10).
void rememberRecent(AppState& state, const std::string& path);

}  // namespace topomask::gui
