// The command line of SPEC section 8: subcommand registration and output helpers. The options it
// shares with the application (and the Python module) live in options/options.h.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "options/options.h"
#include "topomask/mask/fit.h"

namespace topomask::cli {

// cli::CommonOptions and the rest of the shared options, as before the split.
using namespace topomask::opt;

// A registered subcommand sets `action` when it is chosen; main runs it after parsing.
using Action = std::function<int()>;
void addInfoCommand(CLI::App& root, Action& action);
void addMaskCommand(CLI::App& root, Action& action);
void addConvergenceCommand(CLI::App& root, Action& action);
void addAttentionCommand(CLI::App& root, Action& action);
void addBenchCommand(CLI::App& root, Action& action);
void addRenderCommand(CLI::App& root, Action& action);
void addExportCommand(CLI::App& root, Action& action);
void addFitCommand(CLI::App& root, Action& action);

// Output: JSON to stdout (pretty, one document), or text lines.
void printJson(const nlohmann::json& document);
// The target of a fit (`fit`, `render --view learn`): --target, --terms, --target-beta, --target-p,
// --tau, --distance.
struct FitTargetOptions {
  std::string target;
  int terms = 6;
  double targetBeta = 1.0;
  int targetP = 2;
  double tau = 1.0;
  std::string distance = "auto";
  CLI::Option* targetBetaOption = nullptr;
  CLI::Option* targetPOption = nullptr;
};
void addFitTargetOptions(CLI::App& sub, FitTargetOptions& options, bool required);
// The target without the data a file or the graph provides (usage Errors, before any IO); kernel
// parameters default to the common --beta and --p.
FitTarget parseFitTarget(const FitTargetOptions& options, const CommonOptions& common);
// Reads a file:T.npy target and checks its size against the graph; picks the distance metric.
void completeFitTarget(FitTarget& target, const FitTargetOptions& options, const Graph& graph, const Scene& scene,
                       const std::string& file);
void checkFitTerms(int terms);  // usage Error outside 1..kMaxFitTerms

}  // namespace topomask::cli
