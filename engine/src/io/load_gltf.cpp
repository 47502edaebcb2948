// glTF 2.0 / GLB reader. Order of work: GLB container checks, a linear scan that bounds the
// JSON nesting depth (so that no recursive code ever sees deep input), the JSON parse, then
// validation of every buffer, buffer view and accessor range before any byte is read through
// them. Geometry comes from the default scene's node trees with their transforms applied.
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <deque>
#include <filesystem>
#include <map>
#include <optional>

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

using Json = nlohmann::json;

constexpr int kMaxJsonDepth = 64;
constexpr std::uint32_t kChunkJson = 0x4E4F534Au;  // "JSON" read little-endian
constexpr std::uint32_t kChunkBin = 0x004E4942u;   // "BIN\0"

// Vertex, index and triangle counts of the whole scene are refused above
// kFlatBudget + kBytesFactor x input bytes: a small file cannot make a huge mesh (nodes may
// instance a mesh many times, accessors without a bufferView are zeros of any count).
constexpr std::uint64_t kFlatBudget = 1u << 20;
constexpr std::uint64_t kBytesFactor = 64;
constexpr std::uint64_t kMaxElements = 2147483647u;  // mesh indices are int

std::uint32_t u32(std::string_view d, std::uint64_t at) {
  return static_cast<std::uint32_t>(static_cast<unsigned char>(d[at])) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 1])) << 8 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 2])) << 16 |
         static_cast<std::uint32_t>(static_cast<unsigned char>(d[at + 3])) << 24;
}

std::string str(std::uint64_t v) { return std::to_string(v); }
std::string indexed(const std::string& array, std::uint64_t i) { return array + "[" + str(i) + "]"; }
// "where.key", or "key" at the top level.
std::string member(const std::string& where, const std::string& key) { return where.empty() ? key : where + "." + key; }

// offset + size <= length, without overflow.
bool fitsIn(std::uint64_t offset, std::uint64_t size, std::uint64_t length) {
  return offset <= length && size <= length - offset;
}
// offset + stride x (count - 1) + elementSize <= length, without overflow (count >= 1, stride >= 1).
bool elementsFit(std::uint64_t offset, std::uint64_t stride, std::uint64_t count, std::uint64_t elementSize,
                 std::uint64_t length) {
  if (!fitsIn(offset, elementSize, length)) return false;
  return count - 1 <= (length - offset - elementSize) / stride;
}

// A JSON value for messages: scalars as written (shortened), containers by kind only.
std::string brief(const Json& v) {
  if (v.is_array()) return "an array";
  if (v.is_object()) return "an object";
  return quote(v.dump());
}

// Refuses nesting deeper than kMaxJsonDepth with one pass over the text: brackets inside
// strings (with backslash escapes) do not count. Unbalanced text is left to the parser.
void checkJsonDepth(std::string_view json, std::uint64_t fileOffset, const std::string& path) {
  int depth = 0;
  bool inString = false, escaped = false;
  for (std::size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (inString) {
      if (escaped) escaped = false;
      else if (c == '\\') escaped = true;
      else if (c == '"') inString = false;
    } else if (c == '"') {
      inString = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxJsonDepth)
        fail(path, "", "JSON nested deeper than " + std::to_string(kMaxJsonDepth) + " levels at byte " + str(fileOffset + i));
    } else if ((c == ']' || c == '}') && depth > 0) {
      --depth;
    }
  }
}

// Strict base64 (RFC 4648 standard alphabet): no whitespace, '=' only as the final padding of
// a 4-character group; an unpadded final group of 2 or 3 characters is accepted. `at` is the
// position of text inside the uri, for messages.
std::string decodeBase64(std::string_view text, std::size_t at, const std::string& path, const std::string& where) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::size_t n = text.size(), pad = 0;
  while (pad < 2 && n > 0 && text[n - 1] == '=') --n, ++pad;
  if (pad > 0 && (n + pad) % 4 != 0) fail(path, where, "base64 padding '=' at character " + str(at + n) + " does not end a 4-character group");
  if (n % 4 == 1) fail(path, where, "base64 data of " + str(n) + " characters ends inside a byte");
  std::string out;
  out.reserve(n / 4 * 3 + 2);
  std::uint32_t acc = 0;
  int bits = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const int v = value(text[i]);
    if (v < 0) fail(path, where, "invalid base64 character " + quote(text.substr(i, 1)) + " at character " + str(at + i));
    acc = (acc << 6 | static_cast<std::uint32_t>(v)) & 0xFFFFFFu;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>(acc >> bits & 0xFFu));
    }
  }
  return out;
}

// %XX escapes of a relative uri decoded; a '%' not followed by two hex digits stays as it is.
std::string percentDecode(std::string_view uri) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (std::size_t i = 0; i < uri.size(); ++i) {
    if (uri[i] == '%' && i + 2 < uri.size() && hex(uri[i + 1]) >= 0 && hex(uri[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2])));
      i += 2;
    } else {
      out.push_back(uri[i]);
    }
  }
  return out;
}

// Reads the first `length` bytes of a regular file (fewer when the file is shorter).
std::string readPrefix(const std::filesystem::path& file, std::uint64_t length) {
  std::string data;
  std::FILE* f = std::fopen(file.c_str(), "rb");
  if (!f) return data;
  data.resize(static_cast<std::size_t>(length));
  const std::size_t got = std::fread(data.data(), 1, data.size(), f);
  std::fclose(f);
  data.resize(got);
  return data;
}

struct Buffer {
  std::uint64_t length = 0;     // byteLength, checked against the bytes available
  std::string_view bytes;       // valid once loaded (external files are read on first use)
  bool loaded = false;
  std::string file;             // external file (key of Reader::files_), "" otherwise
  std::string uri;              // for messages
};

struct BufferView {
  std::size_t buffer = 0;
  std::uint64_t offset = 0, length = 0;
  std::uint64_t stride = 0;     // 0 = tightly packed
};

struct Sparse {
  std::uint64_t count = 0;
  std::size_t indicesView = 0, valuesView = 0;
  std::uint64_t indicesOffset = 0, valuesOffset = 0;
  int indexType = 0;
};

struct Accessor {
  std::optional<std::size_t> view;  // absent: zeros (then sparse may fill some elements)
  std::uint64_t offset = 0;
  int componentType = 0;
  std::uint64_t componentSize = 0;
  int rows = 1, columns = 1;        // SCALAR/VECn: rows = n, columns = 1; MATn: n x n
  std::string type;
  bool normalized = false;
  std::uint64_t count = 0;
  std::uint64_t elementSize = 0;    // bytes of one element, matrix column padding included
  std::uint64_t stride = 0;         // bytes from one element to the next inside the view
  std::optional<Sparse> sparse;
  int components() const { return rows * columns; }
  // Byte offset of component c inside an element (matrix columns start at 4-byte boundaries).
  std::uint64_t componentOffset(int c) const {
    if (columns == 1) return static_cast<std::uint64_t>(c) * componentSize;
    const std::uint64_t columnBytes = (static_cast<std::uint64_t>(rows) * componentSize + 3) / 4 * 4;
    return static_cast<std::uint64_t>(c / rows) * columnBytes + static_cast<std::uint64_t>(c % rows) * componentSize;
  }
};

// One primitive after validation; optional attributes that cannot be used are left unset
// (with a warning).
struct Primitive {
  std::string where;  // "meshes[m].primitives[p]"
  int mode = 4;
  std::optional<std::size_t> position, normal, color, indices;
};

// A mesh placed in the scene by a node (or untransformed when the file has no usable nodes).
struct Instance {
  std::size_t mesh = 0;
  std::string where;          // "nodes[n]" or "meshes[m]", for messages
  Eigen::Affine3d world = Eigen::Affine3d::Identity();
  Eigen::Matrix3d normalMatrix = Eigen::Matrix3d::Identity();  // cofactor of world, sign of det
  bool flip = false;          // det < 0: triangle winding reversed to keep orientation
};

std::uint64_t componentSizeOf(int type) {
  switch (type) {
    case 5120: case 5121: return 1;
    case 5122: case 5123: return 2;
    case 5125: case 5126: return 4;
    default: return 0;
  }
}

const char* componentName(int type) {
  switch (type) {
    case 5120: return "byte";
    case 5121: return "unsigned byte";
    case 5122: return "short";
    case 5123: return "unsigned short";
    case 5125: return "unsigned int";
    case 5126: return "float";
    default: return "unknown";
  }
}

// One component, little-endian, as a double; normalized integers map to [0, 1] or [-1, 1].
double readComponent(const unsigned char* p, int type, bool normalized) {
  switch (type) {
    case 5120: {
      const auto v = static_cast<std::int8_t>(p[0]);
      return normalized ? std::max(v / 127.0, -1.0) : v;
    }
    case 5121: return normalized ? p[0] / 255.0 : p[0];
    case 5122: {
      const auto v = static_cast<std::int16_t>(static_cast<std::uint16_t>(p[0] | p[1] << 8));
      return normalized ? std::max(v / 32767.0, -1.0) : v;
    }
    case 5123: {
      const auto v = static_cast<std::uint16_t>(p[0] | p[1] << 8);
      return normalized ? v / 65535.0 : v;
    }
    case 5125: {
      const std::uint32_t v = u32(std::string_view(reinterpret_cast<const char*>(p), 4), 0);
      return normalized ? v / 4294967295.0 : v;
    }
    default: {
      const std::uint32_t bits = u32(std::string_view(reinterpret_cast<const char*>(p), 4), 0);
      float f;
      std::memcpy(&f, &bits, 4);
      return f;
    }
  }
}

// Extensions that may be required without changing the geometry this reader returns
// (materials, textures, lights), or that it implements (mesh quantization).
bool extensionHarmless(const std::string& name) {
  for (const char* prefix : {"KHR_materials_", "KHR_texture_", "EXT_texture_"})
    if (name.rfind(prefix, 0) == 0) return true;
  return name == "KHR_mesh_quantization" || name == "KHR_lights_punctual" || name == "KHR_xmp_json_ld";
}

class Reader {
 public:
  Reader(const std::string& path, const LoadOptions& options) : path_(path), options_(options) {}

  Scene read() {
    data_ = readWholeFile(path_);
    inputBytes_ = data_.size();
    std::string_view json = data_;
    std::uint64_t jsonAt = 0;
    if (data_.size() >= 4 && data_.compare(0, 4, "glTF") == 0) splitGlb(json, jsonAt);
    checkJsonDepth(json, jsonAt, path_);
    parseJson(json, jsonAt);
    checkAssetAndExtensions();
    readBuffers();
    readBufferViews();
    readAccessors();
    readMeshes();
    const std::vector<Instance> instances = collectInstances();
    checkSceneSize(instances);
    RawMesh raw;
    for (const Instance& inst : instances)
      for (const Primitive& prim : meshes_[inst.mesh]) appendPrimitive(prim, inst, raw);
    finishAttributes(raw);
    if (raw.positions.empty()) fail(path_, "", "glTF file has no triangle geometry (zero nodes): no primitive has positions");
    return finishMesh(std::move(raw), path_, options_, std::move(warnings_), true);
  }

 private:
  // ---------------------------------------------------------------- container and JSON

  // GLB: 12-byte header (magic, version 2, total length), a JSON chunk, an optional BIN chunk
  // and possibly chunks of unknown type (skipped). Chunk data includes its own padding.
  void splitGlb(std::string_view& json, std::uint64_t& jsonAt) {
    const std::string_view d = data_;
    if (d.size() < 20) fail(path_, "", "GLB file shorter than its 20-byte header");
    if (u32(d, 4) != 2) fail(path_, bytePlace(4), "GLB container version " + str(u32(d, 4)) + " is not supported (2 only)");
    const std::uint64_t total = u32(d, 8);
    if (total > d.size()) fail(path_, bytePlace(8), "GLB header announces " + str(total) + " bytes, the file has " + str(d.size()));
    if (total < 20) fail(path_, bytePlace(8), "GLB header announces " + str(total) + " bytes, less than its 20-byte header");
    if (total < d.size()) warnings_.push_back(str(d.size() - total) + " bytes after the end of the GLB data ignored");
    std::uint64_t at = 12;
    bool first = true;
    while (at < total) {
      if (total - at < 8) fail(path_, bytePlace(at), "GLB data ends with " + str(total - at) + " stray bytes after its last chunk");
      const std::uint64_t len = u32(d, at), type = u32(d, at + 4);
      if (len > total - at - 8)
        fail(path_, bytePlace(at), "GLB chunk of " + str(len) + " bytes runs past the end of the GLB data (" + str(total) + " bytes)");
      const std::string_view body = d.substr(static_cast<std::size_t>(at + 8), static_cast<std::size_t>(len));
      if (first) {
        if (type != kChunkJson) fail(path_, bytePlace(at + 4), "first GLB chunk is not JSON");
        json = body;
        jsonAt = at + 8;
        first = false;
      } else if (type == kChunkBin) {
        if (bin_) fail(path_, bytePlace(at + 4), "second BIN chunk in the GLB file");
        bin_ = body;
      } else if (type == kChunkJson) {
        fail(path_, bytePlace(at + 4), "second JSON chunk in the GLB file");
      }
      at += 8 + len;
    }
  }

  void parseJson(std::string_view json, std::uint64_t jsonAt) {
    try {
      doc_ = Json::parse(json.begin(), json.end());
    } catch (const Json::parse_error& e) {
      std::string what = e.what();
      const std::size_t colon = what.find(": ", what.find("column"));  // drop "[json.exception...] ... column N: "
      fail(path_, bytePlace(jsonAt + (e.byte > 0 ? e.byte - 1 : 0)),
           "invalid glTF JSON: " + (colon == std::string::npos ? what : what.substr(colon + 2)));
    } catch (const Json::exception& e) {  // number overflow and the like
      fail(path_, "", std::string("invalid glTF JSON: ") + e.what());
    }
    if (!doc_.is_object()) fail(path_, "", "glTF JSON is not an object");
  }

  void checkAssetAndExtensions() {
    const auto asset = doc_.find("asset");
    if (asset == doc_.end() || !asset->is_object()) fail(path_, "", "glTF JSON has no 'asset' object");
    const auto v = asset->find("version");
    const std::string version = v == asset->end() ? "(none)" : v->is_string() ? v->get<std::string>() : brief(*v);
    if (version.rfind("2.", 0) != 0 && version != "2")
      fail(path_, "asset.version", "glTF version " + quote(version) + " is not supported (2.x only)");
    for (const char* key : {"extensionsRequired", "extensionsUsed"}) {
      const auto list = doc_.find(key);
      if (list == doc_.end()) continue;
      if (!list->is_array()) fail(path_, key, "is not an array");
      for (std::size_t i = 0; i < list->size(); ++i) {
        const Json& e = (*list)[i];
        if (!e.is_string()) fail(path_, indexed(key, i), "extension name is not a string");
        const std::string name = e.get<std::string>();
        if (name == "KHR_mesh_quantization") quantization_ = true;
        if (std::string(key) == "extensionsRequired" && !extensionHarmless(name)) {
          const bool compressed = name == "KHR_draco_mesh_compression" || name == "EXT_meshopt_compression" ||
                                  name == "KHR_meshopt_compression";
          fail(path_, indexed(key, i),
               "the file requires extension " + quote(name) + ", which this reader does not support" +
                   (compressed ? " (compressed geometry)" : ""));
        }
      }
    }
  }

  // ---------------------------------------------------------------- JSON helpers

  const Json& topArray(const char* key) {
    static const Json empty = Json::array();
    const auto it = doc_.find(key);
    if (it == doc_.end()) return empty;
    if (!it->is_array()) fail(path_, key, "is not an array");
    return *it;
  }

  const Json& objectAt(const Json& array, std::size_t i, const std::string& where) {
    if (!array[i].is_object()) fail(path_, where, "is not an object");
    return array[i];
  }

  std::optional<std::uint64_t> optUint(const Json& obj, const char* key, const std::string& where) {
    const auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    if (!it->is_number_unsigned()) fail(path_, member(where, key), "must be a non-negative integer, got " + brief(*it));
    return it->get<std::uint64_t>();
  }

  std::uint64_t reqUint(const Json& obj, const char* key, const std::string& where) {
    const auto v = optUint(obj, key, where);
    if (!v) fail(path_, where, std::string("has no '") + key + "'");
    return *v;
  }

  // An index into another top-level array ("accessors", "bufferViews", ...).
  std::optional<std::size_t> optRef(const Json& obj, const char* key, const std::string& where, std::size_t size,
                                    const char* target) {
    const auto it = obj.find(key);
    if (it == obj.end()) return std::nullopt;
    return ref(*it, member(where, key), size, target);
  }

  std::size_t ref(const Json& v, const std::string& where, std::size_t size, const char* target) {
    if (!v.is_number_unsigned() || v.get<std::uint64_t>() >= size)
      fail(path_, where, "refers to " + std::string(target) + "[" + (v.is_number() ? v.dump() : brief(v)) +
                             "], which does not exist (" + str(size) + " " + target + ")");
    return static_cast<std::size_t>(v.get<std::uint64_t>());
  }

  // n finite numbers (node transforms).
  std::vector<double> numbers(const Json& obj, const char* key, std::size_t n, const std::string& where) {
    const Json& v = *obj.find(key);  // the caller checked that it exists
    if (!v.is_array() || v.size() != n) fail(path_, member(where, key), "must be an array of " + str(n) + " numbers");
    std::vector<double> out(n);
    for (std::size_t i = 0; i < n; ++i) {
      if (!v[i].is_number()) fail(path_, member(where, key), "element " + str(i) + " is not a number");
      out[i] = v[i].get<double>();  // finite: JSON has no inf or nan
    }
    return out;
  }

  // ---------------------------------------------------------------- buffers, views, accessors

  // Every buffer: GLB BIN chunk (buffer 0 without uri), data: URI (base64, decoded now) or an
  // external file relative to the glTF file (existence and size checked now, read on first use).
  void readBuffers() {
    const Json& list = topArray("buffers");
    buffers_.resize(list.size());
    std::map<std::string, std::uint64_t> fileNeeds;  // canonical file -> longest byteLength
    for (std::size_t b = 0; b < list.size(); ++b) {
      const std::string where = indexed("buffers", b);
      const Json& obj = objectAt(list, b, where);
      Buffer& buf = buffers_[b];
      buf.length = reqUint(obj, "byteLength", where);
      const auto uriIt = obj.find("uri");
      if (uriIt == obj.end()) {
        if (!bin_ || b != 0)
          fail(path_, where, bin_ ? "buffer without uri (only the first buffer of a GLB file may omit it)"
                                  : "buffer without uri, and the file has no GLB binary chunk");
        if (bin_->size() < buf.length)
          fail(path_, where, "GLB binary chunk has " + str(bin_->size()) + " bytes, byteLength says " + str(buf.length));
        buf.bytes = bin_->substr(0, static_cast<std::size_t>(buf.length));
        buf.loaded = true;
        continue;
      }
      if (!uriIt->is_string()) fail(path_, where + ".uri", "is not a string");
      buf.uri = uriIt->get<std::string>();
      const std::string& uri = buf.uri;
      if (uri.rfind("data:", 0) == 0) {
        const std::size_t comma = uri.find(',');
        if (comma == std::string::npos) fail(path_, where + ".uri", "data: URI without ','");
        const std::string_view header = std::string_view(uri).substr(5, comma - 5);
        if (header.size() < 7 || header.substr(header.size() - 7) != ";base64")
          fail(path_, where + ".uri", "data: URI is not base64-encoded (only ';base64,' data is read)");
        owned_.push_back(decodeBase64(std::string_view(uri).substr(comma + 1), comma + 1, path_, where + ".uri"));
        if (owned_.back().size() < buf.length)
          fail(path_, where, "embedded data holds " + str(owned_.back().size()) + " bytes, byteLength says " + str(buf.length));
        buf.bytes = std::string_view(owned_.back()).substr(0, static_cast<std::size_t>(buf.length));
        buf.loaded = true;
        continue;
      }
      buf.file = resolveFile(uri, buf.length, where);
      auto [it, added] = fileNeeds.try_emplace(buf.file, buf.length);
      if (!added) it->second = std::max(it->second, buf.length);
    }
    for (const auto& [file, need] : fileNeeds) {
      fileNeed_[file] = need;
      inputBytes_ += need;
    }
  }

  // External buffer: a relative reference (no scheme, no absolute path; ".." is allowed, as in
  // exports that share a folder of buffers) naming an existing regular file long enough.
  std::string resolveFile(const std::string& uri, std::uint64_t length, const std::string& where) {
    namespace fs = std::filesystem;
    const std::size_t colon = uri.find(':');
    const std::size_t slash = uri.find('/');
    if (colon != std::string::npos && (slash == std::string::npos || colon < slash))
      fail(path_, where + ".uri", "uri " + quote(uri) + " is not a relative file reference (only relative paths and data: URIs are read)");
    const std::string name = percentDecode(uri);
    for (char c : name)
      if (static_cast<unsigned char>(c) < 32) fail(path_, where + ".uri", "uri contains a control character");
    if (name.empty() || name[0] == '/' || name[0] == '\\')
      fail(path_, where + ".uri", "uri " + quote(uri) + " is an absolute path (only relative paths are read)");
    const fs::path file = fs::path(path_).parent_path() / name;
    std::error_code ec;
    const fs::file_status st = fs::status(file, ec);
    if (!fs::exists(st)) fail(path_, where, "buffer file '" + uri + "' not found");
    if (!fs::is_regular_file(st)) fail(path_, where, "buffer file '" + uri + "' is not a regular file");
    const std::uintmax_t have = fs::file_size(file, ec);
    if (ec) fail(path_, where, "buffer file '" + uri + "': " + ec.message());
    if (have < length) fail(path_, where, "buffer file '" + uri + "' has " + str(have) + " bytes, byteLength says " + str(length));
    const fs::path canonical = fs::canonical(file, ec);
    return (ec ? file.lexically_normal() : canonical).string();
  }

  std::string_view bufferBytes(std::size_t b) {
    Buffer& buf = buffers_[b];
    if (!buf.loaded) {
      auto it = files_.find(buf.file);
      if (it == files_.end()) it = files_.emplace(buf.file, readPrefix(buf.file, fileNeed_[buf.file])).first;
      if (it->second.size() < buf.length)
        fail(path_, indexed("buffers", b), "buffer file '" + buf.uri + "': only " + str(it->second.size()) +
                                                " bytes could be read, byteLength says " + str(buf.length));
      buf.bytes = std::string_view(it->second).substr(0, static_cast<std::size_t>(buf.length));
      buf.loaded = true;
    }
    return buf.bytes;
  }

  void readBufferViews() {
    const Json& list = topArray("bufferViews");
    views_.resize(list.size());
    for (std::size_t v = 0; v < list.size(); ++v) {
      const std::string where = indexed("bufferViews", v);
      const Json& obj = objectAt(list, v, where);
      BufferView& view = views_[v];
      const auto b = optRef(obj, "buffer", where, buffers_.size(), "buffers");
      if (!b) fail(path_, where, "has no 'buffer'");
      view.buffer = *b;
      view.offset = optUint(obj, "byteOffset", where).value_or(0);
      view.length = reqUint(obj, "byteLength", where);
      const std::uint64_t bufLen = buffers_[view.buffer].length;
      if (!fitsIn(view.offset, view.length, bufLen))
        fail(path_, where, "byteOffset " + str(view.offset) + " + byteLength " + str(view.length) + " runs past the end of " +
                               indexed("buffers", view.buffer) + " (" + str(bufLen) + " bytes)");
      view.stride = optUint(obj, "byteStride", where).value_or(0);
      if (obj.contains("byteStride") && (view.stride < 4 || view.stride > 252 || view.stride % 4 != 0))
        fail(path_, where + ".byteStride", "byteStride " + str(view.stride) + " is not a multiple of 4 in [4, 252]");
    }
  }

  void readAccessors() {
    const Json& list = topArray("accessors");
    accessors_.resize(list.size());
    for (std::size_t k = 0; k < list.size(); ++k) {
      const std::string where = indexed("accessors", k);
      const Json& obj = objectAt(list, k, where);
      Accessor& a = accessors_[k];
      const std::uint64_t ct = reqUint(obj, "componentType", where);
      a.componentSize = componentSizeOf(ct < 100000 ? static_cast<int>(ct) : 0);
      if (a.componentSize == 0)
        fail(path_, where + ".componentType", "componentType " + str(ct) + " is not one of 5120, 5121, 5122, 5123, 5125, 5126");
      a.componentType = static_cast<int>(ct);
      const auto typeIt = obj.find("type");
      if (typeIt == obj.end() || !typeIt->is_string()) fail(path_, where, "has no 'type' string");
      a.type = typeIt->get<std::string>();
      if (a.type == "SCALAR") a.rows = 1;
      else if (a.type == "VEC2") a.rows = 2;
      else if (a.type == "VEC3") a.rows = 3;
      else if (a.type == "VEC4") a.rows = 4;
      else if (a.type == "MAT2") a.rows = a.columns = 2;
      else if (a.type == "MAT3") a.rows = a.columns = 3;
      else if (a.type == "MAT4") a.rows = a.columns = 4;
      else fail(path_, where + ".type", "type " + quote(a.type) + " is not SCALAR, VEC2, VEC3, VEC4, MAT2, MAT3 or MAT4");
      a.elementSize = a.componentOffset(a.components() - 1) + a.componentSize;
      if (a.columns > 1) a.elementSize = (a.elementSize + 3) / 4 * 4;
      if (const auto n = obj.find("normalized"); n != obj.end() && !n->is_boolean())
        fail(path_, where + ".normalized", "is not true or false");
      a.normalized = obj.value("normalized", false);
      a.count = reqUint(obj, "count", where);
      if (a.count == 0) fail(path_, where + ".count", "count must be at least 1");
      a.view = optRef(obj, "bufferView", where, views_.size(), "bufferViews");
      a.offset = optUint(obj, "byteOffset", where).value_or(0);
      if (a.view) {
        const BufferView& view = views_[*a.view];
        if (a.offset % a.componentSize != 0 || (view.offset + a.offset) % a.componentSize != 0)
          fail(path_, where + ".byteOffset", "byteOffset " + str(a.offset) + " (at byte " + str(view.offset + a.offset) +
                                                 " of its buffer) is not a multiple of the " + str(a.componentSize) + "-byte component size");
        a.stride = view.stride ? view.stride : a.elementSize;
        if (a.stride < a.elementSize)
          fail(path_, where, indexed("bufferViews", *a.view) + " has byteStride " + str(a.stride) + ", less than the " +
                                 str(a.elementSize) + "-byte elements");
        if (!elementsFit(a.offset, a.stride, a.count, a.elementSize, view.length))
          fail(path_, where, "byteOffset " + str(a.offset) + " + " + str(a.stride) + " x " + str(a.count - 1) + " + " +
                                 str(a.elementSize) + " bytes runs past the end of " + indexed("bufferViews", *a.view) + " (" +
                                 str(view.length) + " bytes)");
      }
      if (const auto s = obj.find("sparse"); s != obj.end()) a.sparse = readSparse(*s, a, where + ".sparse");
    }
  }

  // Sparse storage: count (<= the accessor's count) indices and values, each tightly packed
  // inside its own buffer view. The index values themselves are checked when applied.
  Sparse readSparse(const Json& obj, const Accessor& a, const std::string& where) {
    if (!obj.is_object()) fail(path_, where, "is not an object");
    Sparse s;
    s.count = reqUint(obj, "count", where);
    if (s.count == 0) fail(path_, where + ".count", "count must be at least 1");
    if (s.count > a.count) fail(path_, where + ".count", "count " + str(s.count) + " exceeds the accessor's count " + str(a.count));
    for (const char* part : {"indices", "values"}) {
      const std::string w = where + "." + part;
      const auto it = obj.find(part);
      if (it == obj.end() || !it->is_object()) fail(path_, where, std::string("has no '") + part + "' object");
      const auto v = optRef(*it, "bufferView", w, views_.size(), "bufferViews");
      if (!v) fail(path_, w, "has no 'bufferView'");
      const std::uint64_t offset = optUint(*it, "byteOffset", w).value_or(0);
      std::uint64_t size = a.elementSize, align = a.componentSize;
      if (std::string(part) == "indices") {
        const std::uint64_t ct = reqUint(*it, "componentType", w);
        if (ct != 5121 && ct != 5123 && ct != 5125)
          fail(path_, w + ".componentType", "componentType " + str(ct) + " is not an unsigned index type (5121, 5123, 5125)");
        s.indexType = static_cast<int>(ct);
        size = align = componentSizeOf(s.indexType);
        s.indicesView = *v;
        s.indicesOffset = offset;
      } else {
        s.valuesView = *v;
        s.valuesOffset = offset;
      }
      const BufferView& view = views_[*v];
      if (offset % align != 0) fail(path_, w + ".byteOffset", "byteOffset " + str(offset) + " is not a multiple of " + str(align));
      if (!elementsFit(offset, size, s.count, size, view.length))
        fail(path_, w, "byteOffset " + str(offset) + " + " + str(s.count) + " x " + str(size) + " bytes runs past the end of " +
                           indexed("bufferViews", *v) + " (" + str(view.length) + " bytes)");
    }
    return s;
  }

  // The accessor's elements as doubles, count x components (row-major). The caller has
  // bounded the count (checkSceneSize); every byte read lies inside a validated range.
  std::vector<double> decode(std::size_t k, bool normalize) {
    const Accessor& a = accessors_[k];
    const int nc = a.components();
    std::vector<double> out(static_cast<std::size_t>(a.count) * static_cast<std::size_t>(nc), 0.0);
    std::array<std::uint64_t, 16> compOffset{};
    for (int c = 0; c < nc; ++c) compOffset[static_cast<std::size_t>(c)] = a.componentOffset(c);
    auto element = [&](const unsigned char* p, double* dst) {
      for (int c = 0; c < nc; ++c) dst[c] = readComponent(p + compOffset[static_cast<std::size_t>(c)], a.componentType, normalize);
    };
    if (a.view) {
      const auto* base = reinterpret_cast<const unsigned char*>(viewBytes(*a.view).data()) + a.offset;
      for (std::uint64_t i = 0; i < a.count; ++i) element(base + i * a.stride, &out[static_cast<std::size_t>(i) * nc]);
    }
    if (a.sparse) {
      const Sparse& s = *a.sparse;
      const auto* idx = reinterpret_cast<const unsigned char*>(viewBytes(s.indicesView).data()) + s.indicesOffset;
      const auto* val = reinterpret_cast<const unsigned char*>(viewBytes(s.valuesView).data()) + s.valuesOffset;
      const std::uint64_t is = componentSizeOf(s.indexType);
      for (std::uint64_t j = 0; j < s.count; ++j) {
        const auto target = static_cast<std::uint64_t>(readComponent(idx + j * is, s.indexType, false));
        if (target >= a.count)
          fail(path_, indexed("accessors", k) + ".sparse.indices",
               "index " + str(target) + " (entry " + str(j) + ") is not below the accessor's count " + str(a.count));
        element(val + j * a.elementSize, &out[static_cast<std::size_t>(target) * nc]);
      }
    }
    return out;
  }

  std::string_view viewBytes(std::size_t v) {
    const BufferView& view = views_[v];
    return bufferBytes(view.buffer).substr(static_cast<std::size_t>(view.offset), static_cast<std::size_t>(view.length));
  }

  // ---------------------------------------------------------------- meshes and the scene

  void readMeshes() {
    const Json& list = topArray("meshes");
    if (list.empty()) fail(path_, "", "glTF file has no meshes");
    meshes_.resize(list.size());
    for (std::size_t m = 0; m < list.size(); ++m) {
      const std::string where = indexed("meshes", m);
      const Json& mesh = objectAt(list, m, where);
      const auto prims = mesh.find("primitives");
      if (prims == mesh.end() || !prims->is_array()) fail(path_, where, "has no 'primitives' array");
      for (std::size_t p = 0; p < prims->size(); ++p)
        meshes_[m].push_back(readPrimitive(objectAt(*prims, p, where + indexed(".primitives", p)), where + indexed(".primitives", p)));
    }
  }

  Primitive readPrimitive(const Json& obj, const std::string& where) {
    Primitive prim;
    prim.where = where;
    const std::uint64_t mode = optUint(obj, "mode", where).value_or(4);
    if (mode > 6) fail(path_, where + ".mode", "mode " + str(mode) + " is not a glTF primitive mode (0-6)");
    prim.mode = static_cast<int>(mode);
    const auto attrs = obj.find("attributes");
    if (attrs == obj.end() || !attrs->is_object()) fail(path_, where, "has no 'attributes' object");
    const std::string aw = where + ".attributes";
    prim.position = optRef(*attrs, "POSITION", aw, accessors_.size(), "accessors");
    if (!prim.position) {
      warnings_.push_back(where + " has no POSITION attribute and was skipped");
      return prim;
    }
    const Accessor& pos = accessors_[*prim.position];
    const bool intPosition = pos.componentType != 5126 && pos.componentType != 5125;
    if (pos.type != "VEC3" || !(pos.componentType == 5126 || (quantization_ && intPosition)))
      fail(path_, aw + ".POSITION", "POSITION must be float VEC3 (componentType 5126" +
                                        std::string(quantization_ ? ", or an integer type with KHR_mesh_quantization" : "") +
                                        "), got " + componentName(pos.componentType) + " " + pos.type);
    if (!pos.view && !pos.sparse && obj.contains("extensions") && obj["extensions"].is_object() &&
        obj["extensions"].contains("KHR_draco_mesh_compression"))
      fail(path_, where, "geometry is Draco-compressed (KHR_draco_mesh_compression), which this reader does not decode");
    // Optional attributes: unusable ones are dropped with a warning, never read.
    prim.normal = optRef(*attrs, "NORMAL", aw, accessors_.size(), "accessors");
    if (prim.normal) {
      const Accessor& n = accessors_[*prim.normal];
      const bool ok = n.type == "VEC3" && (n.componentType == 5126 ||
                                           (quantization_ && n.normalized && (n.componentType == 5120 || n.componentType == 5122)));
      if (!ok || n.count != pos.count) {
        warnings_.push_back(aw + ".NORMAL ignored: " + (ok ? "its count " + str(n.count) + " differs from POSITION's " + str(pos.count)
                                                           : "not float VEC3 (" + std::string(componentName(n.componentType)) + " " + n.type + ")"));
        prim.normal.reset();
      }
    }
    prim.color = optRef(*attrs, "COLOR_0", aw, accessors_.size(), "accessors");
    if (prim.color) {
      const Accessor& c = accessors_[*prim.color];
      const bool ok = (c.type == "VEC3" || c.type == "VEC4") &&
                      (c.componentType == 5126 || c.componentType == 5121 || c.componentType == 5123);
      if (!ok || c.count != pos.count) {
        warnings_.push_back(aw + ".COLOR_0 ignored: " + (ok ? "its count " + str(c.count) + " differs from POSITION's " + str(pos.count)
                                                            : "not float, unsigned byte or unsigned short VEC3/VEC4"));
        prim.color.reset();
      }
    }
    prim.indices = optRef(obj, "indices", where, accessors_.size(), "accessors");
    if (prim.indices) {
      const Accessor& i = accessors_[*prim.indices];
      if (i.type != "SCALAR" || (i.componentType != 5121 && i.componentType != 5123 && i.componentType != 5125))
        fail(path_, where + ".indices", "indices must be unsigned byte, short or int SCALAR, got " +
                                            std::string(componentName(i.componentType)) + " " + i.type);
    }
    const std::uint64_t m = prim.indices ? accessors_[*prim.indices].count : pos.count;
    if (prim.mode == 4 && m % 3 != 0)
      warnings_.push_back(where + ": " + str(m) + (prim.indices ? " indices" : " vertices") +
                          " do not make whole triangles, the last " + str(m % 3) + " ignored");
    return prim;
  }

  // Node transform: matrix (column-major 4x4, its affine part) or translation x rotation x scale.
  Eigen::Affine3d localTransform(const Json& node, const std::string& where) {
    Eigen::Affine3d t = Eigen::Affine3d::Identity();
    if (node.contains("matrix")) {
      const std::vector<double> m = numbers(node, "matrix", 16, where);
      for (int c = 0; c < 4; ++c)
        for (int r = 0; r < 3; ++r) t.matrix()(r, c) = m[static_cast<std::size_t>(4 * c + r)];
      return t;
    }
    if (node.contains("translation")) {
      const auto v = numbers(node, "translation", 3, where);
      t.translate(Eigen::Vector3d(v[0], v[1], v[2]));
    }
    if (node.contains("rotation")) {
      const auto q = numbers(node, "rotation", 4, where);  // x, y, z, w
      Eigen::Quaterniond quat(q[3], q[0], q[1], q[2]);
      if (!(quat.norm() > 1e-12)) fail(path_, where + ".rotation", "rotation quaternion has zero length");
      t.rotate(quat.normalized());
    }
    if (node.contains("scale")) {
      const auto s = numbers(node, "scale", 3, where);
      t.scale(Eigen::Vector3d(s[0], s[1], s[2]));
    }
    return t;
  }

  Instance makeInstance(std::size_t mesh, std::string where, const Eigen::Affine3d& world) {
    Instance inst;
    inst.mesh = mesh;
    inst.where = std::move(where);
    inst.world = world;
    // Normals transform by the inverse transpose, i.e. the cofactor matrix up to the sign of
    // the determinant; the cofactor also exists when a scale of 0 makes the matrix singular.
    const Eigen::Matrix3d l = world.linear();
    Eigen::Matrix3d cof;
    cof.col(0) = l.col(1).cross(l.col(2));
    cof.col(1) = l.col(2).cross(l.col(0));
    cof.col(2) = l.col(0).cross(l.col(1));
    const double det = l.determinant();
    inst.normalMatrix = det < 0 ? Eigen::Matrix3d(-cof) : cof;
    inst.flip = det < 0;
    return inst;
  }

  // Meshes placed by the node trees of the scene ("scene", else scenes[0], else every node
  // without a parent), with world transforms. Traversal is iterative; a node reached twice
  // (a cycle, or a node with two parents, both forbidden by the spec) is refused. When no
  // node places a mesh (minimal files have no nodes at all), every mesh is read once,
  // untransformed.
  std::vector<Instance> collectInstances() {
    const Json& nodes = topArray("nodes");
    const Json& scenes = topArray("scenes");
    std::vector<std::size_t> roots;
    std::string rootsWhere;
    std::optional<std::size_t> scene = optRef(doc_, "scene", "", scenes.size(), "scenes");
    if (!scene && !scenes.empty()) scene = 0;
    if (scene) {
      rootsWhere = indexed("scenes", *scene) + ".nodes";
      const Json& s = objectAt(scenes, *scene, indexed("scenes", *scene));
      if (const auto list = s.find("nodes"); list != s.end()) {
        if (!list->is_array()) fail(path_, rootsWhere, "is not an array");
        for (std::size_t i = 0; i < list->size(); ++i) roots.push_back(ref((*list)[i], indexed(rootsWhere, i), nodes.size(), "nodes"));
      }
    } else {
      std::vector<bool> hasParent(nodes.size(), false);
      for (std::size_t n = 0; n < nodes.size(); ++n) {
        const Json& node = objectAt(nodes, n, indexed("nodes", n));
        if (const auto ch = node.find("children"); ch != node.end() && ch->is_array())
          for (const Json& c : *ch)
            if (c.is_number_unsigned() && c.get<std::uint64_t>() < nodes.size()) hasParent[c.get<std::size_t>()] = true;
      }
      for (std::size_t n = 0; n < nodes.size(); ++n)
        if (!hasParent[n]) roots.push_back(n);
    }
    std::vector<Instance> instances;
    std::vector<bool> visited(nodes.size(), false);
    std::vector<std::pair<std::size_t, Eigen::Affine3d>> stack;
    for (auto r = roots.rbegin(); r != roots.rend(); ++r) stack.emplace_back(*r, Eigen::Affine3d::Identity());
    while (!stack.empty()) {
      const auto [n, parent] = stack.back();
      stack.pop_back();
      const std::string where = indexed("nodes", n);
      if (visited[n]) fail(path_, where, "reached twice: the node hierarchy has a cycle or a node with two parents");
      visited[n] = true;
      const Json& node = objectAt(nodes, n, where);
      const Eigen::Affine3d world = parent * localTransform(node, where);
      if (const auto m = optRef(node, "mesh", where, meshes_.size(), "meshes")) instances.push_back(makeInstance(*m, where, world));
      if (const auto ch = node.find("children"); ch != node.end()) {
        if (!ch->is_array()) fail(path_, where + ".children", "is not an array");
        for (std::size_t i = ch->size(); i-- > 0;)
          stack.emplace_back(ref((*ch)[i], indexed(where + ".children", i), nodes.size(), "nodes"), world);
      }
    }
    if (instances.empty()) {
      if (!nodes.empty()) warnings_.push_back("no node of the scene places a mesh: every mesh read once, untransformed");
      for (std::size_t m = 0; m < meshes_.size(); ++m)
        instances.push_back(makeInstance(m, indexed("meshes", m), Eigen::Affine3d::Identity()));
    }
    return instances;
  }

  // Counts vertices, indices and triangles of the whole scene before anything is decoded, and
  // refuses scenes out of proportion to the input (see kFlatBudget).
  void checkSceneSize(const std::vector<Instance>& instances) {
    std::uint64_t vertices = 0, indices = 0, triangles = 0;
    // Sums saturate just above kMaxElements (counts of accessors without a bufferView are
    // unbounded until here).
    auto add = [](std::uint64_t& sum, std::uint64_t v) { sum = std::min(sum + std::min(v, kMaxElements + 1), kMaxElements + 1); };
    for (const Instance& inst : instances)
      for (const Primitive& prim : meshes_[inst.mesh]) {
        if (!prim.position) continue;
        const std::uint64_t n = accessors_[*prim.position].count;
        const std::uint64_t m = prim.indices ? accessors_[*prim.indices].count : n;
        add(vertices, n);
        add(indices, m);
        add(triangles, prim.mode == 4 ? m / 3 : (prim.mode == 5 || prim.mode == 6) && m >= 3 ? m - 2 : 0);
      }
    const std::uint64_t budget = std::min(kMaxElements, kFlatBudget + kBytesFactor * inputBytes_);
    if (vertices + indices + triangles > budget)
      fail(path_, "", "the scene would have " + str(vertices) + " vertices, " + str(indices) + " indices and " + str(triangles) +
                          " triangles (nodes may place a mesh many times), more than the " + str(budget) +
                          " elements allowed for " + str(inputBytes_) + " bytes of input");
    rawVertices_ = vertices;
    rawTriangles_ = triangles;
  }

  void appendPrimitive(const Primitive& prim, const Instance& inst, RawMesh& raw) {
    if (!prim.position) return;
    if (raw.positions.empty()) {
      raw.positions.reserve(static_cast<std::size_t>(3 * rawVertices_));
      raw.normals.reserve(static_cast<std::size_t>(3 * rawVertices_));
      raw.colors.reserve(static_cast<std::size_t>(3 * rawVertices_));
      raw.triangles.reserve(static_cast<std::size_t>(3 * rawTriangles_));
    }
    const Accessor& pa = accessors_[*prim.position];
    const std::uint64_t n = pa.count;
    const auto base = static_cast<std::int64_t>(raw.positions.size() / 3);
    const std::vector<double> pos = decode(*prim.position, pa.normalized);
    for (std::uint64_t i = 0; i < n; ++i) {
      const Eigen::Vector3d x(pos[3 * i], pos[3 * i + 1], pos[3 * i + 2]);
      if (!x.allFinite())
        fail(path_, prim.where + ".attributes.POSITION",
             "vertex " + str(i) + " of " + indexed("accessors", *prim.position) + ": coordinate is not finite");
      const Eigen::Vector3d y = inst.world * x;
      if (!y.allFinite()) fail(path_, inst.where, "vertex " + str(i) + " of " + prim.where + ": coordinate is not finite after the node transform");
      raw.positions.insert(raw.positions.end(), {y.x(), y.y(), y.z()});
    }
    ++primitives_;
    if (prim.normal) {
      ++withNormals_;
      const std::vector<double> nor = decode(*prim.normal, accessors_[*prim.normal].normalized);
      for (std::uint64_t i = 0; i < n; ++i) {
        Eigen::Vector3d v = inst.normalMatrix * Eigen::Vector3d(nor[3 * i], nor[3 * i + 1], nor[3 * i + 2]);
        const double len = v.norm();
        v = len > 0.0 && std::isfinite(len) ? Eigen::Vector3d(v / len) : Eigen::Vector3d::Zero();
        raw.normals.insert(raw.normals.end(), {v.x(), v.y(), v.z()});
      }
    } else {
      raw.normals.insert(raw.normals.end(), static_cast<std::size_t>(3 * n), 0.0);
    }
    if (prim.color) {
      ++withColors_;
      const Accessor& ca = accessors_[*prim.color];
      const std::vector<double> col = decode(*prim.color, true);  // integer colours are normalized by definition
      const auto nc = static_cast<std::size_t>(ca.components());
      for (std::uint64_t i = 0; i < n; ++i)
        for (std::size_t d = 0; d < 3; ++d) {
          const double c = col[static_cast<std::size_t>(i) * nc + d];  // alpha (VEC4) dropped
          raw.colors.push_back(std::isfinite(c) ? std::clamp(c, 0.0, 1.0) : 0.0);
        }
    } else {
      raw.colors.insert(raw.colors.end(), static_cast<std::size_t>(3 * n), 1.0);  // glTF's neutral vertex colour
    }
    appendTriangles(prim, inst, n, base, raw);
  }

  void appendTriangles(const Primitive& prim, const Instance& inst, std::uint64_t n, std::int64_t base, RawMesh& raw) {
    std::vector<double> idx;
    std::uint64_t m = n;
    if (prim.indices) {
      idx = decode(*prim.indices, false);
      m = idx.size();
      for (std::uint64_t j = 0; j < m; ++j)
        if (idx[j] >= static_cast<double>(n))
          fail(path_, prim.where + ".indices", "vertex index " + str(static_cast<std::uint64_t>(idx[j])) + " out of range (" + str(n) +
                                                   " vertices) at element " + str(j) + " of " + indexed("accessors", *prim.indices));
    }
    auto at = [&](std::uint64_t j) { return base + static_cast<std::int64_t>(prim.indices ? static_cast<std::uint64_t>(idx[j]) : j); };
    auto emit = [&](std::uint64_t a, std::uint64_t b, std::uint64_t c) {
      if (inst.flip) std::swap(b, c);
      raw.triangles.insert(raw.triangles.end(), {at(a), at(b), at(c)});
    };
    switch (prim.mode) {
      case 4:  // TRIANGLES
        for (std::uint64_t t = 0; t + 3 <= m; t += 3) emit(t, t + 1, t + 2);
        break;
      case 5:  // TRIANGLE_STRIP: every other triangle reversed to keep the winding
        for (std::uint64_t j = 0; j + 2 < m; ++j) emit(j, j + 1 + j % 2, j + 2 - j % 2);
        break;
      case 6:  // TRIANGLE_FAN around the first vertex
        for (std::uint64_t j = 0; j + 2 < m; ++j) emit(j + 1, j + 2, 0);
        break;
      case 0:  // POINTS
        break;
      default:  // LINES, LINE_LOOP, LINE_STRIP
        ++lines_;
    }
  }

  void finishAttributes(RawMesh& raw) {
    if (lines_ > 0) warnings_.push_back(str(lines_) + " line primitive(s) read as vertices only (no triangles)");
    if (withNormals_ < primitives_) {
      if (withNormals_ > 0) warnings_.push_back("normals dropped: " + str(primitives_ - withNormals_) + " of " + str(primitives_) + " primitives have none");
      raw.normals.clear();
    }
    if (withColors_ == 0) raw.colors.clear();
  }

  const std::string& path_;
  const LoadOptions& options_;
  std::string data_;
  std::optional<std::string_view> bin_;
  Json doc_;
  bool quantization_ = false;
  std::uint64_t inputBytes_ = 0;
  std::deque<std::string> owned_;                   // decoded data: URIs (stable addresses)
  std::map<std::string, std::string> files_;        // external buffer files read so far
  std::map<std::string, std::uint64_t> fileNeed_;   // bytes to read from each external file
  std::vector<Buffer> buffers_;
  std::vector<BufferView> views_;
  std::vector<Accessor> accessors_;
  std::vector<std::vector<Primitive>> meshes_;
  std::vector<std::string> warnings_;
  std::uint64_t rawVertices_ = 0, rawTriangles_ = 0;
  std::uint64_t primitives_ = 0, withNormals_ = 0, withColors_ = 0, lines_ = 0;
};

}  // namespace

Scene loadGltf(const std::string& path, const LoadOptions& options) { return Reader(path, options).read(); }

}  // namespace topomask::io_detail
