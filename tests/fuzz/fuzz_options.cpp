// libFuzzer harness for the shared command-line options: the input is split at NUL and newline bytes
// into arguments of a subcommand with every shared option, parsed by CLI11, mapped and validated as
// every subcommand does; options that validate are then used on a 12-node cycle (mask series and GRF
// sampling), so that a bound missing from validation shows up as a crash, a hang or a huge
// allocation. Every refusal must be a CLI11 parse error or a topomask::Error.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "options/options.h"
#include "topomask/core/error.h"
#include "topomask/graph/build.h"
#include "topomask/graph/spectral.h"
#include "topomask/grf/sampler.h"

namespace {

topomask::Graph cycle() {
  topomask::EdgeListGraph eg;
  eg.nodes = 12;
  for (std::int64_t i = 0; i < 12; ++i) eg.edges.push_back({i, (i + 1) % 12, 1.0});
  topomask::Scene scene;
  scene.name = "cycle";
  scene.data = eg;
  topomask::GraphOptions o;
  o.threads = 1;
  return topomask::buildGraph(scene, o);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args;
  std::string current;
  for (std::size_t i = 0; i < size && args.size() < 64; ++i) {
    const char c = static_cast<char>(data[i]);
    if (c == '\0' || c == '\n') {
      if (!current.empty()) args.push_back(current);
      current.clear();
    } else {
      current.push_back(c);
    }
  }
  if (!current.empty()) args.push_back(current);

  CLI::App app{"fuzz"};
  topomask::opt::CommonOptions options;
  topomask::opt::addCommonOptions(app, options);
  app.allow_extras(false);
  std::vector<std::string> reversed(args.rbegin(), args.rend());  // CLI11 parses a reversed vector
  try {
    app.parse(reversed);
  } catch (const CLI::ParseError&) {
    return 0;
  }
  try {
    topomask::opt::validateCommonOptions(options);
    topomask::GraphOptions graphOptions = topomask::opt::toGraphOptions(options);
    const topomask::MaskFunction mask(topomask::opt::toMaskSpec(options));
    topomask::GrfOptions grf = topomask::opt::toGrfOptions(options);
    grf.threads = 1;
    static const topomask::Graph g = cycle();
    (void)mask.termsFor(topomask::spectralRadius(g).value * graphOptions.sigma, 1e-9, 10000);
    if (topomask::estimateGrfCost(g.nodeCount(), mask, grf).hops < 2e6) (void)topomask::sampleFeatures(g, mask, grf);
  } catch (const topomask::Error&) {
    // refused with a message: expected
  }
  return 0;
}
