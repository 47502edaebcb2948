// Limits on what one request may cost: fixed bounds on counts that no sensible run exceeds, and a
// memory budget that predicted allocations are checked against before any work starts.
#pragma once

#include <cstdint>
#include <string>

namespace topomask {

// Fixed bounds on option values (README "Limits"). Each is far above any useful setting and low
// enough that the arithmetic on it cannot overflow.
inline constexpr int kMaxWalkLength = 4096;       // L_max: hops of one walk (f_t of heat is 0 in double long before)
inline constexpr int kMaxWalkers = 65536;         // n walkers per node
inline constexpr double kMaxWalkSteps = 6.9e10;   // total hops of one sampling (~2^36: minutes at 200 M/s)
inline constexpr int kMaxNeighbours = 1024;       // k of the kNN graph
inline constexpr int kMaxSeriesPower = 4096;      // p of the p-step kernel (p + 1 terms)
inline constexpr int kMaxHeadDimension = 1024;    // d of Q, K and V
inline constexpr int kMaxFeatureMapSize = 8192;   // m of FAVOR+ (masked attention holds N m (d + 1) numbers)
inline constexpr std::int64_t kMaxDenseNodes = 16384;  // N of dense N x N matrices (O(N^2) memory, O(N^3) eigendecomposition)
inline constexpr double kMaxEdges = 2.0e9;        // undirected edges of one graph (CSR with int32 columns)

// Bytes this process may use: the system's MemAvailable (Linux /proc/meminfo), or 4 GiB when it
// cannot be read.
std::uint64_t availableMemoryBytes();

// The memory budget of a request: `limit` when it is positive, otherwise availableMemoryBytes().
std::uint64_t memoryBudget(std::uint64_t limit);

// "1.5 GB", "320 MB", "12 KB", "17 bytes".
std::string formatBytes(double bytes);

// Parses "512M", "8G", "8GB", "1.5g", "123456" (bytes) into bytes; 0 means "no limit given".
// Throws usage Error naming `what` on anything else.
std::uint64_t parseByteSize(const std::string& text, const std::string& what);

// Throws usage Error "<what> needs about X of memory, more than the budget of Y (<budgetSource>)"
// when bytes > budget. `bytes` may be infinite or NaN (treated as too large).
void requireMemory(double bytes, const std::string& what, std::uint64_t budget);

}  // namespace topomask
