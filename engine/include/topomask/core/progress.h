// Progress: a thread-safe fraction-done and cancellation flag shared by a long
// engine call (which reports and polls) and the caller (which reads and cancels).
#pragma once

#include <atomic>
#include <string>
#include <mutex>

#include "topomask/core/error.h"

namespace topomask {

class Progress {
 public:
  // Fraction in [0, 1] of the current stage.
  void report(double fraction) noexcept { fraction_.store(fraction, std::memory_order_relaxed); }
  double fraction() const noexcept { return fraction_.load(std::memory_order_relaxed); }

  void setStage(std::string stage) {
    std::lock_guard<std::mutex> lock(mutex_);
    stage_ = std::move(stage);
    fraction_.store(0.0, std::memory_order_relaxed);
  }
  std::string stage() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return stage_;
  }

  void cancel() noexcept { cancelled_.store(true, std::memory_order_relaxed); }
  bool cancelled() const noexcept { return cancelled_.load(std::memory_order_relaxed); }
  // Throws topomask::Cancelled when cancel() was called. Long loops call this now and then.
  void throwIfCancelled() const {
    if (cancelled()) throw Cancelled();
  }

 private:
  std::atomic<double> fraction_{0.0};
  std::atomic<bool> cancelled_{false};
  mutable std::mutex mutex_;
  std::string stage_;
};

// Helpers for optional Progress pointers (nullptr = nobody is listening).
inline void reportProgress(Progress* p, double fraction) {
  if (p) {
    p->report(fraction);
    p->throwIfCancelled();
  }
}

}  // namespace topomask
