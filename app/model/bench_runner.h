// Runs `topomask bench ... --json` as a child process (posix_spawn, stdout through a pipe), one size
// at a time so that progress can be reported and a cancel stops it within 0.1 s, and merges the
// JSON of the runs: the cost-against-N plot shows literally the numbers of `topomask bench`.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "topomask/attention/methods.h"
#include "topomask/core/progress.h"

namespace topomask::gui {

// The cost view's methods: bench's own grf_features and dense (masked softmax on the materialised
// estimate), and the registry's attention methods that are not dense.
inline std::string costViewMethods() {
  auto name = [](AttentionMethod m) { return std::string(attentionMethodName(m)); };
  return "grf_features," + name(AttentionMethod::GrfMasked) + "," + name(AttentionMethod::ExactMasked) + "," +
         name(AttentionMethod::Linear) + ",dense," + name(AttentionMethod::ToeplitzFft);
}

struct BenchRequest {
  std::string executable = "/proc/self/exe";  // the topomask binary
  std::string graph = "grid4";
  std::vector<std::int64_t> sizes{256, 1024, 4096, 16384};
  std::string methods = costViewMethods();
  std::int64_t denseMax = 4096;
  int repeat = 1;
};

// The argument list of one run (without the executable): bench --graph G --sizes N --methods M
// --dense-max D --repeat R --json.
std::vector<std::string> benchArguments(const BenchRequest& request, std::int64_t size);

// Runs every size, reports the fraction of sizes done, polls cancellation (kills the run's process
// group and throws Cancelled). Returns the merged JSON: the first run's object with "rows" holding
// every run's rows. Throws Error when a run cannot start, fails, or prints no JSON.
std::string runBench(const BenchRequest& request, Progress* progress = nullptr);

}  // namespace topomask::gui
