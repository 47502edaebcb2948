// A scratch folder per fuzzing process, in memory-backed /dev/shm where it exists, removed at exit:
// the harnesses write each input to a file there (the loaders read files, as users' inputs are).
#pragma once

#include <unistd.h>

#include <filesystem>
#include <string>
#include <system_error>

namespace topomask::fuzz {

inline const std::filesystem::path& scratchFolder(const std::string& tag) {
  namespace fs = std::filesystem;
  struct Folder {
    fs::path path;
    explicit Folder(const std::string& name) {
      std::error_code ec;
      const fs::path base = fs::is_directory("/dev/shm", ec) ? fs::path("/dev/shm") : fs::temp_directory_path();
      path = base / (name + "-" + std::to_string(::getpid()));
      fs::create_directories(path);
    }
    ~Folder() {
      std::error_code ec;
      fs::remove_all(path, ec);
    }
  };
  static const Folder f(tag);
  return f.path;
}

}  // namespace topomask::fuzz
