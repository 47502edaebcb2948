// Point-cloud readers: XYZ / XYZN / XYZRGB, PTS and PCD (ascii, binary, binary_compressed).
#include <algorithm>
#include <cmath>
#include <cstring>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

// Blanks, commas and semicolons separate values in the column formats.
void splitColumns(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  auto sep = [](char c) { return c == ' ' || c == '\t' || c == ',' || c == ';' || c == '\v' || c == '\f'; };
  while (i < n) {
    while (i < n && sep(line[i])) ++i;
    if (i >= n) break;
    const std::size_t s = i;
    while (i < n && !sep(line[i])) ++i;
    out.push_back(line.substr(s, i - s));
  }
}

void endedEarlyPts(std::uint64_t got, std::uint64_t declared, const std::string& path, const std::string& place,
                   std::vector<std::string>& warnings) {
  if (got >= declared) return;
  if (got > 0 && got * 2 >= declared) {
    warnings.push_back("file ends early (" + place + "): " + countRead(got, declared, "points"));
    return;
  }
  fail(path, place, "file ends early: " + countRead(got, declared, "points"));
}

}  // namespace

// ---------------------------------------------------------------- XYZ family
Scene loadXyz(const std::string& path, const std::string& ext) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::string_view line;
  std::vector<std::string_view> tok;
  std::vector<double> pos, extra;  // extra: columns 4..6 when present
  std::size_t cols = 0;
  std::int64_t firstLine = 0;
  std::vector<std::string> warnings;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(ln), "binary data (NUL byte) in a text file");
    splitColumns(stripComment(line), tok);
    if (tok.empty()) continue;
    double v[6];
    if (cols == 0) {
      double probe;
      if (!parseDouble(tok[0], probe) && pos.empty() && firstLine == 0) {
        firstLine = -1;  // one header line of names is tolerated
        warnings.push_back(linePlace(ln) + " taken as a column header and skipped: " + quote(trim(line)));
        continue;
      }
      cols = tok.size();
      firstLine = ln;
      if (cols < 3) fail(path, linePlace(ln), "expected 3 or 6 values per line, found " + std::to_string(cols));
      if (cols != 3 && cols != 6)
        warnings.push_back(std::to_string(cols) + " values per line: only x y z used (3 or 6 columns are understood)");
    }
    if (tok.size() != cols) {
      if (scan.atEnd() && scan.lastLineUnterminated() && tok.size() < cols) {
        warnings.push_back("last line (" + linePlace(ln) + ") is incomplete and was skipped: the file may be truncated");
        break;
      }
      fail(path, linePlace(ln), "expected " + std::to_string(cols) + " values like line " + std::to_string(firstLine) +
                                    ", found " + std::to_string(tok.size()));
    }
    const std::size_t use = cols == 6 ? 6 : 3;
    for (std::size_t c = 0; c < use; ++c) {
      if (!parseDouble(tok[c], v[c])) fail(path, linePlace(ln), quote(tok[c]) + " is not a number");
      if (!std::isfinite(v[c]))
        fail(path, linePlace(ln), "point " + std::to_string(pos.size() / 3) + ": value " + quote(tok[c]) + " is not finite");
    }
    pos.insert(pos.end(), v, v + 3);
    if (use == 6) extra.insert(extra.end(), v + 3, v + 6);
  }
  if (pos.empty()) fail(path, "", "no points (zero nodes)");
  std::vector<double> normals, colors;
  if (!extra.empty()) {
    double lo = extra[0], hi = extra[0];
    bool unit = true, integral = true;
    for (std::size_t i = 0; i < extra.size(); i += 3) {
      for (int d = 0; d < 3; ++d) {
        lo = std::min(lo, extra[i + d]);
        hi = std::max(hi, extra[i + d]);
        integral = integral && extra[i + d] == std::floor(extra[i + d]);
      }
      const double len = std::sqrt(extra[i] * extra[i] + extra[i + 1] * extra[i + 1] + extra[i + 2] * extra[i + 2]);
      unit = unit && std::abs(len - 1.0) < 1e-2;
    }
    bool asColors;
    if (ext == "xyzrgb") asColors = true;
    else if (ext == "xyzn") asColors = false;
    else asColors = lo >= 0.0 && hi <= 255.0 && !unit && (hi <= 1.0 || integral);
    if (asColors) {
      if (lo < 0.0 || hi > 255.0)
        fail(path, linePlace(firstLine), "colour values must lie in [0, 1] or [0, 255], found [" + std::to_string(lo) +
                                             ", " + std::to_string(hi) + "]");
      const double scale = hi > 1.0 ? 1.0 / 255.0 : 1.0;
      for (double& c : extra) c *= scale;
      colors = std::move(extra);
      if (ext != "xyzrgb") warnings.push_back("columns 4-6 read as colours (values in [0, " + std::string(scale < 1 ? "255" : "1") + "])");
    } else {
      normals = std::move(extra);
      if (ext != "xyzn") warnings.push_back("columns 4-6 read as normals");
    }
  }
  return finishPoints(std::move(pos), std::move(normals), std::move(colors), path, std::move(warnings));
}

// ---------------------------------------------------------------- PTS
Scene loadPts(const std::string& path) {
  std::string text = readWholeFile(path);
  normaliseText(text, path);
  LineScanner scan(text);
  std::string_view line;
  std::vector<std::string_view> tok;
  std::vector<double> pos, colors;
  std::vector<std::string> warnings;
  std::uint64_t declared = 0;
  bool haveCount = false;
  std::size_t cols = 0;
  std::int64_t firstLine = 0;
  std::uint64_t extraLines = 0;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(ln), "binary data (NUL byte) in a text file");
    splitColumns(stripComment(line), tok);
    if (tok.empty()) continue;
    if (!haveCount && pos.empty() && cols == 0 && tok.size() == 1) {
      if (!parseUInt64(tok[0], declared)) fail(path, linePlace(ln), "expected the point count, found " + quote(tok[0]));
      haveCount = true;
      const std::uint64_t reserve =
          checkDeclaredCount(declared, 6, text.size() - scan.position(), "points", path, linePlace(ln));
      pos.reserve(3 * reserve);
      continue;
    }
    if (haveCount && pos.size() / 3 >= declared) {
      ++extraLines;
      continue;
    }
    if (cols == 0) {
      cols = tok.size();
      firstLine = ln;
      if (cols != 3 && cols != 4 && cols != 6 && cols != 7)
        fail(path, linePlace(ln), "expected 3, 4, 6 or 7 values per line (x y z [intensity] [r g b]), found " +
                                      std::to_string(cols));
    }
    if (tok.size() != cols) {
      if (scan.atEnd() && scan.lastLineUnterminated() && tok.size() < cols) break;
      fail(path, linePlace(ln), "expected " + std::to_string(cols) + " values like line " + std::to_string(firstLine) +
                                    ", found " + std::to_string(tok.size()));
    }
    double v[7];
    for (std::size_t c = 0; c < cols; ++c) {
      if (!parseDouble(tok[c], v[c])) fail(path, linePlace(ln), quote(tok[c]) + " is not a number");
      if (!std::isfinite(v[c]))
        fail(path, linePlace(ln), "point " + std::to_string(pos.size() / 3) + ": value " + quote(tok[c]) + " is not finite");
    }
    pos.insert(pos.end(), v, v + 3);
    if (cols >= 6) {
      const std::size_t c0 = cols == 7 ? 4 : 3;
      for (std::size_t d = 0; d < 3; ++d) colors.push_back(std::clamp(v[c0 + d] / 255.0, 0.0, 1.0));
    }
  }
  if (haveCount) endedEarlyPts(pos.size() / 3, declared, path, "end of file", warnings);
  if (extraLines > 0)
    warnings.push_back(std::to_string(extraLines) + " lines after the announced " + std::to_string(declared) +
                       " points ignored");
  return finishPoints(std::move(pos), {}, std::move(colors), path, std::move(warnings));
}

// ---------------------------------------------------------------- PCD
namespace {

struct PcdField {
  std::string name;
  std::size_t size = 4;
  char type = 'F';
  std::size_t count = 1;
  std::size_t offset = 0;  // within a point record (binary)
};

double pcdValue(const char* p, const PcdField& f) {
  switch (f.type) {
    case 'F':
      if (f.size == 8) { double d; std::memcpy(&d, p, 8); return d; }
      else { float x; std::memcpy(&x, p, 4); return x; }
    case 'I':
      if (f.size == 1) return static_cast<std::int8_t>(*p);
      if (f.size == 2) { std::int16_t v; std::memcpy(&v, p, 2); return v; }
      if (f.size == 4) { std::int32_t v; std::memcpy(&v, p, 4); return v; }
      { std::int64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
    default:
      if (f.size == 1) return static_cast<unsigned char>(*p);
      if (f.size == 2) { std::uint16_t v; std::memcpy(&v, p, 2); return v; }
      if (f.size == 4) { std::uint32_t v; std::memcpy(&v, p, 4); return v; }
      { std::uint64_t v; std::memcpy(&v, p, 8); return static_cast<double>(v); }
  }
}

// Packed rgb/rgba (stored as float or uint32 bit pattern) -> r, g, b in [0, 1].
void unpackRgb(const char* p, double* rgb) {
  std::uint32_t v;
  std::memcpy(&v, p, 4);
  rgb[0] = ((v >> 16) & 255u) / 255.0;
  rgb[1] = ((v >> 8) & 255u) / 255.0;
  rgb[2] = (v & 255u) / 255.0;
}

// LZF decompression (the PCL binary_compressed codec). False on malformed input.
bool lzfDecompress(const unsigned char* in, std::size_t inLen, unsigned char* out, std::size_t outLen) {
  std::size_t ip = 0, op = 0;
  while (ip < inLen) {
    const unsigned ctrl = in[ip++];
    if (ctrl < 32) {
      const std::size_t len = ctrl + 1;
      if (ip + len > inLen || op + len > outLen) return false;
      std::memcpy(out + op, in + ip, len);
      ip += len;
      op += len;
    } else {
      std::size_t len = ctrl >> 5;
      if (len == 7) {
        if (ip >= inLen) return false;
        len += in[ip++];
      }
      if (ip >= inLen) return false;
      const std::size_t back = ((ctrl & 0x1fu) << 8) + in[ip++] + 1;
      len += 2;
      if (back > op || op + len > outLen) return false;
      for (std::size_t k = 0; k < len; ++k, ++op) out[op] = out[op - back];
    }
  }
  return op == outLen;
}

}  // namespace

Scene loadPcd(const std::string& path) {
  const std::string data = readWholeFile(path);
  LineScanner scan(data);
  std::string_view line;
  std::vector<std::string_view> tok;
  std::vector<PcdField> fields;
  std::vector<std::string> warnings;
  std::uint64_t width = 0, height = 1, points = 0;
  bool havePoints = false, haveData = false;
  std::string mode;
  std::int64_t dataLine = 0;
  while (scan.next(line)) {
    const std::int64_t ln = scan.lineNumber();
    if (line.find('\0') != std::string_view::npos) fail(path, linePlace(ln), "binary data (NUL byte) in the PCD header");
    splitTokens(stripComment(line), tok);
    if (tok.empty()) continue;
    const std::string_view kw = tok[0];
    auto uintAt = [&](std::size_t i) {
      std::uint64_t v = 0;
      if (i >= tok.size() || !parseUInt64(tok[i], v)) fail(path, linePlace(ln), "expected a count after " + quote(kw));
      return v;
    };
    if (kw == "VERSION" || kw == "VIEWPOINT") continue;
    if (kw == "FIELDS" || kw == "COLUMNS") {
      fields.clear();
      for (std::size_t i = 1; i < tok.size(); ++i) fields.push_back(PcdField{std::string(tok[i]), 4, 'F', 1, 0});
    } else if (kw == "SIZE" || kw == "TYPE" || kw == "COUNT") {
      if (tok.size() - 1 != fields.size())
        fail(path, linePlace(ln), quote(kw) + " lists " + std::to_string(tok.size() - 1) + " entries for " +
                                      std::to_string(fields.size()) + " fields");
      for (std::size_t i = 0; i < fields.size(); ++i) {
        if (kw == "TYPE") {
          if (tok[i + 1].size() != 1 || std::string_view("FIU").find(tok[i + 1][0]) == std::string_view::npos)
            fail(path, linePlace(ln), "field type " + quote(tok[i + 1]) + " is not F, I or U");
          fields[i].type = tok[i + 1][0];
        } else {
          const std::uint64_t v = uintAt(i + 1);
          if (kw == "SIZE" && v != 1 && v != 2 && v != 4 && v != 8)
            fail(path, linePlace(ln), "field size " + std::to_string(v) + " is not 1, 2, 4 or 8");
          if (kw == "COUNT" && (v == 0 || v > 4096)) fail(path, linePlace(ln), "field count " + std::to_string(v) + " out of range");
          (kw == "SIZE" ? fields[i].size : fields[i].count) = static_cast<std::size_t>(v);
        }
      }
    } else if (kw == "WIDTH") {
      width = uintAt(1);
    } else if (kw == "HEIGHT") {
      height = uintAt(1);
    } else if (kw == "POINTS") {
      points = uintAt(1);
      havePoints = true;
    } else if (kw == "DATA") {
      if (tok.size() < 2) fail(path, linePlace(ln), "'DATA' without ascii, binary or binary_compressed");
      mode = std::string(tok[1]);
      haveData = true;
      dataLine = ln;
      break;
    } else {
      fail(path, linePlace(ln), "unknown PCD header keyword " + quote(kw));
    }
  }
  if (!haveData) fail(path, "", "PCD header has no 'DATA' line");
  if (!havePoints) {
    if (height != 0 && width > UINT64_MAX / height) fail(path, "", "WIDTH x HEIGHT overflows");
    points = width * height;
  }
  int ix = -1, iy = -1, iz = -1, inx = -1, iny = -1, inz = -1, irgb = -1;
  std::size_t stride = 0, values = 0;
  for (std::size_t i = 0; i < fields.size(); ++i) {
    PcdField& f = fields[i];
    if (f.type == 'F' && f.size != 4 && f.size != 8) fail(path, "", "float field '" + f.name + "' has size " + std::to_string(f.size));
    f.offset = stride;
    stride += f.size * f.count;
    values += f.count;
    const auto ii = static_cast<int>(i);
    if (f.name == "x") ix = ii;
    if (f.name == "y") iy = ii;
    if (f.name == "z") iz = ii;
    if (f.name == "normal_x") inx = ii;
    if (f.name == "normal_y") iny = ii;
    if (f.name == "normal_z") inz = ii;
    if ((f.name == "rgb" || f.name == "rgba") && f.size == 4) irgb = ii;
  }
  if (ix < 0 || iy < 0 || iz < 0) fail(path, "", "PCD fields lack x, y or z");
  const bool wantN = inx >= 0 && iny >= 0 && inz >= 0, wantC = irgb >= 0;
  const std::size_t bodyStart = scan.position();
  const std::uint64_t remaining = data.size() - bodyStart;
  std::vector<double> pos, normals, colors;
  std::uint64_t nanPoints = 0, got = 0;
  std::string endPlace = "end of file";
  auto addPoint = [&](const double* xyz, const double* nrm, const double* rgb, const std::string& place, std::uint64_t k) {
    if (std::isnan(xyz[0]) || std::isnan(xyz[1]) || std::isnan(xyz[2])) {
      ++nanPoints;  // PCL marks missing measurements with NaN
      return;
    }
    for (int d = 0; d < 3; ++d)
      if (!std::isfinite(xyz[d])) fail(path, place, "point " + std::to_string(k) + ": coordinate is infinite");
    pos.insert(pos.end(), xyz, xyz + 3);
    if (wantN) normals.insert(normals.end(), nrm, nrm + 3);
    if (wantC) colors.insert(colors.end(), rgb, rgb + 3);
  };
  if (mode == "ascii") {
    const std::uint64_t reserve = checkDeclaredCount(points, 2 * std::max<std::size_t>(values, 1), remaining, "points", path, linePlace(dataLine));
    pos.reserve(3 * reserve);
    std::vector<double> row(values);
    std::vector<std::size_t> first(fields.size());
    for (std::size_t i = 0, a = 0; i < fields.size(); a += fields[i].count, ++i) first[i] = a;
    while (got < points && scan.next(line)) {
      const std::int64_t ln = scan.lineNumber();
      splitTokens(line, tok);
      if (tok.empty()) continue;
      if (tok.size() < values) {
        if (scan.atEnd() && scan.lastLineUnterminated()) { endPlace = linePlace(ln); break; }
        fail(path, linePlace(ln), "point " + std::to_string(got) + ": expected " + std::to_string(values) + " values, found " +
                                      std::to_string(tok.size()));
      }
      for (std::size_t c = 0; c < values; ++c)
        if (!parseDouble(tok[c], row[c])) fail(path, linePlace(ln), "point " + std::to_string(got) + ": " + quote(tok[c]) + " is not a number");
      const double xyz[3] = {row[first[static_cast<std::size_t>(ix)]], row[first[static_cast<std::size_t>(iy)]], row[first[static_cast<std::size_t>(iz)]]};
      double nrm[3] = {}, rgb[3] = {};
      if (wantN) { nrm[0] = row[first[static_cast<std::size_t>(inx)]]; nrm[1] = row[first[static_cast<std::size_t>(iny)]]; nrm[2] = row[first[static_cast<std::size_t>(inz)]]; }
      if (wantC) {
        const double packed = row[first[static_cast<std::size_t>(irgb)]];
        char bytes[4];
        if (fields[static_cast<std::size_t>(irgb)].type == 'F') { const float f = static_cast<float>(packed); std::memcpy(bytes, &f, 4); }
        else { const auto u = static_cast<std::uint32_t>(packed); std::memcpy(bytes, &u, 4); }
        unpackRgb(bytes, rgb);
      }
      addPoint(xyz, nrm, rgb, linePlace(ln), got);
      ++got;
    }
  } else if (mode == "binary" || mode == "binary_compressed") {
    if (stride == 0) fail(path, "", "PCD fields have zero size");
    std::string unpacked;
    const char* base = data.data() + bodyStart;
    std::uint64_t avail = remaining / stride;
    bool soa = false;
    if (mode == "binary") {
      const std::uint64_t reserve = checkDeclaredCount(points, stride, remaining, "points", path, linePlace(dataLine));
      pos.reserve(3 * reserve);
    } else {
      if (remaining < 8) fail(path, bytePlace(bodyStart), "binary_compressed PCD ends before its size fields");
      std::uint32_t csize = 0, usize = 0;
      std::memcpy(&csize, base, 4);
      std::memcpy(&usize, base + 4, 4);
      if (csize > remaining - 8)
        fail(path, bytePlace(bodyStart), "compressed size " + std::to_string(csize) + " exceeds the " +
                                             std::to_string(remaining - 8) + " bytes left in the file");
      if (points > 0 && usize / stride != points)
        fail(path, bytePlace(bodyStart + 4), "uncompressed size " + std::to_string(usize) + " does not match " +
                                                 std::to_string(points) + " points of " + std::to_string(stride) + " bytes");
      if (usize > 140ull * csize + 64) fail(path, bytePlace(bodyStart + 4), "uncompressed size is impossible for LZF");
      unpacked.resize(usize);
      if (!lzfDecompress(reinterpret_cast<const unsigned char*>(base + 8), csize,
                         reinterpret_cast<unsigned char*>(unpacked.data()), usize))
        fail(path, bytePlace(bodyStart + 8), "corrupt LZF-compressed data");
      base = unpacked.data();
      avail = points;
      soa = true;  // compressed data is stored field by field
    }
    const std::uint64_t n = std::min(points, avail);
    auto at = [&](int fi, std::uint64_t k) -> const char* {
      const PcdField& f = fields[static_cast<std::size_t>(fi)];
      return soa ? base + f.offset * points + k * f.size * f.count : base + k * stride + f.offset;
    };
    for (std::uint64_t k = 0; k < n; ++k) {
      const double xyz[3] = {pcdValue(at(ix, k), fields[static_cast<std::size_t>(ix)]),
                             pcdValue(at(iy, k), fields[static_cast<std::size_t>(iy)]),
                             pcdValue(at(iz, k), fields[static_cast<std::size_t>(iz)])};
      double nrm[3] = {}, rgb[3] = {};
      if (wantN)
        for (int d = 0; d < 3; ++d) {
          const int fi = d == 0 ? inx : d == 1 ? iny : inz;
          nrm[d] = pcdValue(at(fi, k), fields[static_cast<std::size_t>(fi)]);
        }
      if (wantC) unpackRgb(at(irgb, k), rgb);
      addPoint(xyz, nrm, rgb, soa ? "point " + std::to_string(k) : bytePlace(bodyStart + k * stride), k);
      ++got;
    }
    if (got < points) endPlace = bytePlace(data.size());
  } else {
    fail(path, linePlace(dataLine), "unknown PCD DATA mode " + quote(mode) + " (expected ascii, binary or binary_compressed)");
  }
  endedEarlyPts(got, points, path, endPlace, warnings);
  if (nanPoints > 0)
    warnings.push_back(std::to_string(nanPoints) + " of " + std::to_string(got) + " points skipped: NaN coordinates (no measurement)");
  if (pos.empty()) fail(path, "", got > 0 ? "every point has NaN coordinates" : "no points (zero nodes)");
  return finishPoints(std::move(pos), std::move(normals), std::move(colors), path, std::move(warnings));
}

}  // namespace topomask::io_detail
