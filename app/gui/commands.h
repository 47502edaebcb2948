// Commands: every user intent as a value (std::variant). Panels, input handling, the command
// line and tests emit them; apply() changes the AppState and says which engine stages became
// stale (Stage bits), so that a parameter change recomputes what depends on it and nothing else.
#pragma once

#include <cstdint>
#include <string>
#include <variant>

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

using Command = std::variant<OpenFile, OpenDemo, SetGraphOptions, SetMask, SetGrf, SetAttention, SelectQuery, ClearQuery,
                             SetHover, SetView, SetCamera, ResetCamera, Screenshot, CancelWork, DismissError, AnswerCost, SetScreenshotOptions, SetLargeAsTokens>;

// Engine stages, upstream first. A stale stage makes everything downstream of it stale.
enum Stage : unsigned {
  StageNone = 0,
  StageLoad = 1u << 0,    // scene from file or demo
  StageGraph = 1u << 1,   // W and its statistics
  StageMask = 1u << 2,    // exact mask operator (K terms)
  StageGrf = 1u << 3,     // GRF features
  StageTokens = 1u << 4,  // Q, K, V and feature maps
  StageErrors = 1u << 5,  // Frobenius error of M_hat (exact or sampled rows)
  StageRows = 1u << 6,    // rows of the query: exact, GRF, attention
};
// `stages` plus every stage that depends on one of them.
unsigned withDependents(unsigned stages);

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
