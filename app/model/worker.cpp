#include "model/worker.h"

#include "topomask/core/error.h"

namespace topomask::gui {

Worker::Worker(ErrorHandler onError) : onError_(std::move(onError)), thread_([this] { loop(); }) {}

Worker::~Worker() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
    pending_ = nullptr;
    if (running_) running_->cancel();
  }
  wake_.notify_all();
  thread_.join();
}

std::uint64_t Worker::submit(Job job) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (running_) running_->cancel();
  pending_ = std::move(job);
  pendingGeneration_ = ++generation_;
  wake_.notify_all();
  return pendingGeneration_;
}

void Worker::cancel() {
  std::lock_guard<std::mutex> lock(mutex_);
  ++generation_;
  pending_ = nullptr;
  if (running_) running_->cancel();
  idle_.notify_all();
}

std::uint64_t Worker::generation() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return generation_;
}

bool Worker::busy() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ != nullptr || pending_ != nullptr;
}

std::string Worker::stage() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ ? running_->stage() : std::string();
}

double Worker::fraction() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return running_ ? running_->fraction() : 0.0;
}

void Worker::waitIdle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return !running_ && !pending_; });
}

void Worker::loop() {
  for (;;) {
    Job job;
    std::uint64_t generation = 0;
    std::shared_ptr<Progress> progress;
    {
      std::unique_lock<std::mutex> lock(mutex_);
      wake_.wait(lock, [this] { return stop_ || pending_; });
      if (stop_) return;
      job = std::move(pending_);
      pending_ = nullptr;
      generation = pendingGeneration_;
      progress = std::make_shared<Progress>();
      running_ = progress;
    }
    try {
      job(*progress, generation);
    } catch (const Cancelled&) {
      // A newer request replaced this one, or the user cancelled: nothing to report.
    } catch (const Error& e) {
      onError_(e.what(), generation);
    } catch (const std::bad_alloc&) {
      onError_("out of memory", generation);
    } catch (const std::exception& e) {
      onError_(std::string("internal error: ") + e.what(), generation);
    }
    {
      std::lock_guard<std::mutex> lock(mutex_);
      running_.reset();
      if (!pending_) idle_.notify_all();
    }
  }
}

}  // namespace topomask::gui
