// Plain-graph readers: edge lists ("i j [w]") and Matrix Market coordinate files.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <limits>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

// Node counts are bounded by the file size so that a single huge index cannot make the
// graph builder allocate gigabytes for an 8-byte file.
std::uint64_t maxNodesFor(std::size_t fileBytes) {
  return std::min<std::uint64_t>(64ull * fileBytes + (1ull << 20), static_cast<std::uint64_t>(INT32_MAX));
}

std::string baseName(const std::string& path) {
  const std::size_t s = path.find_last_of("/\\");
  return s == std::string::npos ? path : path.substr(s + 1);
}

Scene graphScene(const std::string& path, EdgeListGraph&& g, std::vector<std::string>&& warnings) {
  Scene scene;
  scene.path = path;
  scene.name = baseName(path);
  scene.data = std::move(g);
  scene.warnings = std::move(warnings);
  return scene;
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

Scene loadEdgeList(const std::string& path) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::string_view line;
  std::vector<std::string_view> tok;
  EdgeListGraph g;
  std::vector<std::string> warnings;
  std::int64_t minIdx = std::numeric_limits<std::int64_t>::max(), maxIdx = -1, maxLine = 0;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(ln), "binary data (NUL byte) in a text file");
    std::string_view s = stripComment(stripComment(line, '#'), '%');
    splitTokens(s, tok);
    if (tok.empty()) continue;
    if (tok.size() != 2 && tok.size() != 3) {
      if (scan.atEnd() && scan.lastLineUnterminated() && tok.size() == 1) {
        warnings.push_back(linePlace(ln) + " is incomplete and was skipped: the file may be truncated");
        break;
      }
      fail(path, linePlace(ln), "expected 'i j' or 'i j w', found " + std::to_string(tok.size()) + " values");
    }
    WeightedEdge e;
    if (!parseInt64(tok[0], e.i)) fail(path, linePlace(ln), "node " + quote(tok[0]) + " is not an integer index");
    if (!parseInt64(tok[1], e.j)) fail(path, linePlace(ln), "node " + quote(tok[1]) + " is not an integer index");
    if (e.i < 0 || e.j < 0) fail(path, linePlace(ln), "negative node index " + std::to_string(std::min(e.i, e.j)));
    if (tok.size() == 3) {
      if (!parseDouble(tok[2], e.w)) fail(path, linePlace(ln), "weight " + quote(tok[2]) + " is not a number");
      if (!std::isfinite(e.w)) fail(path, linePlace(ln), "weight " + quote(tok[2]) + " is not finite");
      if (e.w < 0) fail(path, linePlace(ln), "negative weight " + quote(tok[2]));
      g.weighted = true;
    }
    minIdx = std::min({minIdx, e.i, e.j});
    if (std::max(e.i, e.j) > maxIdx) {
      maxIdx = std::max(e.i, e.j);
      maxLine = ln;
    }
    g.edges.push_back(e);
  }
  if (g.edges.empty()) fail(path, "", "no edges (zero nodes)");
  if (minIdx == 1) {
    g.oneBased = true;
    for (WeightedEdge& e : g.edges) {
      --e.i;
      --e.j;
    }
    --maxIdx;
    warnings.push_back("node indices are 1-based (no index 0, smallest 1): converted to 0-based");
  }
  const auto nodes = static_cast<std::uint64_t>(maxIdx) + 1;
  if (nodes > maxNodesFor(text.size()))
    fail(path, linePlace(maxLine), "node index " + std::to_string(maxIdx + (g.oneBased ? 1 : 0)) + " implies " +
                                       std::to_string(nodes) + " nodes, more than a file of " +
                                       std::to_string(text.size()) + " bytes can describe (limit " +
                                       std::to_string(maxNodesFor(text.size())) + ")");
  g.nodes = static_cast<std::int64_t>(nodes);
  return graphScene(path, std::move(g), std::move(warnings));
}

Scene loadMatrixMarket(const std::string& path) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::string_view line;
  std::vector<std::string_view> tok;
  scan.next(line);
  splitTokens(line, tok);
  if (tok.empty() || lower(tok[0]) != "%%matrixmarket")
    fail(path, linePlace(1), "not a Matrix Market file: the first line must start with %%MatrixMarket");
  if (tok.size() < 5) fail(path, linePlace(1), "expected '%%MatrixMarket matrix coordinate <field> <symmetry>'");
  const std::string object = lower(tok[1]), format = lower(tok[2]), field = lower(tok[3]), symmetry = lower(tok[4]);
  if (object != "matrix") fail(path, linePlace(1), "object " + quote(object) + " is not supported (only 'matrix')");
  if (format != "coordinate")
    fail(path, linePlace(1), "format " + quote(format) + " is not supported (only sparse 'coordinate')");
  if (field != "real" && field != "integer" && field != "pattern")
    fail(path, linePlace(1), "field " + quote(field) + " is not supported (real, integer or pattern)");
  if (symmetry != "general" && symmetry != "symmetric")
    fail(path, linePlace(1), "symmetry " + quote(symmetry) + " is not supported (general or symmetric)");
  const bool pattern = field == "pattern";
  // Size line.
  std::uint64_t rows = 0, cols = 0, nnz = 0;
  bool haveSize = false;
  while (scan.next(line)) {
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(scan.lineNumber()), "binary data (NUL byte) in a text file");
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '%') continue;
    splitTokens(t, tok);
    if (tok.size() != 3 || !parseUInt64(tok[0], rows) || !parseUInt64(tok[1], cols) || !parseUInt64(tok[2], nnz))
      fail(path, linePlace(scan.lineNumber()), "expected 'rows columns entries', found " + quote(t));
    haveSize = true;
    break;
  }
  if (!haveSize) fail(path, "", "file ends before the size line");
  const std::int64_t sizeLine = scan.lineNumber();
  if (rows != cols)
    fail(path, linePlace(sizeLine), "matrix is " + std::to_string(rows) + " x " + std::to_string(cols) +
                                        "; an adjacency matrix must be square");
  if (rows == 0) fail(path, linePlace(sizeLine), "matrix is 0 x 0 (zero nodes)");
  if (rows > maxNodesFor(text.size()))
    fail(path, linePlace(sizeLine), "matrix of " + std::to_string(rows) + " nodes is larger than a file of " +
                                        std::to_string(text.size()) + " bytes can describe (limit " +
                                        std::to_string(maxNodesFor(text.size())) + ")");
  const std::uint64_t reserve =
      checkDeclaredCount(nnz, 4, text.size() - scan.position(), "entries", path, linePlace(sizeLine));
  EdgeListGraph g;
  g.nodes = static_cast<std::int64_t>(rows);
  g.weighted = !pattern;
  g.oneBased = true;
  g.edges.reserve(reserve);
  std::vector<std::string> warnings;
  std::uint64_t got = 0, zeros = 0, extra = 0;
  std::string endPlace = "end of file";
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(ln), "binary data (NUL byte) in a text file");
    const std::string_view t = trim(line);
    if (t.empty() || t.front() == '%') continue;
    if (got >= nnz) {
      ++extra;
      continue;
    }
    splitTokens(t, tok);
    const std::size_t need = pattern ? 2 : 3;
    if (tok.size() < need) {
      if (scan.atEnd() && scan.lastLineUnterminated()) {
        endPlace = linePlace(ln);
        break;
      }
      fail(path, linePlace(ln), "entry " + std::to_string(got) + ": expected " + std::to_string(need) + " values, found " +
                                    std::to_string(tok.size()));
    }
    std::int64_t i = 0, j = 0;
    if (!parseInt64(tok[0], i) || !parseInt64(tok[1], j))
      fail(path, linePlace(ln), "entry " + std::to_string(got) + ": row and column must be integers");
    if (i < 1 || j < 1 || static_cast<std::uint64_t>(i) > rows || static_cast<std::uint64_t>(j) > rows)
      fail(path, linePlace(ln), "entry " + std::to_string(got) + ": index (" + std::to_string(i) + ", " + std::to_string(j) +
                                    ") out of range 1.." + std::to_string(rows));
    double w = 1.0;
    if (!pattern) {
      if (!parseDouble(tok[2], w)) fail(path, linePlace(ln), "entry " + std::to_string(got) + ": " + quote(tok[2]) + " is not a number");
      if (!std::isfinite(w)) fail(path, linePlace(ln), "entry " + std::to_string(got) + ": value " + quote(tok[2]) + " is not finite");
      if (w < 0) fail(path, linePlace(ln), "entry " + std::to_string(got) + ": negative weight " + quote(tok[2]));
    }
    ++got;
    if (w == 0.0) {
      ++zeros;
      continue;
    }
    g.edges.push_back(WeightedEdge{i - 1, j - 1, w});
  }
  if (got < nnz) {
    if (got > 0 && got * 2 >= nnz) warnings.push_back("file ends early (" + endPlace + "): " + countRead(got, nnz, "entries"));
    else fail(path, endPlace, "file ends early: " + countRead(got, nnz, "entries"));
  }
  if (extra > 0) warnings.push_back(std::to_string(extra) + " lines after the announced " + std::to_string(nnz) + " entries ignored");
  if (zeros > 0) warnings.push_back(std::to_string(zeros) + " explicit zero entries skipped");
  return graphScene(path, std::move(g), std::move(warnings));
}

}  // namespace topomask::io_detail
