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
    if (nodes <= 20000) (void)topomask::buildGraph(scene, options);  // bounded work per input
  } catch (const topomask::Error&) {
    // a clear refusal: the expected outcome for most inputs
  }
  return 0;
}
