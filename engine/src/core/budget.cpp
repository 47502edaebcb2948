#include "topomask/core/budget.h"

#include <cctype>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "topomask/core/error.h"

namespace topomask {

std::uint64_t availableMemoryBytes() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  std::uint64_t value = 0;
  std::string unit;
  while (in >> key >> value) {
    std::getline(in, unit);
    if (key == "MemAvailable:") return value * 1024;  // the kernel reports kB
  }
  return 4ull << 30;
}

std::uint64_t memoryBudget(std::uint64_t limit) { return limit > 0 ? limit : availableMemoryBytes(); }

std::string formatBytes(double bytes) {
  char text[64];
  if (!std::isfinite(bytes) || bytes >= 1e18) return "more than an exabyte";
  if (bytes >= 1e9) std::snprintf(text, sizeof text, "%.1f GB", bytes / 1e9);
  else if (bytes >= 1e6) std::snprintf(text, sizeof text, "%.0f MB", bytes / 1e6);
  else if (bytes >= 1e3) std::snprintf(text, sizeof text, "%.0f KB", bytes / 1e3);
  else std::snprintf(text, sizeof text, "%.0f bytes", bytes);
  return text;
}

std::uint64_t parseByteSize(const std::string& text, const std::string& what) {
  std::size_t used = 0;
  double value = 0.0;
  try {
    value = std::stod(text, &used);
  } catch (...) {
    used = 0;
  }
  std::string unit = text.substr(used);
  for (char& c : unit) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  double scale = 0.0;
  if (unit.empty() || unit == "b") scale = 1.0;
  else if (unit == "k" || unit == "kb") scale = 1e3;
  else if (unit == "m" || unit == "mb") scale = 1e6;
  else if (unit == "g" || unit == "gb") scale = 1e9;
  else if (unit == "t" || unit == "tb") scale = 1e12;
  const double bytes = value * scale;
  if (used == 0 || scale == 0.0 || !std::isfinite(bytes) || bytes < 0.0 || bytes > 1e18)
    throw usageError(what + ": '" + text + "' is not a size (examples: 512M, 8G)");
  return static_cast<std::uint64_t>(bytes);
}

void requireMemory(double bytes, const std::string& what, std::uint64_t budget) {
  if (bytes <= static_cast<double>(budget)) return;  // NaN compares false: refused below
  throw usageError(what + " needs about " + formatBytes(bytes) + " of memory, more than the budget of " +
                   formatBytes(static_cast<double>(budget)) + " (the memory available, or the memory limit)");
}

}  // namespace topomask
