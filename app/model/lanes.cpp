#include "model/lanes.h"

namespace topomask::gui {

Lanes::Lanes(int count, ErrorHandler onError) : onError_(std::move(onError)), count_(count) {
  for (int lane = 0; lane < count; ++lane)
    workers_.push_back(std::make_unique<Worker>([this, lane](const std::string& message, std::uint64_t generation) {
      post(lane, generation, [this, lane, message] {
        if (onError_) onError_(lane, message);
      });
    }));
}

Lanes::~Lanes() { stop(); }

void Lanes::stop() {
  for (auto& w : workers_) w->cancel();
  workers_.clear();  // joins each (a job in flight sees the cancel at its next check)
  std::lock_guard<std::mutex> lock(inboxMutex_);
  inbox_.clear();
}

std::uint64_t Lanes::submit(int lane, Worker::Job job) { return worker(lane) ? worker(lane)->submit(std::move(job)) : 0; }

void Lanes::cancel(int lane) {
  if (Worker* w = worker(lane)) w->cancel();
}

void Lanes::post(int lane, std::uint64_t generation, std::function<void()> apply) {
  std::lock_guard<std::mutex> lock(inboxMutex_);
  inbox_.push_back({lane, generation, std::move(apply)});
}

int Lanes::drain() {
  std::vector<Posted> posted;
  {
    std::lock_guard<std::mutex> lock(inboxMutex_);
    posted.swap(inbox_);
  }
  int ran = 0;
  for (Posted& p : posted) {
    if (workers_.empty()) break;  // stopped
    if (p.generation != generation(p.lane)) continue;  // a newer request (or a cancel) made it stale
    p.apply();
    ++ran;
  }
  return ran;
}

bool Lanes::busy() const {
  for (const auto& w : workers_)
    if (w->busy()) return true;
  return false;
}

void Lanes::waitIdle() {
  for (int i = 0; i < 100000; ++i) {
    for (auto& w : workers_) w->waitIdle();
    drain();
    if (!busy()) {
      std::lock_guard<std::mutex> lock(inboxMutex_);
      if (inbox_.empty()) return;
    }
  }
}

}  // namespace topomask::gui
