#include "topomask/core/output_file.h"

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "topomask/core/error.h"

namespace topomask {
namespace fs = std::filesystem;

void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& fill) {
  if (path.empty()) throw usageError("no output file name given");
  const fs::path target(path);
  std::error_code ec;
  if (fs::is_directory(target, ec)) throw Error("is a directory, not a file", path);
  const fs::path folder = target.has_parent_path() ? target.parent_path() : fs::path(".");
  if (!fs::is_directory(folder, ec)) throw Error("the folder " + folder.string() + " does not exist", path);
  std::string tempName(1, '.');  // built by appending: GCC 12 warns falsely on "." + string (-Wrestrict)
  tempName.append(target.filename().string()).append(".").append(std::to_string(::getpid())).append(".tmp");
  const fs::path temp = folder / tempName;
  auto failWith = [&](const std::string& cause) {
    fs::remove(temp, ec);
    throw Error(cause, path);
  };
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    if (!out) failWith(std::string("cannot create a file in ") + folder.string() + " (" + std::strerror(errno) + ")");
    try {
      fill(out);
    } catch (...) {
      out.close();
      fs::remove(temp, ec);
      throw;
    }
    errno = 0;
    out.flush();
    if (!out) failWith(std::string("write failed (") + (errno ? std::strerror(errno) : "disk full?") + "); nothing written");
    out.close();
    if (!out) failWith(std::string("write failed on close (") + (errno ? std::strerror(errno) : "disk full?") + "); nothing written");
  }
  fs::rename(temp, target, ec);
  if (ec) failWith("cannot replace the file (" + ec.message() + ")");
}

void writeFileAtomically(const std::string& path, std::string_view bytes) {
  writeFileAtomically(path, [&](std::ostream& out) { out.write(bytes.data(), static_cast<std::streamsize>(bytes.size())); });
}

void refuseOutputOverInput(const std::string& output, const std::vector<std::string>& inputs, const std::string& option) {
  std::error_code ec;
  if (output.empty() || !fs::exists(output, ec)) return;  // a new file cannot be an input
  for (const std::string& input : inputs) {
    if (input.empty() || !fs::exists(input, ec)) continue;
    if (fs::equivalent(output, input, ec) && !ec)
      throw usageError(option + " " + output + " is the input file " + input + "; refusing to overwrite it");
  }
}

}  // namespace topomask
