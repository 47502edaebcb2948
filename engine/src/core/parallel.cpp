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

namespace {

// Runs work(w) for w = 0 .. workers - 1, w = 0 on the caller and the others on new threads; joins
// them and rethrows the first exception any of them threw.
void runWorkers(int workers, const std::function<void(int)>& work) {
  std::exception_ptr firstError;
  std::mutex errorMutex;
  auto run = [&](int w) {
    try {
      work(w);
    } catch (...) {
      std::lock_guard<std::mutex> lock(errorMutex);
      if (!firstError) firstError = std::current_exception();
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(static_cast<std::size_t>(workers - 1));
  for (int w = 1; w < workers; ++w) pool.emplace_back(run, w);
  run(0);
  for (auto& t : pool) t.join();
  if (firstError) std::rethrow_exception(firstError);
}

}  // namespace

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
  const std::int64_t chunk = (n + workers - 1) / workers;
  runWorkers(workers, [&](int w) {
    const std::int64_t lo = begin + w * chunk;
    const std::int64_t hi = std::min(end, lo + chunk);
    if (lo < hi) body(lo, hi);
  });
}

void parallelForDynamic(std::int64_t begin, std::int64_t end,
                        const std::function<void(std::int64_t, std::int64_t)>& body, int threads,
                        std::int64_t chunk) {
  const std::int64_t n = end - begin;
  if (n <= 0) return;
  chunk = std::max<std::int64_t>(chunk, 1);
  const std::int64_t chunks = (n + chunk - 1) / chunk;
  const int workers = static_cast<int>(std::min<std::int64_t>(resolveThreads(threads), chunks));
  std::atomic<std::int64_t> next{0};
  runWorkers(std::max(workers, 1), [&](int) {
    for (std::int64_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < chunks;) {
      try {
        body(begin + k * chunk, std::min(end, begin + (k + 1) * chunk));
      } catch (...) {
        next.store(chunks, std::memory_order_relaxed);  // no new chunk starts after an exception
        throw;
      }
    }
  });
}

}  // namespace topomask
