// Options the command line, the application and the Python module share: the shared flags as typed
// (CommonOptions), their registration with CLI11, and their mapping to the engine's structs (which
// validate them). Links no GL and no window; app/cli and app/gui both build on it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>

#include "topomask/graph/build.h"
#include "topomask/grf/options.h"
#include "topomask/io/geometry.h"
#include "topomask/mask/mask_function.h"

namespace topomask::opt {

// Options shared by every subcommand, as typed by the user (validated by the to*() mappers). The
// defaults are the engine structs' own (GraphOptions, MaskSpec, GrfOptions), never restated.
struct CommonOptions {
  std::string graph = graphKindTable().name(GraphOptions{}.kind);
  int k = GraphOptions{}.k;
  double radius = GraphOptions{}.radius;  // 0 = 1.5 x mean nearest-neighbour distance
  int patch = GraphOptions{}.patch;
  std::string weights = edgeWeightsTable().name(GraphOptions{}.weights);
  std::string norm = normalisationTable().name(GraphOptions{}.normalisation);
  double sigma = GraphOptions{}.sigma;
  std::string kernel = maskPresetTable().name(MaskSpec{}.preset);
  double beta = MaskSpec{}.beta;
  int p = MaskSpec{}.p;
  std::string alpha;  // comma-separated, for --kernel custom
  std::string f;      // comma-separated, for --kernel custom (the learnable form)
  int walkers = GrfOptions{}.walkers;
  double pHalt = GrfOptions{}.pHalt;
  int maxLen = GrfOptions{}.maxLength;
  std::string sampling = samplingTable().name(GrfOptions{}.sampling);
  std::string ensembles = ensembleTable().name(GrfOptions{}.ensemble);
  std::uint64_t seed = GrfOptions{}.seed;
  int threads = GrfOptions{}.threads;
  std::string memoryLimit;  // "8G", "512M"; empty = the memory available
  bool json = false;
};

void addCommonOptions(CLI::App& sub, CommonOptions& options);
// How a front end names the engine's parameters in its errors: the command line's flags
// ("--max-len: ...") or the Python module's keywords ("max_len: ..."). The mappers below only parse
// names and word errors: the rules themselves are the engine's (validateGraphOptions, MaskFunction,
// validateGrfOptions).
enum class Wording { Flags, Keywords };
GraphOptions toGraphOptions(const CommonOptions& options, Wording wording = Wording::Flags);  // throws usage Error
MaskSpec toMaskSpec(const CommonOptions& options, Wording wording = Wording::Flags);          // throws usage Error
GrfOptions toGrfOptions(const CommonOptions& options, Wording wording = Wording::Flags);  // throws usage Error
// The engine's GRF rules (validateGrfOptions) worded as above, for options a subcommand changed after
// toGrfOptions (bench's own walker and p_halt defaults).
void checkGrfOptions(const GrfOptions& options, Wording wording = Wording::Flags);
// Every shared option at once (graph, mask, GRF): each subcommand calls it before any work, so
// that a bad value is refused even where the subcommand does not use it.
void validateCommonOptions(const CommonOptions& options, Wording wording = Wording::Flags);
// --dense-cap (and the like): at least 1, at most kMaxDenseNodes.
void checkDenseCapOption(std::int64_t cap, const std::string& option);
std::vector<double> parseNumberList(const std::string& text, const std::string& option);
std::vector<std::int64_t> parseIntegerList(const std::string& text, const std::string& option);

// --tokens FILE.npz and --head H (attention, export, render and the application): a model's own
// Q, K, V (arrays q, k, v, N x d or H x N x d; attention/tokens.h readTokenFile) instead of the
// seeded projections of node features.
struct TokenFileOption {
  std::string file;
  int head = 0;
};
void addTokenFileOptions(CLI::App& sub, TokenFileOption& tokens);
// Usage Error for a negative --head, or a --head without --tokens.
void checkTokenFileOptions(const TokenFileOption& tokens);

// A node range A:B (rows A..B-1) typed as "A:B": A and B integers, 0 <= A < B <= nodes. Throws
// usage Error naming `option`, the text and the cause.
struct NodeRange {
  std::int64_t begin = 0;
  std::int64_t end = 0;
};
NodeRange parseNodeRange(const std::string& text, std::int64_t nodes, const std::string& option);

// Loads the scene and builds the graph for a subcommand, timing both.
struct LoadedGraph {
  Scene scene;
  Graph graph;
  double loadSeconds = 0.0;
  double graphSeconds = 0.0;
};
LoadedGraph loadGraph(const std::string& path, const CommonOptions& options);

}  // namespace topomask::opt
