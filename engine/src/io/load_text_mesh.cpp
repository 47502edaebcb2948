// Readers for OBJ, OFF and STL (ascii and binary) meshes, written for exact error places.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

bool hasNul(std::string_view line) { return line.find('\0') != std::string_view::npos; }

// Parses tokens[first..first+3) as a finite 3-vector.
void parseVec3(const std::vector<std::string_view>& tok, std::size_t first, double* out, const std::string& path,
               std::int64_t line, const std::string& what) {
  for (int d = 0; d < 3; ++d) {
    const std::string_view t = tok[first + static_cast<std::size_t>(d)];
    if (!parseDouble(t, out[d])) fail(path, linePlace(line), what + ": " + quote(t) + " is not a number");
    if (!std::isfinite(out[d])) fail(path, linePlace(line), what + ": coordinate " + quote(t) + " is not finite");
  }
}

// Reports elements missing at the end of a file: a warning when at least half were read, else an error.
void endedEarly(std::uint64_t got, std::uint64_t declared, const std::string& what, const std::string& path,
                const std::string& place, std::vector<std::string>& warnings) {
  if (got >= declared) return;
  if (got > 0 && got * 2 >= declared) {
    warnings.push_back("file ends early (" + place + "): " + countRead(got, declared, what));
    return;
  }
  fail(path, place, "file ends early: " + countRead(got, declared, what));
}

void fan(std::vector<std::int64_t>& tri, const std::int64_t* idx, std::size_t k) {
  for (std::size_t c = 1; c + 1 < k; ++c) {
    tri.push_back(idx[0]);
    tri.push_back(idx[c]);
    tri.push_back(idx[c + 1]);
  }
}

}  // namespace

// ---------------------------------------------------------------- OBJ
Scene loadObj(const std::string& path, const LoadOptions& options) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::vector<std::string_view> tok;
  RawMesh raw;
  std::vector<double> vn;
  std::vector<double> vcolors;
  std::int64_t coloured = 0;
  std::vector<std::int64_t> triLine;                     // source line of each triangle (deferred check)
  std::vector<std::pair<std::int64_t, std::int64_t>> corners;  // (vertex, normal) references
  bool allCornersHaveNormals = true;
  std::int64_t lines = 0, points = 0;
  std::string joined;
  std::string_view line;
  std::vector<std::int64_t> idx;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (hasNul(line)) fail(path, linePlace(ln), "binary data (NUL byte) in a text file");
    line = stripComment(line);
    // Line continuation with a trailing backslash.
    if (!trim(line).empty() && trim(line).back() == '\\') {
      joined.clear();
      std::string_view cur = trim(line);
      while (!cur.empty() && cur.back() == '\\') {
        joined.append(cur.substr(0, cur.size() - 1));
        joined.push_back(' ');
        std::string_view more;
        if (!scan.next(more)) break;
        cur = trim(stripComment(more));
      }
      if (cur.empty() || cur.back() != '\\') joined.append(cur);
      line = joined;
    }
    splitTokens(line, tok);
    if (tok.empty()) continue;
    const std::string_view kw = tok[0];
    if (kw == "v") {
      if (tok.size() < 4) fail(path, linePlace(ln), "vertex needs 3 coordinates, found " + std::to_string(tok.size() - 1));
      double p[3];
      parseVec3(tok, 1, p, path, ln, "vertex " + std::to_string(raw.vertexCount() + 1));
      raw.positions.insert(raw.positions.end(), p, p + 3);
      if (tok.size() >= 7) {
        double c[3];
        parseVec3(tok, 4, c, path, ln, "vertex colour");
        for (double& x : c) x = std::clamp(x, 0.0, 1.0);
        vcolors.resize(raw.positions.size() - 3, 0.0);
        vcolors.insert(vcolors.end(), c, c + 3);
        ++coloured;
      }
    } else if (kw == "vn") {
      if (tok.size() < 4) fail(path, linePlace(ln), "normal needs 3 components, found " + std::to_string(tok.size() - 1));
      double nrm[3];
      parseVec3(tok, 1, nrm, path, ln, "normal");
      vn.insert(vn.end(), nrm, nrm + 3);
    } else if (kw == "f") {
      const std::size_t k = tok.size() - 1;
      if (k < 3) fail(path, linePlace(ln), "face with " + std::to_string(k) + " vertices (needs at least 3)");
      idx.clear();
      const std::int64_t nv = raw.vertexCount(), nn = static_cast<std::int64_t>(vn.size() / 3);
      for (std::size_t c = 1; c <= k; ++c) {
        const std::string_view t = tok[c];
        const std::size_t s1 = t.find('/');
        std::int64_t v = 0;
        if (!parseInt64(t.substr(0, s1), v)) fail(path, linePlace(ln), "face vertex " + quote(t) + " is not an index");
        if (v == 0) fail(path, linePlace(ln), "face vertex index 0 (OBJ indices start at 1)");
        const std::int64_t vi = v > 0 ? v - 1 : nv + v;
        if (vi < 0) fail(path, linePlace(ln), "face vertex index " + std::to_string(v) + " out of range (" +
                                                  std::to_string(nv) + " vertices so far)");
        idx.push_back(vi);
        std::int64_t ni = -1;
        if (s1 != std::string_view::npos) {
          const std::size_t s2 = t.find('/', s1 + 1);
          if (s2 != std::string_view::npos && s2 + 1 < t.size()) {
            std::int64_t n = 0;
            if (!parseInt64(t.substr(s2 + 1), n)) fail(path, linePlace(ln), "face normal " + quote(t) + " is not an index");
            ni = n > 0 ? n - 1 : nn + n;
            if (n == 0 || ni < 0 || ni >= nn)
              fail(path, linePlace(ln), "normal index " + std::to_string(n) + " out of range (" + std::to_string(nn) +
                                            " normals so far)");
          }
        }
        if (ni < 0) allCornersHaveNormals = false;
        corners.emplace_back(vi, ni);
      }
      fan(raw.triangles, idx.data(), idx.size());
      triLine.insert(triLine.end(), k - 2, ln);
    } else if (kw == "l") {
      ++lines;
    } else if (kw == "p") {
      ++points;
    }
  }
  const std::int64_t nv = raw.vertexCount();
  for (std::size_t t = 0; t < raw.triangles.size(); ++t)
    if (raw.triangles[t] >= nv)
      fail(path, linePlace(triLine[t / 3]), "face vertex index " + std::to_string(raw.triangles[t] + 1) +
                                                " out of range (" + std::to_string(nv) + " vertices)");
  std::vector<std::string> warnings;
  if (lines > 0) warnings.push_back(std::to_string(lines) + " line elements ('l') ignored");
  if (points > 0) warnings.push_back(std::to_string(points) + " point elements ('p') ignored");
  if (coloured == nv && nv > 0) {
    raw.colors = std::move(vcolors);
  } else if (coloured > 0) {
    warnings.push_back("vertex colours ignored: only " + std::to_string(coloured) + " of " + std::to_string(nv) +
                       " vertices have one");
  }
  if (!corners.empty() && allCornersHaveNormals) {
    raw.normals.assign(raw.positions.size(), 0.0);
    for (const auto& [v, n] : corners)
      for (int d = 0; d < 3; ++d) raw.normals[3 * v + d] += vn[3 * n + d];
  } else if (corners.empty() && static_cast<std::int64_t>(vn.size() / 3) == nv) {
    raw.normals = std::move(vn);  // point clouds written as interleaved v / vn lines
  }
  return finishMesh(std::move(raw), path, options, std::move(warnings), true);
}

// ---------------------------------------------------------------- OFF
Scene loadOff(const std::string& path, const LoadOptions& options) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::vector<std::string_view> tok;
  std::string_view line;
  auto nextTokens = [&]() -> bool {
    while (scan.next(line)) {
      if (hasNul(line)) fail(path, linePlace(scan.lineNumber()), "binary data (NUL byte) in a text file");
      splitTokens(stripComment(line), tok);
      if (!tok.empty()) return true;
    }
    return false;
  };
  if (!nextTokens()) fail(path, "", "no OFF header (only comments or blank lines)");
  std::string kw(tok[0]);
  if (kw.size() < 3 || kw.compare(kw.size() - 3, 3, "OFF") != 0)
    fail(path, linePlace(scan.lineNumber()), "not an OFF file: first word is " + quote(tok[0]) + ", expected OFF");
  const std::string prefix = kw.substr(0, kw.size() - 3);
  bool hasColor = false, hasNormal = false, hasTex = false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    if (prefix[i] == 'C') hasColor = true;
    else if (prefix[i] == 'N') hasNormal = true;
    else if (prefix.compare(i, 2, "ST") == 0) { hasTex = true; ++i; }
    else fail(path, linePlace(scan.lineNumber()), "OFF variant " + quote(kw) + " is not supported (only [ST][C][N]OFF)");
  }
  std::vector<std::string_view> counts(tok.begin() + 1, tok.end());
  if (!counts.empty() && counts[0] == "BINARY") fail(path, linePlace(scan.lineNumber()), "binary OFF is not supported");
  if (counts.empty()) {
    if (!nextTokens()) fail(path, "", "file ends before the vertex and face counts");
    counts = tok;
  }
  const std::int64_t countLine = scan.lineNumber();
  std::uint64_t nV = 0, nF = 0;
  if (counts.size() < 2 || !parseUInt64(counts[0], nV) || !parseUInt64(counts[1], nF))
    fail(path, linePlace(countLine), "expected vertex and face counts, found " + quote(trim(line)));
  const std::uint64_t remaining = text.size() - scan.position();
  const std::uint64_t reserveV = checkDeclaredCount(nV, 6, remaining, "vertices", path, linePlace(countLine));
  const std::uint64_t reserveF = checkDeclaredCount(nF, 8, remaining, "faces", path, linePlace(countLine));

  RawMesh raw;
  raw.positions.reserve(3 * reserveV);
  if (hasNormal) raw.normals.reserve(3 * reserveV);
  if (hasColor) raw.colors.reserve(3 * reserveV);
  std::vector<std::string> warnings;
  const std::size_t need = 3 + (hasNormal ? 3 : 0) + (hasColor ? 3 : 0) + (hasTex ? 2 : 0);
  std::uint64_t v = 0;
  for (; v < nV; ++v) {
    if (!nextTokens()) break;
    const std::int64_t ln = scan.lineNumber();
    if (tok.size() < need) {
      if (scan.atEnd() && scan.lastLineUnterminated()) break;  // cut inside the last line
      fail(path, linePlace(ln), "vertex " + std::to_string(v) + ": expected " + std::to_string(need) +
                                    " values, found " + std::to_string(tok.size()));
    }
    double p[3];
    parseVec3(tok, 0, p, path, ln, "vertex " + std::to_string(v));
    raw.positions.insert(raw.positions.end(), p, p + 3);
    std::size_t at = 3;
    if (hasNormal) {
      parseVec3(tok, at, p, path, ln, "vertex " + std::to_string(v) + " normal");
      raw.normals.insert(raw.normals.end(), p, p + 3);
      at += 3;
    }
    if (hasColor) {
      parseVec3(tok, at, p, path, ln, "vertex " + std::to_string(v) + " colour");
      const bool bytes = p[0] > 1.0 || p[1] > 1.0 || p[2] > 1.0;
      for (double& c : p) c = std::clamp(bytes ? c / 255.0 : c, 0.0, 1.0);
      raw.colors.insert(raw.colors.end(), p, p + 3);
    }
  }
  const std::string endPlace = linePlace(scan.lineNumber());
  if (v < nV) {
    endedEarly(v, nV, "vertices", path, endPlace, warnings);
    if (nF > 0) endedEarly(0, nF, "faces", path, endPlace, warnings);
    return finishMesh(std::move(raw), path, options, std::move(warnings), true);
  }
  raw.triangles.reserve(3 * reserveF);
  std::vector<std::int64_t> idx;
  std::uint64_t f = 0;
  for (; f < nF; ++f) {
    if (!nextTokens()) break;
    const std::int64_t ln = scan.lineNumber();
    std::uint64_t k = 0;
    if (!parseUInt64(tok[0], k)) fail(path, linePlace(ln), "face " + std::to_string(f) + ": vertex count " + quote(tok[0]) + " is not a count");
    if (k < 3) fail(path, linePlace(ln), "face " + std::to_string(f) + " has " + std::to_string(k) + " vertices (needs at least 3)");
    if (tok.size() < k + 1) {
      if (scan.atEnd() && scan.lastLineUnterminated()) break;
      fail(path, linePlace(ln), "face " + std::to_string(f) + ": announces " + std::to_string(k) + " vertices, lists " +
                                    std::to_string(tok.size() - 1));
    }
    idx.clear();
    for (std::uint64_t c = 1; c <= k; ++c) {
      std::int64_t i = 0;
      if (!parseInt64(tok[c], i)) fail(path, linePlace(ln), "face " + std::to_string(f) + ": " + quote(tok[c]) + " is not an index");
      if (i < 0 || static_cast<std::uint64_t>(i) >= nV)
        fail(path, linePlace(ln), "face " + std::to_string(f) + ": vertex index " + std::to_string(i) + " out of range (" +
                                      std::to_string(nV) + " vertices)");
      idx.push_back(i);
    }
    fan(raw.triangles, idx.data(), idx.size());
  }
  if (f < nF) endedEarly(f, nF, "faces", path, linePlace(scan.lineNumber()), warnings);
  return finishMesh(std::move(raw), path, options, std::move(warnings), true);
}

// ---------------------------------------------------------------- STL
namespace {

float readF32(const char* p) {
  float f;
  std::memcpy(&f, p, 4);  // STL is little endian; this engine targets little-endian hosts
  return f;
}

Scene loadStlBinary(const std::string& path, const std::string& data, const LoadOptions& options) {
  if (data.size() < 84)
    fail(path, "", "too short for a binary STL (" + std::to_string(data.size()) + " bytes; the header alone is 84)");
  std::uint32_t declared = 0;
  std::memcpy(&declared, data.data() + 80, 4);
  const std::uint64_t avail = (data.size() - 84) / 50;
  std::vector<std::string> warnings;
  std::uint64_t count = declared;
  if (declared == 0) fail(path, bytePlace(80), "binary STL announces 0 triangles");
  if (avail < declared) {
    endedEarly(avail, declared, "triangles", path, bytePlace(data.size()), warnings);
    count = avail;
  } else if (data.size() > 84 + 50ull * declared) {
    warnings.push_back(std::to_string(data.size() - 84 - 50ull * declared) + " bytes after the last of " +
                       std::to_string(declared) + " triangles ignored");
  }
  RawMesh raw;
  raw.positions.resize(9 * count);
  raw.triangles.resize(3 * count);
  for (std::uint64_t t = 0; t < count; ++t) {
    const char* rec = data.data() + 84 + 50 * t + 12;
    for (int k = 0; k < 9; ++k) {
      const double x = readF32(rec + 4 * k);
      if (!std::isfinite(x))
        fail(path, "triangle " + std::to_string(t) + " (" + bytePlace(84 + 50 * t + 12 + 4 * k) + ")",
             "coordinate is not finite");
      raw.positions[9 * t + k] = x;
    }
    for (int k = 0; k < 3; ++k) raw.triangles[3 * t + k] = static_cast<std::int64_t>(3 * t + k);
  }
  return finishMesh(std::move(raw), path, options, std::move(warnings), false);
}

Scene loadStlAscii(const std::string& path, std::string& text, const LoadOptions& options) {
  normaliseText(text, path);
  LineScanner scan(text);
  std::vector<std::string_view> tok;
  std::string_view line;
  RawMesh raw;
  std::vector<std::string> warnings;
  std::vector<std::int64_t> facet;
  bool inFacet = false, sawEndSolid = false;
  std::int64_t facets = 0;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (hasNul(line)) fail(path, linePlace(ln), "binary data (NUL byte) in an ascii STL");
    splitTokens(line, tok);
    if (tok.empty()) continue;
    const std::string_view kw = tok[0];
    if (kw == "solid") {
      sawEndSolid = false;
    } else if (kw == "endsolid") {
      sawEndSolid = true;
    } else if (kw == "facet") {
      if (inFacet) fail(path, linePlace(ln), "'facet' inside a facet (missing 'endfacet')");
      inFacet = true;
      facet.clear();
    } else if (kw == "outer" || kw == "endloop") {
      if (!inFacet) fail(path, linePlace(ln), quote(kw) + " outside a facet");
    } else if (kw == "vertex") {
      if (!inFacet) fail(path, linePlace(ln), "'vertex' outside a facet");
      if (tok.size() < 4) {
        if (scan.atEnd()) break;
        fail(path, linePlace(ln), "vertex needs 3 coordinates, found " + std::to_string(tok.size() - 1));
      }
      double p[3];
      parseVec3(tok, 1, p, path, ln, "vertex");
      facet.push_back(raw.vertexCount());
      raw.positions.insert(raw.positions.end(), p, p + 3);
    } else if (kw == "endfacet") {
      if (!inFacet) fail(path, linePlace(ln), "'endfacet' without 'facet'");
      if (facet.size() < 3) fail(path, linePlace(ln), "facet with " + std::to_string(facet.size()) + " vertices (needs 3)");
      fan(raw.triangles, facet.data(), facet.size());
      inFacet = false;
      ++facets;
    } else {
      fail(path, linePlace(ln), "unexpected " + quote(kw) + " (expected solid, facet, outer loop, vertex, endloop, endfacet or endsolid)");
    }
  }
  if (inFacet) {
    raw.positions.resize(3 * static_cast<std::size_t>(facet.empty() ? raw.vertexCount() : facet.front()));
    if (facets == 0) fail(path, linePlace(scan.lineNumber()), "file ends inside the first facet");
    warnings.push_back("file ends inside facet " + std::to_string(facets) + " (line " + std::to_string(scan.lineNumber()) +
                       "): " + std::to_string(facets) + " complete triangles read");
  } else if (!sawEndSolid && facets > 0) {
    warnings.push_back("no 'endsolid' at the end: the file may be truncated");
  }
  if (facets == 0) fail(path, "", "ascii STL without facets");
  return finishMesh(std::move(raw), path, options, std::move(warnings), false);
}

}  // namespace

Scene loadStl(const std::string& path, const LoadOptions& options) {
  std::string data = readWholeFile(path);
  std::size_t s = 0;
  while (s < data.size() && std::isspace(static_cast<unsigned char>(data[s]))) ++s;
  bool ascii = data.compare(s, 5, "solid") == 0;
  if (ascii && data.size() >= 84) {
    std::uint32_t declared = 0;
    std::memcpy(&declared, data.data() + 80, 4);
    if (84 + 50ull * declared == data.size()) ascii = false;  // binary whose header starts with "solid"
    // Control bytes near the start also mean binary.
    const std::size_t probe = std::min<std::size_t>(data.size(), 512);
    for (std::size_t i = 0; i < probe && ascii; ++i) {
      const auto c = static_cast<unsigned char>(data[i]);
      if (c < 9 || (c > 13 && c < 32)) ascii = false;
    }
  }
  return ascii ? loadStlAscii(path, data, options) : loadStlBinary(path, data, options);
}

}  // namespace topomask::io_detail
