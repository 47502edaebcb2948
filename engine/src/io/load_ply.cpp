// PLY reader (ascii, binary little and big endian), written because Open3D's (rply) refuses
// real files: free-text header lines without 'comment', and binary files that end a few
// elements early. Meshes when a face element has entries, point clouds otherwise.
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <limits>
#include <optional>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

enum class PType { I8, U8, I16, U16, I32, U32, F32, F64 };

std::optional<PType> typeFromName(std::string_view s) {
  if (s == "char" || s == "int8") return PType::I8;
  if (s == "uchar" || s == "uint8") return PType::U8;
  if (s == "short" || s == "int16") return PType::I16;
  if (s == "ushort" || s == "uint16") return PType::U16;
  if (s == "int" || s == "int32") return PType::I32;
  if (s == "uint" || s == "uint32") return PType::U32;
  if (s == "float" || s == "float32") return PType::F32;
  if (s == "double" || s == "float64") return PType::F64;
  return std::nullopt;
}

std::size_t sizeOf(PType t) {
  switch (t) {
    case PType::I8: case PType::U8: return 1;
    case PType::I16: case PType::U16: return 2;
    case PType::I32: case PType::U32: case PType::F32: return 4;
    case PType::F64: return 8;
  }
  return 1;
}

bool isInteger(PType t) { return t != PType::F32 && t != PType::F64; }

double integerMax(PType t) {
  switch (t) {
    case PType::I8: return 127.0;
    case PType::U8: return 255.0;
    case PType::I16: return 32767.0;
    case PType::U16: return 65535.0;
    case PType::I32: return 2147483647.0;
    case PType::U32: return 4294967295.0;
    default: return 1.0;
  }
}

template <typename T>
T loadAs(const char* p, bool swap) {
  unsigned char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return v;
}

double readBinary(const char* p, PType t, bool swap) {
  switch (t) {
    case PType::I8: return static_cast<std::int8_t>(*p);
    case PType::U8: return static_cast<unsigned char>(*p);
    case PType::I16: return loadAs<std::int16_t>(p, swap);
    case PType::U16: return loadAs<std::uint16_t>(p, swap);
    case PType::I32: return loadAs<std::int32_t>(p, swap);
    case PType::U32: return loadAs<std::uint32_t>(p, swap);
    case PType::F32: return loadAs<float>(p, swap);
    case PType::F64: return loadAs<double>(p, swap);
  }
  return 0.0;
}

// Role of a property in the scene we build.
enum class Role { None, X, Y, Z, NX, NY, NZ, R, G, B, FaceIndices };

struct Prop {
  std::string name;
  bool isList = false;
  PType countType = PType::U8;
  PType type = PType::F32;
  Role role = Role::None;
};

struct Element {
  std::string name;
  std::uint64_t count = 0;
  std::int64_t line = 0;
  std::vector<Prop> props;
  std::uint64_t minBinaryBytes() const {
    std::uint64_t s = 0;
    for (const Prop& p : props) s += sizeOf(p.isList ? p.countType : p.type);
    return s;
  }
  bool fixedSize() const {
    return std::none_of(props.begin(), props.end(), [](const Prop& p) { return p.isList; });
  }
};

Role vertexRole(const std::string& n) {
  if (n == "x") return Role::X;
  if (n == "y") return Role::Y;
  if (n == "z") return Role::Z;
  if (n == "nx" || n == "normal_x") return Role::NX;
  if (n == "ny" || n == "normal_y") return Role::NY;
  if (n == "nz" || n == "normal_z") return Role::NZ;
  if (n == "red" || n == "r" || n == "diffuse_red") return Role::R;
  if (n == "green" || n == "g" || n == "diffuse_green") return Role::G;
  if (n == "blue" || n == "b" || n == "diffuse_blue") return Role::B;
  return Role::None;
}

// Accumulates the values of one element instance and turns them into scene data.
struct Builder {
  const std::string& path;
  RawMesh raw;
  bool wantNormals = false, wantColors = false;
  std::uint64_t declaredVertices = 0;
  std::uint64_t droppedFaces = 0;  // referencing vertices lost to truncation
  double v[9] = {};                // x y z nx ny nz r g b of the current vertex
  std::vector<std::int64_t> face;
  std::string damageHint;  // appended to value errors when a binary file is shorter than announced

  void vertexDone(std::uint64_t index, const std::string& place) {
    for (int d = 0; d < 3; ++d)
      if (!std::isfinite(v[d]))
        fail(path, place, "vertex " + std::to_string(index) + ": coordinate " + "xyz"[d] + " is not finite" + damageHint);
    raw.positions.insert(raw.positions.end(), v, v + 3);
    if (wantNormals) raw.normals.insert(raw.normals.end(), v + 3, v + 6);
    if (wantColors) raw.colors.insert(raw.colors.end(), v + 6, v + 9);
  }
  void faceDone(std::uint64_t index, const std::string& place) {
    if (face.size() < 3)
      fail(path, place, "face " + std::to_string(index) + " has " + std::to_string(face.size()) +
                            " vertices (needs at least 3)");
    const std::int64_t have = raw.vertexCount();
    bool lost = false;
    for (std::int64_t i : face) {
      if (i < 0 || static_cast<std::uint64_t>(i) >= declaredVertices)
        fail(path, place, "face " + std::to_string(index) + ": vertex index " + std::to_string(i) + " out of range (" +
                              std::to_string(declaredVertices) + " vertices)");
      if (i >= have) lost = true;
    }
    if (lost) {
      ++droppedFaces;
      return;
    }
    for (std::size_t c = 1; c + 1 < face.size(); ++c) {
      raw.triangles.push_back(face[0]);
      raw.triangles.push_back(face[c]);
      raw.triangles.push_back(face[c + 1]);
    }
  }
};

void setValue(Builder& b, Role role, double value, PType type) {
  switch (role) {
    case Role::X: b.v[0] = value; break;
    case Role::Y: b.v[1] = value; break;
    case Role::Z: b.v[2] = value; break;
    case Role::NX: b.v[3] = value; break;
    case Role::NY: b.v[4] = value; break;
    case Role::NZ: b.v[5] = value; break;
    case Role::R: case Role::G: case Role::B: {
      double c = isInteger(type) ? value / integerMax(type) : value;
      if (!std::isfinite(c)) c = 0.0;
      b.v[6 + static_cast<int>(role) - static_cast<int>(Role::R)] = std::clamp(c, 0.0, 1.0);
      break;
    }
    default: break;
  }
}

std::string elementWhat(const Element& e) {
  if (e.name == "vertex") return "vertices";
  if (e.name == "face") return "faces";
  return "'" + e.name + "' elements";
}

}  // namespace

Scene loadPly(const std::string& path, const LoadOptions& options) {
  const std::string data = readWholeFile(path);
  std::vector<std::string> warnings;
  // ---- header
  LineScanner scan(data);
  std::string_view line;
  std::vector<std::string_view> tok;
  if (!scan.next(line) || trim(line) != "ply")
    fail(path, linePlace(1), "not a PLY file: the first line is " + quote(trim(line)) + ", expected 'ply'");
  enum class Format { None, Ascii, Little, Big } format = Format::None;
  std::vector<Element> elements;
  bool ended = false;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) break;  // binary data before end_header
    splitTokens(line, tok);
    if (tok.empty()) continue;
    const std::string_view kw = tok[0];
    if (kw == "end_header") {
      ended = true;
      break;
    }
    if (kw == "comment" || kw == "obj_info") continue;
    if (kw == "format") {
      if (tok.size() < 2) fail(path, linePlace(ln), "'format' without a value");
      if (tok[1] == "ascii") format = Format::Ascii;
      else if (tok[1] == "binary_little_endian") format = Format::Little;
      else if (tok[1] == "binary_big_endian") format = Format::Big;
      else fail(path, linePlace(ln), "unknown PLY format " + quote(tok[1]));
    } else if (kw == "element") {
      Element e;
      if (tok.size() < 3 || !parseUInt64(tok[2], e.count))
        fail(path, linePlace(ln), "expected 'element <name> <count>', found " + quote(trim(line)));
      e.name = std::string(tok[1]);
      e.line = ln;
      elements.push_back(std::move(e));
    } else if (kw == "property") {
      if (elements.empty()) fail(path, linePlace(ln), "'property' before any 'element'");
      Prop p;
      if (tok.size() >= 2 && tok[1] == "list") {
        if (tok.size() < 5) fail(path, linePlace(ln), "expected 'property list <count type> <item type> <name>'");
        const auto ct = typeFromName(tok[2]), it = typeFromName(tok[3]);
        if (!ct || !isInteger(*ct)) fail(path, linePlace(ln), "list count type " + quote(tok[2]) + " is not an integer type");
        if (!it) fail(path, linePlace(ln), "unknown property type " + quote(tok[3]));
        p.isList = true;
        p.countType = *ct;
        p.type = *it;
        p.name = std::string(tok[4]);
      } else {
        if (tok.size() < 3) fail(path, linePlace(ln), "expected 'property <type> <name>'");
        const auto t = typeFromName(tok[1]);
        if (!t) fail(path, linePlace(ln), "unknown property type " + quote(tok[1]));
        p.type = *t;
        p.name = std::string(tok[2]);
      }
      elements.back().props.push_back(std::move(p));
    } else {
      warnings.push_back("PLY header line " + std::to_string(ln) + " not understood, ignored: " + quote(trim(line)));
    }
  }
  if (!ended) fail(path, "", "PLY header has no 'end_header' line");
  if (format == Format::None) fail(path, "", "PLY header has no 'format' line");
  const std::size_t headerEnd = scan.position();

  // ---- roles
  Element* vertexEl = nullptr;
  Element* faceEl = nullptr;
  for (Element& e : elements) {
    if (e.name == "vertex" && !vertexEl) vertexEl = &e;
    if (e.name == "face" && !faceEl) faceEl = &e;
  }
  if (!vertexEl) fail(path, "", "PLY header has no 'vertex' element");
  bool has[9] = {};
  for (Prop& p : vertexEl->props) {
    if (p.isList) continue;
    p.role = vertexRole(p.name);
    if (p.role != Role::None) has[static_cast<int>(p.role) - 1] = true;
  }
  if (!has[0] || !has[1] || !has[2])
    fail(path, linePlace(vertexEl->line), "the vertex element lacks an x, y or z property");
  Builder b{path, {}, has[3] && has[4] && has[5], has[6] && has[7] && has[8], vertexEl->count, 0, {}, {}, {}};
  if (faceEl) {
    Prop* list = nullptr;
    for (Prop& p : faceEl->props)
      if (p.isList && (p.name == "vertex_indices" || p.name == "vertex_index")) list = &p;
    if (!list)
      for (Prop& p : faceEl->props)
        if (p.isList && !list) list = &p;
    if (!list) fail(path, linePlace(faceEl->line), "the face element has no vertex index list");
    if (!isInteger(list->type)) fail(path, linePlace(faceEl->line), "face vertex indices are not of an integer type");
    list->role = Role::FaceIndices;
  }

  // ---- body
  const bool ascii = format == Format::Ascii;
  const bool swap = (format == Format::Big) != (std::endian::native == std::endian::big);
  std::size_t pos = headerEnd;
  LineScanner body = scan;  // continues the line numbering after the header
  if (!ascii && std::all_of(elements.begin(), elements.end(), [](const Element& e) { return e.fixedSize(); })) {
    std::uint64_t expected = 0;
    for (const Element& e : elements)
      expected = e.count > (1ull << 40) ? UINT64_MAX : std::min<std::uint64_t>(UINT64_MAX / 2, expected + e.count * e.minBinaryBytes());
    if (expected / 2 < data.size() && expected > data.size() - headerEnd)
      b.damageHint = " (the file is " + std::to_string(expected - (data.size() - headerEnd)) +
                     " bytes shorter than its header announces; bytes are probably missing inside the data, "
                     "e.g. from a text-mode transfer, not only at the end)";
  }
  std::vector<std::uint64_t> got(elements.size(), 0);
  bool truncated = false;
  std::string endPlace;
  bool warnedExtra = false, warnedMissing = false;
  for (std::size_t ei = 0; ei < elements.size() && !truncated; ++ei) {
    const Element& e = elements[ei];
    const bool isVertex = &e == vertexEl, isFace = &e == faceEl;
    const std::uint64_t remaining = data.size() - (ascii ? body.position() : pos);
    const std::uint64_t minBytes = ascii ? std::max<std::uint64_t>(2, 2 * e.props.size()) : e.minBinaryBytes();
    const std::uint64_t reserve = checkDeclaredCount(e.count, minBytes, remaining, elementWhat(e), path,
                                                     "header " + linePlace(e.line));
    if (isVertex) {
      b.raw.positions.reserve(3 * reserve);
      if (b.wantNormals) b.raw.normals.reserve(3 * reserve);
      if (b.wantColors) b.raw.colors.reserve(3 * reserve);
    }
    if (isFace) b.raw.triangles.reserve(3 * reserve);
    for (std::uint64_t k = 0; k < e.count; ++k) {
      b.face.clear();
      if (isVertex) std::fill(b.v, b.v + 9, 0.0);
      std::string place;
      if (ascii) {
        std::string_view l;
        do {
          if (!body.next(l)) break;
          splitTokens(l, tok);
        } while (tok.empty());
        if (tok.empty()) {
          truncated = true;
          endPlace = "end of file";
          break;
        }
        place = linePlace(body.lineNumber());
        if (l.find('\0') != std::string_view::npos) fail(path, place, "binary data (NUL byte) in an ascii PLY");
        std::size_t t = 0;
        bool cut = false;
        for (std::size_t pi = 0; pi < e.props.size() && !cut; ++pi) {
          const Prop& p = e.props[pi];
          if (t >= tok.size()) {
            if (body.atEnd() && body.lastLineUnterminated()) {
              cut = true;
              break;
            }
            bool needed = false;
            for (std::size_t q = pi; q < e.props.size(); ++q) needed = needed || e.props[q].role != Role::None;
            if (needed)
              fail(path, place, e.name + " " + std::to_string(k) + ": value of property '" + p.name + "' missing (" +
                                    std::to_string(tok.size()) + " values on the line)");
            if (!warnedMissing)
              warnings.push_back("from " + place + " on, " + e.name + " lines lack property '" + p.name +
                                 "' declared in the header; ignored");
            warnedMissing = true;
            break;
          }
          if (p.isList) {
            std::int64_t n = 0;
            if (!parseInt64(tok[t], n) || n < 0)
              fail(path, place, e.name + " " + std::to_string(k) + ": list length " + quote(tok[t]) + " is not a count");
            ++t;
            if (tok.size() - t < static_cast<std::uint64_t>(n)) {
              if (body.atEnd() && body.lastLineUnterminated()) {
                cut = true;
                break;
              }
              fail(path, place, e.name + " " + std::to_string(k) + ": list '" + p.name + "' announces " +
                                    std::to_string(n) + " values, the line has " + std::to_string(tok.size() - t));
            }
            for (std::int64_t j = 0; j < n; ++j, ++t) {
              if (p.role == Role::FaceIndices) {
                std::int64_t idx = 0;
                if (!parseInt64(tok[t], idx))
                  fail(path, place, "face " + std::to_string(k) + ": " + quote(tok[t]) + " is not a vertex index");
                b.face.push_back(idx);
              }
            }
          } else {
            double value = 0.0;
            if (!parseDouble(tok[t], value))
              fail(path, place, e.name + " " + std::to_string(k) + ": " + quote(tok[t]) + " is not a number");
            if (isVertex) setValue(b, p.role, value, p.type);
            ++t;
          }
        }
        if (cut) {
          truncated = true;
          endPlace = place;
          break;
        }
        if (t < tok.size() && !warnedExtra) {
          warnings.push_back(place + ": " + std::to_string(tok.size() - t) + " values after the declared properties ignored");
          warnedExtra = true;
        }
      } else {
        const std::size_t start = pos;
        bool cut = false;
        for (const Prop& p : e.props) {
          if (p.isList) {
            const std::size_t cs = sizeOf(p.countType);
            if (data.size() - pos < cs) { cut = true; break; }
            const double nd = readBinary(data.data() + pos, p.countType, swap);
            pos += cs;
            const std::size_t is = sizeOf(p.type);
            if (nd < 0) fail(path, bytePlace(pos - cs), e.name + " " + std::to_string(k) + ": negative list length");
            if (nd > static_cast<double>((data.size() - pos) / is)) { cut = true; break; }
            const auto n = static_cast<std::size_t>(nd);
            if (p.role == Role::FaceIndices)
              for (std::size_t j = 0; j < n; ++j)
                b.face.push_back(static_cast<std::int64_t>(readBinary(data.data() + pos + j * is, p.type, swap)));
            pos += n * is;
          } else {
            const std::size_t s = sizeOf(p.type);
            if (data.size() - pos < s) { cut = true; break; }
            if (isVertex && p.role != Role::None) setValue(b, p.role, readBinary(data.data() + pos, p.type, swap), p.type);
            pos += s;
          }
        }
        if (cut) {
          truncated = true;
          endPlace = bytePlace(data.size()) + ", in " + e.name + " " + std::to_string(k);
          pos = start;
          break;
        }
        place = bytePlace(start);
      }
      if (isVertex) b.vertexDone(k, place);
      if (isFace) b.faceDone(k, place);
      ++got[ei];
    }
  }
  if (!ascii && !truncated && pos < data.size())
    warnings.push_back(std::to_string(data.size() - pos) + " bytes after the last element ignored");

  // ---- report what was read
  for (std::size_t ei = 0; ei < elements.size(); ++ei) {
    const Element& e = elements[ei];
    if (got[ei] >= e.count) continue;
    const std::string what = elementWhat(e);
    const bool matters = &e == vertexEl || &e == faceEl;
    if (matters && !(got[ei] > 0 && got[ei] * 2 >= e.count))
      fail(path, endPlace, "file ends early: " + countRead(got[ei], e.count, what));
    warnings.push_back("file ends early (" + endPlace + "): " + countRead(got[ei], e.count, what));
  }
  if (b.droppedFaces > 0)
    warnings.push_back(std::to_string(b.droppedFaces) + " faces dropped: they use vertices missing from the file");
  return finishMesh(std::move(b.raw), path, options, std::move(warnings), true);
}

}  // namespace topomask::io_detail
