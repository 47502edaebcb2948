// glTF 2.0 / GLB reader: the container is checked here (GLB chunk lengths, JSON syntax,
// external buffers present and long enough) so that every refusal has a reason; the
// geometry is then read by Open3D (tinygltf) and validated (finite, indices in range).
#include <cmath>
#include <cstring>
#include <filesystem>

#include <nlohmann/json.hpp>
#include <open3d/geometry/TriangleMesh.h>
#include <open3d/io/TriangleMeshIO.h>
#include <open3d/utility/Logging.h>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

std::uint32_t u32(const std::string& d, std::size_t at) {
  std::uint32_t v;
  std::memcpy(&v, d.data() + at, 4);
  return v;
}

// Checks the JSON part: buffers present with enough bytes, accessors inside their views.
void checkGltfJson(const std::string& path, std::string_view json, std::uint64_t glbBinBytes, bool isGlb) {
  nlohmann::json doc;
  try {
    doc = nlohmann::json::parse(json.begin(), json.end());
  } catch (const nlohmann::json::parse_error& e) {
    std::string what = e.what();
    const std::size_t colon = what.find(": ", what.find("column"));  // drop "[json.exception...] ... column N: "
    fail(path, bytePlace(e.byte), "invalid glTF JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
  }
  if (!doc.is_object()) fail(path, "", "glTF JSON is not an object");
  if (!doc.contains("asset") || !doc["asset"].is_object()) fail(path, "", "glTF JSON has no 'asset' object");
  const auto& v = doc["asset"]["version"];
  const std::string version = v.is_string() ? v.get<std::string>() : v.dump();
  if (version.rfind("2", 0) != 0) fail(path, "", "glTF version " + quote(version) + " is not supported (2.x only)");
  if (!doc.contains("meshes") || !doc["meshes"].is_array() || doc["meshes"].empty()) fail(path, "", "glTF file has no meshes");
  std::vector<std::uint64_t> bufferBytes;
  if (doc.contains("buffers")) {
    if (!doc["buffers"].is_array()) fail(path, "", "glTF 'buffers' is not an array");
    for (std::size_t b = 0; b < doc["buffers"].size(); ++b) {
      const auto& buf = doc["buffers"][b];
      const std::string where = "buffers[" + std::to_string(b) + "]";
      if (!buf.is_object() || !buf.contains("byteLength") || !buf["byteLength"].is_number_unsigned())
        fail(path, where, "no valid byteLength");
      const std::uint64_t len = buf["byteLength"].get<std::uint64_t>();
      std::uint64_t have = 0;
      if (buf.contains("uri")) {
        if (!buf["uri"].is_string()) fail(path, where, "uri is not a string");
        const std::string uri = buf["uri"].get<std::string>();
        if (uri.rfind("data:", 0) == 0) {
          const std::size_t comma = uri.find(',');
          have = comma == std::string::npos ? 0 : (uri.size() - comma - 1) / 4 * 3;
          if (have + 3 < len) fail(path, where, "embedded data holds " + std::to_string(have) + " bytes, byteLength says " + std::to_string(len));
        } else {
          const std::filesystem::path file = std::filesystem::path(path).parent_path() / uri;
          std::error_code ec;
          if (!std::filesystem::is_regular_file(file, ec)) fail(path, where, "buffer file '" + uri + "' not found");
          have = std::filesystem::file_size(file, ec);
          if (have < len) fail(path, where, "buffer file '" + uri + "' has " + std::to_string(have) + " bytes, byteLength says " + std::to_string(len));
        }
      } else {
        if (!isGlb || b != 0) fail(path, where, "buffer without uri (only the first buffer of a GLB may omit it)");
        if (glbBinBytes < len) fail(path, where, "GLB binary chunk has " + std::to_string(glbBinBytes) + " bytes, byteLength says " + std::to_string(len));
      }
      bufferBytes.push_back(len);
    }
  }
  // Primitives: accessors exist; declared index maxima (when given) stay below the vertex count.
  const auto& accessors = doc.contains("accessors") && doc["accessors"].is_array() ? doc["accessors"] : nlohmann::json::array();
  auto accessor = [&](const nlohmann::json& ref, const std::string& where) -> const nlohmann::json& {
    if (!ref.is_number_unsigned() || ref.get<std::uint64_t>() >= accessors.size() || !accessors[ref.get<std::size_t>()].is_object())
      fail(path, where, "refers to accessor " + ref.dump() + ", which does not exist (" + std::to_string(accessors.size()) + " accessors)");
    return accessors[ref.get<std::size_t>()];
  };
  for (std::size_t m = 0; m < doc["meshes"].size(); ++m) {
    const auto& mesh = doc["meshes"][m];
    if (!mesh.is_object() || !mesh.contains("primitives") || !mesh["primitives"].is_array()) continue;
    for (std::size_t pi = 0; pi < mesh["primitives"].size(); ++pi) {
      const auto& prim = mesh["primitives"][pi];
      const std::string where = "meshes[" + std::to_string(m) + "].primitives[" + std::to_string(pi) + "]";
      if (!prim.is_object() || !prim.contains("attributes") || !prim["attributes"].is_object() ||
          !prim["attributes"].contains("POSITION"))
        continue;
      const auto& pos = accessor(prim["attributes"]["POSITION"], where + ".POSITION");
      if (!prim.contains("indices")) continue;
      const auto& idx = accessor(prim["indices"], where + ".indices");
      if (pos.contains("count") && pos["count"].is_number_unsigned() && idx.contains("max") && idx["max"].is_array() &&
          !idx["max"].empty() && idx["max"][0].is_number()) {
        const double maxIndex = idx["max"][0].get<double>();
        const auto count = pos["count"].get<std::uint64_t>();
        if (maxIndex >= static_cast<double>(count))
          fail(path, where, "vertex index " + idx["max"][0].dump() + " out of range (" + std::to_string(count) + " vertices)");
      }
    }
  }
}

}  // namespace

Scene loadGltf(const std::string& path, const LoadOptions& options) {
  const std::string data = readWholeFile(path);
  const bool isGlb = data.size() >= 4 && data.compare(0, 4, "glTF") == 0;
  if (isGlb) {
    if (data.size() < 20) fail(path, "", "GLB file shorter than its 20-byte header");
    const std::uint32_t total = u32(data, 8);
    if (total > data.size()) fail(path, bytePlace(8), "GLB header announces " + std::to_string(total) + " bytes, the file has " + std::to_string(data.size()));
    const std::uint32_t jsonLen = u32(data, 12);
    if (u32(data, 16) != 0x4E4F534Au) fail(path, bytePlace(16), "first GLB chunk is not JSON");
    if (jsonLen > total - 20) fail(path, bytePlace(12), "GLB JSON chunk of " + std::to_string(jsonLen) + " bytes runs past the end");
    std::uint64_t binBytes = 0;
    const std::uint64_t binAt = 20ull + jsonLen;
    if (binAt + 8 <= total) {
      binBytes = u32(data, binAt);
      if (binBytes > total - binAt - 8) fail(path, bytePlace(binAt), "GLB binary chunk runs past the end of the file");
    }
    checkGltfJson(path, std::string_view(data).substr(20, jsonLen), binBytes, true);
  } else {
    checkGltfJson(path, data, 0, false);
  }

  open3d::geometry::TriangleMesh mesh;
  const auto oldLevel = open3d::utility::GetVerbosityLevel();
  open3d::utility::SetVerbosityLevel(open3d::utility::VerbosityLevel::Error);  // Open3D prints otherwise
  bool ok = false;
  std::string why;
  try {
    open3d::io::ReadTriangleMeshOptions ro;
    ro.enable_post_processing = false;
    ok = open3d::io::ReadTriangleMesh(path, mesh, ro);
  } catch (const std::exception& e) {
    why = e.what();
  }
  open3d::utility::SetVerbosityLevel(oldLevel);
  if (!ok) fail(path, "", "glTF reader refused the file" + (why.empty() ? std::string(" (Open3D gave no reason)") : ": " + why));

  RawMesh raw;
  const std::size_t n = mesh.vertices_.size();
  raw.positions.resize(3 * n);
  for (std::size_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d) {
      const double x = mesh.vertices_[i](d);
      if (!std::isfinite(x)) fail(path, "vertex " + std::to_string(i), "coordinate is not finite");
      raw.positions[3 * i + static_cast<std::size_t>(d)] = x;
    }
  if (mesh.vertex_normals_.size() == n) {
    raw.normals.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) {
        const double x = mesh.vertex_normals_[i](d);
        raw.normals[3 * i + static_cast<std::size_t>(d)] = std::isfinite(x) ? x : 0.0;
      }
  }
  if (mesh.vertex_colors_.size() == n) {
    raw.colors.resize(3 * n);
    for (std::size_t i = 0; i < n; ++i)
      for (int d = 0; d < 3; ++d) raw.colors[3 * i + static_cast<std::size_t>(d)] = std::clamp(mesh.vertex_colors_[i](d), 0.0, 1.0);
  }
  raw.triangles.resize(3 * mesh.triangles_.size());
  for (std::size_t t = 0; t < mesh.triangles_.size(); ++t)
    for (int d = 0; d < 3; ++d) {
      const int v = mesh.triangles_[t](d);
      if (v < 0 || static_cast<std::size_t>(v) >= n)
        fail(path, "triangle " + std::to_string(t), "vertex index " + std::to_string(v) + " out of range (" + std::to_string(n) + " vertices)");
      raw.triangles[3 * t + static_cast<std::size_t>(d)] = v;
    }
  if (n == 0) fail(path, "", "glTF file has no triangle geometry (zero nodes)");
  return finishMesh(std::move(raw), path, options, {}, true);
}

}  // namespace topomask::io_detail
