// Worker: one background thread that runs the latest submitted job. Submitting cancels the job
// in flight (through its Progress) and replaces any job not yet started, so stale work stops
// early; each job carries a generation number that App compares before accepting its results.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "topomask/core/progress.h"

namespace topomask::gui {

class Worker {
 public:
  // job(progress, generation): runs on the worker thread; may throw (the exception goes to onError).
  using Job = std::function<void(Progress&, std::uint64_t generation)>;
  using ErrorHandler = std::function<void(const std::string& message, std::uint64_t generation)>;

  explicit Worker(ErrorHandler onError);
  ~Worker();  // cancels and joins
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  // Cancels the running job, queues this one; returns its generation.
  std::uint64_t submit(Job job);
  void cancel();
  // The generation of the newest job submitted (results of older ones are stale).
  std::uint64_t generation() const;
  bool busy() const;
  // Stage and fraction of the running job.
  std::string stage() const;
  double fraction() const;
  // Blocks until no job is queued or running (tests, offscreen rendering).
  void waitIdle();

 private:
  void loop();

  ErrorHandler onError_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  std::condition_variable idle_;
  Job pending_;
  std::uint64_t pendingGeneration_ = 0;
  std::uint64_t generation_ = 0;
  std::shared_ptr<Progress> running_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace topomask::gui
