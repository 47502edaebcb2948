// libFuzzer harness for one loader: the input bytes become a file with the extension given at
// compile time (TOPOMASK_FUZZ_EXT), which loadScene reads and, when it loads, buildGraph turns into
// a graph. Every refusal must be a topomask::Error; anything else (a crash, a sanitizer report, an
// uncaught exception, a hang or a huge allocation) is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <type_traits>
#include <variant>

#include "fuzz_folder.h"
#include "topomask/core/error.h"
#include "topomask/graph/build.h"
#include "topomask/io/load.h"

namespace {

// The extension: fixed at compile time for a libFuzzer binary (-DTOPOMASK_FUZZ_EXT="ply"); the
// replay program (replay_main.cpp) sets TOPOMASK_FUZZ_EXT in the environment from each file's name.
std::string extension() {
#ifdef TOPOMASK_FUZZ_EXT
  return TOPOMASK_FUZZ_EXT;
#else
  const char* e = std::getenv("TOPOMASK_FUZZ_EXT");
  return e ? e : "bin";
#endif
}

const std::filesystem::path& folder() { return topomask::fuzz::scratchFolder("topomask-fuzz"); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = (folder() / ("input." + extension())).string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const topomask::Scene scene = topomask::loadScene(path);
    topomask::GraphOptions options;
    options.threads = 1;
    const std::int64_t nodes = std::visit(
        [](const auto& d) -> std::int64_t {
          using T = std::decay_t<decltype(d)>;
          if constexpr (std::is_same_v<T, topomask::Mesh>) return d.vertices.rows();
          else if constexpr (std::is_same_v<T, topomask::PointCloud>) return d.points.rows();
          else if constexpr (std::is_same_v<T, topomask::Image>) return static_cast<std::int64_t>(d.width) * d.height;
          else return d.nodes;
        },
        scene.data);
    // Bounded work per input. A graph without geometry is drawn with a stress layout that costs
    // O(N^2) per sweep for 2000 nodes or fewer (kStressNodes, engine/src/graph/layout.h): about 4 s
    // at 766 nodes in this sanitizer build, a libFuzzer time-out near 2000. Such graphs are built
    // up to 256 nodes (the layout's code is the same at any size) and again above 2000 nodes,
    // where only the O(|E|) spectral layout runs.
    const bool graph = std::holds_alternative<topomask::EdgeListGraph>(scene.data);
    const bool bounded = graph ? (nodes <= 256 || nodes > 2000) && nodes <= 20000 : nodes <= 20000;
    if (bounded) (void)topomask::buildGraph(scene, options);
  } catch (const topomask::Error&) {
    // a clear refusal: the expected outcome for most inputs
  }
  return 0;
}
