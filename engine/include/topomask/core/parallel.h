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

// Calls body(lo, hi) on the chunks [begin + k chunk, begin + (k + 1) chunk) of [begin, end), which
// the threads take one at a time as they finish the previous one: a thread slowed down by other
// load on the machine takes fewer chunks instead of holding up the others. For bodies whose result
// for an index does not depend on which call handles it (then the result does not depend on the
// threads either). Exceptions are rethrown on the caller (the first one wins; no new chunk starts
// after it).
void parallelForDynamic(std::int64_t begin, std::int64_t end,
                        const std::function<void(std::int64_t lo, std::int64_t hi)>& body, int threads,
                        std::int64_t chunk);

}  // namespace topomask
