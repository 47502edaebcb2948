// loadScene: picks the reader from the file extension and guarantees one topomask::Error
// ("<path>: <place>: <cause>") for every refusal.
#include "topomask/io/load.h"

#include <filesystem>
#include <new>

#include "io_internal.h"

namespace topomask {

Scene loadScene(const std::string& path, const LoadOptions& options) {
  using namespace io_detail;
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
    if (ext == "obj") return loadObj(path, options);
    if (ext == "ply") return loadPly(path, options);
    if (ext == "stl") return loadStl(path, options);
    if (ext == "off") return loadOff(path, options);
    if (ext == "gltf" || ext == "glb") return loadGltf(path, options);
    if (ext == "pcd") return loadPcd(path);
    if (ext == "xyz" || ext == "xyzn" || ext == "xyzrgb") return loadXyz(path, ext);
    if (ext == "pts") return loadPts(path);
    if (ext == "png" || ext == "jpg" || ext == "jpeg" || ext == "bmp") return loadImage(path, options);
    if (ext == "edges" || ext == "txt" || ext == "el") return loadEdgeList(path);
    if (ext == "mtx") return loadMatrixMarket(path);
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    fail(path, "", "out of memory while reading");
  } catch (const std::exception& e) {
    fail(path, "", std::string("cannot read: ") + e.what());
  }
  fail(path, "",
       "unknown file type " + (ext.empty() ? std::string("(no extension)") : "'." + ext + "'") +
           " (meshes: obj ply stl off gltf glb; points: ply pcd xyz xyzn xyzrgb pts; images: png jpg jpeg bmp;"
           " graphs: edges txt el mtx)");
}

}  // namespace topomask
