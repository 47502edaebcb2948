// libFuzzer harness for the .npz reader (core/npz.h readNpz, through attention/tokens.h): the input
// bytes become a file that is read as a token file (headers, then q, k, v of head 0 for a graph of
// as many nodes as the file says) and as a whole archive. Every refusal must be a topomask::Error;
// anything else (a crash, a sanitizer report, an uncaught exception, a hang or a huge allocation)
// is a finding.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "topomask/attention/tokens.h"
#include "fuzz_folder.h"
#include "topomask/core/error.h"
#include "topomask/core/npz.h"

namespace {

const std::filesystem::path& folder() { return topomask::fuzz::scratchFolder("topomask-fuzz-npz"); }

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string path = (folder() / "input.npz").string();
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    const topomask::TokenFileInfo info = topomask::inspectTokenFile(path);
    (void)topomask::readTokenFile(path, 0, info.nodes);
  } catch (const topomask::Error&) {
    // refused with a message: expected
  }
  try {
    (void)topomask::readNpz(path);
  } catch (const topomask::Error&) {
  }
  return 0;
}
