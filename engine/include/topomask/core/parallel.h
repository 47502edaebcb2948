// parallelFor: static partition of an index range over std::threads.
// Results of well-formed callers never depend on the thread count: each index is
// processed by exactly one body call, and randomness comes from per-index streams.
#pragma once

#include <cstdint>
#include <functional>

namespace topomask {

// Number of worker threads for a request: `requested` if > 0, else all hardware cores.
int resolveThreads(int requested);

// Calls body(lo, hi) on disjoint chunks covering [begin, end). Chunks are at least
// `grain` long; with one thread (or a small range) everything runs on the caller.
// Exceptions thrown by body are rethrown on the caller (the first one wins).
void parallelFor(std::int64_t begin, std::int64_t end,
                 const std::function<void(std::int64_t lo, std::int64_t hi)>& body,
                 int threads = 0, std::int64_t grain = 1024);

}  // namespace topomask
