// loadScene: picks the reader from the file extension and guarantees one topomask::Error
// ("<path>: <place>: <cause>") for every refusal.
#include "topomask/io/load.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <new>

#include "io_internal.h"

namespace topomask {

// The format readers, each defined in its own file (load_*.cpp) and used only by the table below: a
// new format is its reader, its declaration and row here, a test and a line in the README. Each
// throws Error with place on bad input.
namespace io_detail {
Scene loadObj(const std::string& path, const LoadOptions& options);
Scene loadOff(const std::string& path, const LoadOptions& options);
Scene loadStl(const std::string& path, const LoadOptions& options);
Scene loadPly(const std::string& path, const LoadOptions& options);
Scene loadGltf(const std::string& path, const LoadOptions& options);
Scene loadXyz(const std::string& path, const std::string& ext);
Scene loadPts(const std::string& path);
Scene loadPcd(const std::string& path);
Scene loadImage(const std::string& path, const LoadOptions& options);
Scene loadEdgeList(const std::string& path);
Scene loadMatrixMarket(const std::string& path);
}  // namespace io_detail

namespace {

using namespace io_detail;
using Path = const std::string&;
using Ext = const std::string&;
using Opts = const LoadOptions&;

// In the order of the error message and of each family's list.
constexpr FileFormat kFormats[] = {
    {"obj", kMeshes, [](Path p, Ext, Opts o) { return loadObj(p, o); }},
    {"ply", kMeshes | kPoints, [](Path p, Ext, Opts o) { return loadPly(p, o); }},
    {"stl", kMeshes, [](Path p, Ext, Opts o) { return loadStl(p, o); }},
    {"off", kMeshes, [](Path p, Ext, Opts o) { return loadOff(p, o); }},
    {"gltf", kMeshes, [](Path p, Ext, Opts o) { return loadGltf(p, o); }},
    {"glb", kMeshes, [](Path p, Ext, Opts o) { return loadGltf(p, o); }},
    {"pcd", kPoints, [](Path p, Ext, Opts) { return loadPcd(p); }},
    {"xyz", kPoints, [](Path p, Ext e, Opts) { return loadXyz(p, e); }},
    {"xyzn", kPoints, [](Path p, Ext e, Opts) { return loadXyz(p, e); }},
    {"xyzrgb", kPoints, [](Path p, Ext e, Opts) { return loadXyz(p, e); }},
    {"pts", kPoints, [](Path p, Ext, Opts) { return loadPts(p); }},
    {"png", kImages, [](Path p, Ext, Opts o) { return loadImage(p, o); }},
    {"jpg", kImages, [](Path p, Ext, Opts o) { return loadImage(p, o); }},
    {"jpeg", kImages, [](Path p, Ext, Opts o) { return loadImage(p, o); }},
    {"bmp", kImages, [](Path p, Ext, Opts o) { return loadImage(p, o); }},
    {"edges", kGraphs, [](Path p, Ext, Opts) { return loadEdgeList(p); }},
    {"txt", kGraphs, [](Path p, Ext, Opts) { return loadEdgeList(p); }},
    {"el", kGraphs, [](Path p, Ext, Opts) { return loadEdgeList(p); }},
    {"mtx", kGraphs, [](Path p, Ext, Opts) { return loadMatrixMarket(p); }},
};

}  // namespace

std::span<const FileFormat> fileFormats() { return kFormats; }

const FileFormat* findFileFormat(std::string_view extension) {
  if (!extension.empty() && extension.front() == '.') extension.remove_prefix(1);
  std::string lower(extension);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const FileFormat& f : kFormats)
    if (lower == f.extension) return &f;
  return nullptr;
}

std::string fileFormatsText() {
  std::string out;
  for (const auto& [bit, name] : {std::pair{kMeshes, "meshes"}, std::pair{kPoints, "points"},
                                  std::pair{kImages, "images"}, std::pair{kGraphs, "graphs"}}) {
    out += std::string(out.empty() ? "" : "; ") + name + ":";
    for (const FileFormat& f : kFormats)
      if (f.families & bit) out += std::string(" ") + f.extension;
  }
  return out;
}

Scene loadScene(const std::string& path, const LoadOptions& options) {
  if (path.empty()) fail("(empty path)", "", "no file name given");
  {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (!fs::exists(st)) fail(path, "", "file not found");
    if (fs::is_directory(st)) fail(path, "", "is a directory, not a file");
  }
  if (!(options.weldTolerance >= 0.0) || options.weldTolerance > 0.1)
    throw usageError("weld tolerance must lie in [0, 0.1] (fraction of the bounding-box diagonal), got " +
                     std::to_string(options.weldTolerance));
  const std::string ext = extensionOf(path);
  try {
    if (const FileFormat* format = findFileFormat(ext)) return format->read(path, ext, options);
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail(path, "", "out of memory while reading");
  } catch (const std::exception& e) {
    fail(path, "", std::string("cannot read: ") + e.what());
  }
  fail(path, "",
       "unknown file type " + (ext.empty() ? std::string("(no extension)") : "'." + ext + "'") +
           " (" + fileFormatsText() + ")");
}

}  // namespace topomask
