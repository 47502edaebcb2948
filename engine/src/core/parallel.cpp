#include "topomask/core/parallel.h"

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace topomask {

int resolveThreads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : static_cast<int>(hw);
}

void parallelFor(std::int64_t begin, std::int64_t end,
                 const std::function<void(std::int64_t, std::int64_t)>& body, int threads,
                 std::int64_t grain) {
  const std::int64_t n = end - begin;
  if (n <= 0) return;
  grain = std::max<std::int64_t>(grain, 1);
  const std::int64_t maxChunks = (n + grain - 1) / grain;
  const int workers = static_cast<int>(std::min<std::int64_t>(resolveThreads(threads), maxChunks));
  if (workers <= 1) {
    body(begin, end);
    return;
  }
  std::exception_ptr firstError;
  std::mutex errorMutex;
  auto run = [&](std::int64_t lo, std::int64_t hi) {
    try {
      body(lo, hi);
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!firstError) firstError = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  const std::int64_t chunk = (n + workers - 1) / workers;
  for (int w = 1; w < workers; ++w) {
    const std::int64_t lo = begin + w * chunk;
    const std::int64_t hi = std::min(end, lo + chunk);
    if (lo < hi) pool.emplace_back(run, lo, hi);
  }
  run(begin, std::min(end, begin + chunk));
  for (auto& t : pool) t.join();
  if (firstError) std::rethrow_exception(firstError);
}

void parallelForDynamic(std::int64_t begin, std::int64_t end,
                        const std::function<void(std::int64_t, std::int64_t)>& body, int threads,
                        std::int64_t chunk) {
  const std::int64_t n = end - begin;
  if (n <= 0) return;
  chunk = std::max<std::int64_t>(chunk, 1);
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  const int workers = static_cast<int>(std::min<std::int64_t>(resolveThreads(threads), chunks));
  if (workers <= 1) {
    for (std::int64_t k = 0; k < chunks; ++k) body(begin + k * chunk, std::min(end, begin + (k + 1) * chunk));
    return;
  }
  std::atomic<std::int64_t> next{0};
  std::exception_ptr firstError;
  std::mutex errorMutex;
  auto run = [&] {
    for (;;) {
      const std::int64_t k = next.fetch_add(1, std::memory_order_relaxed);
      if (k >= chunks) return;
      try {
        body(begin + k * chunk, std::min(end, begin + (k + 1) * chunk));
      } catch (...) {
        std::lock_guard<std::mutex> lock(errorMutex);
        if (!firstError) firstError = std::current_exception();
        next.store(chunks, std::memory_order_relaxed);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(run);
  run();
  for (auto& t : pool) t.join();
  if (firstError) std::rethrow_exception(firstError);
}

}  // namespace topomask
