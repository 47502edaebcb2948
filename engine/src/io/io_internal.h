// Internal helpers shared by the format readers: whole-file buffers, line scanning,
// fast number parsing, error places, and the common mesh finishing step (weld, validate).
#pragma once

#include <array>
#include <charconv>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "topomask/core/error.h"
#include "topomask/io/geometry.h"
#include "topomask/io/load.h"

namespace topomask::io_detail {

// Throws Error whose what() is "<path>: <place>: <cause>" (or "<path>: <cause>" when place is empty).
[[noreturn]] void fail(const std::string& path, const std::string& place, const std::string& cause);
std::string linePlace(std::int64_t line);   // "line N"
std::string bytePlace(std::uint64_t byte);  // "byte N"

// Reads the whole file (regular files only). Throws on a missing file, a directory, an
// unreadable or empty file. Memory: the file size.
std::string readWholeFile(const std::string& path);

// Text files only: strips a UTF-8 byte-order mark and converts UTF-16 (with BOM) to 8-bit text;
// throws if UTF-16 text holds characters outside Latin-1. Binary NUL bytes in text are refused
// by the parsers themselves.
void normaliseText(std::string& text, const std::string& path);

// Iterates over lines of a memory buffer ("\n", "\r\n" or "\r" endings), counting from 1.
class LineScanner {
 public:
  explicit LineScanner(std::string_view text, std::size_t offset = 0) : text_(text), pos_(offset) {}
  // Next line without its ending; false at the end of the buffer.
  bool next(std::string_view& line);
  std::int64_t lineNumber() const { return line_; }
  std::size_t position() const { return pos_; }
  bool atEnd() const { return pos_ >= text_.size(); }
  // True when the last line returned had no line ending (the file stops inside it).
  bool lastLineUnterminated() const { return unterminated_; }

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  std::int64_t line_ = 0;
  bool unterminated_ = false;
};

// Splits on blanks (space, tab, \v, \f) into out (cleared first).
void splitTokens(std::string_view line, std::vector<std::string_view>& out);
// Strips blanks at both ends.
std::string_view trim(std::string_view s);
// Text after '#' (or the given marker) removed.
std::string_view stripComment(std::string_view line, char marker = '#');

// Parse whole token; accepts a leading '+'. No locale, no allocation.
bool parseDouble(std::string_view tok, double& value);
bool parseInt64(std::string_view tok, std::int64_t& value);
bool parseUInt64(std::string_view tok, std::uint64_t& value);

// Quote a token for messages, shortened to at most 40 characters, non-printable bytes as '?'.
std::string quote(std::string_view tok);
// Lower-case file extension without the dot ("" when none).
std::string extensionOf(const std::string& path);

// Integer cell of a 3-D grid (or bit pattern of a position) and its hash: the key of the hash
// grids that weld vertices (mesh_finish.cpp) and group points into voxels (geometry.cpp).
struct CellKey {
  std::int64_t x, y, z;
  bool operator==(const CellKey&) const = default;
};
struct CellHash {
  std::size_t operator()(const CellKey& k) const noexcept {
    std::uint64_t h = static_cast<std::uint64_t>(k.x) * 0x9E3779B97F4A7C15ull;
    h ^= static_cast<std::uint64_t>(k.y) * 0xC2B2AE3D27D4EB4Full + (h << 6) + (h >> 2);
    h ^= static_cast<std::uint64_t>(k.z) * 0x165667B19E3779F9ull + (h << 6) + (h >> 2);
    return static_cast<std::size_t>(h ^ (h >> 29));
  }
};

// A mesh as read: positions (3 per vertex), triangles (3 indices per triangle, already
// triangulated by fan and checked to be in range), optional per-vertex normals/colours
// (3 per vertex, or empty).
struct RawMesh {
  std::vector<double> positions;
  std::vector<std::int64_t> triangles;
  std::vector<double> normals;
  std::vector<double> colors;
  std::int64_t vertexCount() const { return static_cast<std::int64_t>(positions.size() / 3); }
};

// Welds coincident vertices (exact, or within tolerance x bbox diagonal), drops degenerate
// triangles (with a warning), and returns a Mesh scene, or a PointCloud scene when there are
// no triangles and allowPointCloud is set. Throws on zero vertices. Positions must be finite.
// Cost: O(N + F) expected (hash grid).
Scene finishMesh(RawMesh&& raw, const std::string& path, const LoadOptions& options,
                 std::vector<std::string> warnings, bool allowPointCloud);

// Point cloud scene from flat arrays (checks N > 0).
Scene finishPoints(std::vector<double>&& positions, std::vector<double>&& normals,
                   std::vector<double>&& colors, const std::string& path,
                   std::vector<std::string> warnings);

// "12 of 15 vertices read" style helper.
std::string countRead(std::uint64_t got, std::uint64_t declared, const std::string& what);

// Largest element count allowed when a header announces `declared` elements of at least
// `minBytes` bytes each and `remaining` bytes are left: returns how many to reserve. Throws
// "<what>: header announces N, more than the R remaining bytes can hold" when fewer than half fit.
std::uint64_t checkDeclaredCount(std::uint64_t declared, std::uint64_t minBytes, std::uint64_t remaining,
                                 const std::string& what, const std::string& path,
                                 const std::string& place);

}  // namespace topomask::io_detail
