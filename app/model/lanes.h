// Lanes: the window's worker threads and the inbox through which their results reach the UI
// thread. This is where generations live.
//
//   - A lane is one Worker (worker.h): it runs the newest job submitted to it; submitting cancels the
//     running job (through its Progress) and replaces a job not yet started.
//   - Every submit returns the lane's next generation. A job never changes the application's state
//     itself: it post()s closures tagged with its lane and generation (from any thread).
//   - drain() runs on the UI thread. It runs each posted closure whose generation is still its
//     lane's newest, in the order posted, and drops the others unseen: a superseded job's results
//     never mix with the newer parameters. cancel(lane) supersedes too.
//   - A job that throws reports through onError(lane, message), itself posted and generation-checked
//     like a result (Cancelled is not an error: nothing is reported).
//
// App (gui/app.h) uses lane 0 for the heavy stages, lane 1 for the query's rows and lanes 2 + k for
// the insight view InsightKind k. No GL, no ImGui: unit-tested on its own (tests/app/test_lanes.cpp).
#pragma once

#include <cassert>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "model/worker.h"

namespace topomask::gui {

class Lanes {
 public:
  // Runs on the UI thread from drain(), for a job of the lane's newest generation that threw.
  using ErrorHandler = std::function<void(int lane, const std::string& message)>;

  Lanes(int count, ErrorHandler onError);
  ~Lanes();  // stop()
  // Cancels and joins every worker (a running job may still post meanwhile; nothing is applied
  // after). The owner calls it before it destroys what the jobs' closures refer to. After it a lane
  // takes no job (submit returns 0), is idle and has no stage.
  void stop();
  Lanes(const Lanes&) = delete;
  Lanes& operator=(const Lanes&) = delete;

  int count() const { return count_; }
  // Cancels the lane's running job, queues this one; returns its generation.
  std::uint64_t submit(int lane, Worker::Job job);
  // Cancels the lane's job (running or queued); results it still posts are dropped.
  void cancel(int lane);
  // Thread-safe: queues `apply` to run on the UI thread at the next drain().
  void post(int lane, std::uint64_t generation, std::function<void()> apply);
  // Runs the posted closures of current generations (UI thread); returns how many ran.
  int drain();

  bool busy(int lane) const { return worker(lane) && worker(lane)->busy(); }
  bool busy() const;  // any lane
  std::string stage(int lane) const { return worker(lane) ? worker(lane)->stage() : std::string(); }
  double fraction(int lane) const { return worker(lane) ? worker(lane)->fraction() : 0.0; }
  std::uint64_t generation(int lane) const { return worker(lane) ? worker(lane)->generation() : 0; }
  // Blocks until no lane runs or queues a job and the inbox is drained (results applied): tests,
  // scripted screenshots. Closures that submit new work are waited for too.
  void waitIdle();

 private:
  struct Posted {
    int lane = 0;
    std::uint64_t generation = 0;
    std::function<void()> apply;
  };
  // The lane's worker; null after stop().
  Worker* worker(int lane) const {
    assert(lane >= 0 && lane < count_ && "no such lane");
    return static_cast<std::size_t>(lane) < workers_.size() ? workers_[static_cast<std::size_t>(lane)].get() : nullptr;
  }
  ErrorHandler onError_;
  int count_ = 0;
  std::vector<std::unique_ptr<Worker>> workers_;
  std::mutex inboxMutex_;
  std::vector<Posted> inbox_;
};

}  // namespace topomask::gui
