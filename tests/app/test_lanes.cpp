// Lanes (model/lanes.h): results reach the UI thread only while their job is the lane's newest;
// errors are reported the same way; lanes are independent.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "model/lanes.h"
#include "topomask/core/error.h"

namespace topomask::gui {
namespace {

// A job that waits until `release` is set (or it is cancelled), then posts `value`.
Worker::Job postAfter(Lanes& lanes, int lane, std::atomic<bool>& release, std::vector<int>& seen, int value) {
  return [&lanes, lane, &release, &seen, value](Progress& progress, std::uint64_t generation) {
    while (!release.load()) {
      progress.throwIfCancelled();
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    lanes.post(lane, generation, [&seen, value] { seen.push_back(value); });
  };
}

TEST(Lanes, OnlyTheNewestJobsResultsAreApplied) {
  std::vector<std::string> errors;
  Lanes lanes(2, [&](int lane, const std::string& m) { errors.push_back(std::to_string(lane) + ": " + m); });
  std::vector<int> seen;
  // A job that posts without looking at cancellation: its result is dropped by generation alone.
  std::atomic<bool> started{false}, release{false};
  lanes.submit(0, [&](Progress&, std::uint64_t generation) {
    started = true;
    while (!release.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    lanes.post(0, generation, [&] { seen.push_back(1); });
  });
  while (!started.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::atomic<bool> go{true};
  const std::uint64_t second = lanes.submit(0, postAfter(lanes, 0, go, seen, 2));
  release = true;
  lanes.waitIdle();
  EXPECT_EQ(lanes.generation(0), second);
  EXPECT_EQ(seen, std::vector<int>{2}) << "the superseded job's result was applied";
  EXPECT_TRUE(errors.empty());
  EXPECT_FALSE(lanes.busy());
}

TEST(Lanes, NothingIsAppliedBeforeDrainAndCancelDropsResults) {
  Lanes lanes(1, nullptr);
  std::vector<int> seen;
  std::atomic<bool> done{false};
  lanes.submit(0, [&](Progress&, std::uint64_t generation) {
    lanes.post(0, generation, [&] { seen.push_back(7); });
    done = true;
  });
  while (!done.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  EXPECT_TRUE(seen.empty()) << "results wait for the UI thread's drain";
  lanes.cancel(0);  // the user cancelled after the job posted: its result must not appear
  EXPECT_EQ(lanes.drain(), 0);
  EXPECT_TRUE(seen.empty());
}

TEST(Lanes, ErrorsAreReportedOnDrainForTheNewestJobOnlyAndLanesAreIndependent) {
  std::vector<std::string> errors;
  Lanes lanes(3, [&](int lane, const std::string& m) { errors.push_back(std::to_string(lane) + ": " + m); });
  std::vector<int> seen;
  std::atomic<bool> go{true};
  lanes.submit(1, [](Progress&, std::uint64_t) { throw Error("bad input", "file.off"); });
  lanes.submit(2, postAfter(lanes, 2, go, seen, 5));
  lanes.waitIdle();
  ASSERT_EQ(errors.size(), 1u);
  EXPECT_EQ(errors[0], "1: file.off: bad input");
  EXPECT_EQ(seen, std::vector<int>{5}) << "lane 1's failure does not touch lane 2";
  // A cancelled job's error is not reported (Cancelled is not an error; a later one is stale).
  std::atomic<bool> never{false};
  lanes.submit(0, postAfter(lanes, 0, never, seen, 9));
  lanes.cancel(0);
  lanes.waitIdle();
  EXPECT_EQ(errors.size(), 1u);
  EXPECT_EQ(seen, std::vector<int>{5});
}

// After stop() (the owner's teardown) a lane takes no job and reports nothing: no crash from a late
// frame or closure asking for a lane's state.
TEST(Lanes, AfterStopLanesTakeNoJobAndAreIdle) {
  std::vector<int> seen;
  Lanes lanes(2, nullptr);
  lanes.stop();
  std::atomic<bool> ran{false};
  EXPECT_EQ(lanes.submit(1, [&ran](Progress&, std::uint64_t) { ran = true; }), 0u);
  lanes.cancel(1);
  lanes.post(0, 1, [&seen] { seen.push_back(1); });
  EXPECT_EQ(lanes.drain(), 0);
  EXPECT_FALSE(lanes.busy());
  EXPECT_FALSE(lanes.busy(1));
  EXPECT_EQ(lanes.stage(1), "");
  EXPECT_EQ(lanes.fraction(1), 0.0);
  EXPECT_EQ(lanes.generation(1), 0u);
  lanes.waitIdle();
  EXPECT_FALSE(ran.load());
  EXPECT_TRUE(seen.empty());
}

}  // namespace
}  // namespace topomask::gui
