#include "topomask/core/npy.h"

#include <algorithm>
#include <cstring>
#include <iterator>
#include <limits>
#include <fstream>
#include <sstream>

#include "topomask/core/error.h"
#include "topomask/core/output_file.h"

namespace topomask {
namespace {

std::string shapeText(const std::vector<std::int64_t>& shape) {
  std::ostringstream s;
  s << '(';
  for (std::size_t i = 0; i < shape.size(); ++i) s << shape[i] << (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  s << ')';
  return s.str();
}

void writeRaw(const std::string& path, const char* descr, const void* data, std::size_t bytes,
              const std::vector<std::int64_t>& shape) {
  const std::string header = npyHeader(descr, shape);
  writeFileAtomically(path, [&](std::ostream& out) {
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
  });
}

std::size_t product(const std::vector<std::int64_t>& shape) {
  std::size_t n = 1;
  for (auto s : shape) n *= static_cast<std::size_t>(s);
  return n;
}

}  // namespace

std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape) {
  std::string header = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shapeText(shape) + ", }";
  // Pad so that magic(6) + version(2) + length(2) + header + '\n' is a multiple of 64.
  const std::size_t unpadded = 10 + header.size() + 1;
  header.append((64 - unpadded % 64) % 64, ' ');
  header.push_back('\n');
  const auto len = static_cast<std::uint16_t>(header.size());
  std::string out = {static_cast<char>(0x93), 'N', 'U', 'M', 'P', 'Y', 1, 0, static_cast<char>(len & 0xff),
                     static_cast<char>(len >> 8)};
  return out + header;
}

void writeNpy(const std::string& path, const double* data, const std::vector<std::int64_t>& shape) {
  writeRaw(path, "<f8", data, product(shape) * sizeof(double), shape);
}

void writeNpy(const std::string& path, const float* data, const std::vector<std::int64_t>& shape) {
  writeRaw(path, "<f4", data, product(shape) * sizeof(float), shape);
}

void writeNpy(const std::string& path, const Eigen::MatrixXd& m) {
  const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> rowMajor = m;
  writeNpy(path, rowMajor.data(), {static_cast<std::int64_t>(m.rows()), static_cast<std::int64_t>(m.cols())});
}

void writeNpy(const std::string& path, const Eigen::VectorXd& v) {
  writeNpy(path, v.data(), {static_cast<std::int64_t>(v.size())});
}

Eigen::MatrixXd readNpy(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error("cannot open file", path);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error("cannot read the file", path);
  NpyArray a = parseNpy(bytes.data(), bytes.size(), path);
  bytes = std::string();
  if (a.shape.empty() || a.shape.size() > 2)
    throw Error("expected a 1-D or 2-D array, got " + std::to_string(a.shape.size()) + "-D", path);
  const std::int64_t rows = a.shape[0], cols = a.shape.size() == 2 ? a.shape[1] : 1;
  Eigen::MatrixXd out(rows, cols);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) out(r, c) = a.values[static_cast<std::size_t>(r * cols + c)];
  return out;
}

namespace {

std::string shapeString(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// The value after `'key':` in a header dict (single or double quotes around the key); npos if absent.
std::size_t valueOf(const std::string& header, const std::string& key) {
  for (const char q : {'\'', '"'}) {
    const std::string quoted = q + key + q;
    std::size_t at = header.find(quoted);
    if (at == std::string::npos) continue;
    at += quoted.size();
    while (at < header.size() && header[at] == ' ') ++at;
    if (at >= header.size() || header[at] != ':') return std::string::npos;
    ++at;
    while (at < header.size() && header[at] == ' ') ++at;
    return at < header.size() ? at : std::string::npos;
  }
  return std::string::npos;
}

// Element size of a dtype ("<f8", "|u1", ">i4", "|b1", ...); 0 when it is not one we read.
std::size_t itemSizeOf(const std::string& descr) {
  if (descr.size() < 3 || descr.size() > 4) return 0;
  const char order = descr[0], kind = descr[1];
  if (order != '<' && order != '>' && order != '|' && order != '=') return 0;
  std::size_t size = 0;
  for (std::size_t i = 2; i < descr.size(); ++i) {
    if (descr[i] < '0' || descr[i] > '9') return 0;
    size = size * 10 + static_cast<std::size_t>(descr[i] - '0');
  }
  const bool ok = (kind == 'f' && (size == 4 || size == 8)) ||
                  ((kind == 'i' || kind == 'u') && (size == 1 || size == 2 || size == 4 || size == 8)) ||
                  (kind == 'b' && size == 1);
  if (!ok) return 0;
  if (order == '|' && size != 1) return 0;
  return size;
}

template <typename T>
double loadAs(const char* p, bool swap) {
  char b[sizeof(T)];
  std::memcpy(b, p, sizeof(T));
  if (swap) std::reverse(b, b + sizeof(T));
  T v;
  std::memcpy(&v, b, sizeof(T));
  return static_cast<double>(v);
}

}  // namespace

std::string NpyHeader::shapeText() const { return shapeString(shape); }
std::string NpyArray::shapeText() const { return shapeString(shape); }

std::size_t npyDataOffset(const char* bytes, std::size_t size, const std::string& where) {
  const auto* b = reinterpret_cast<const unsigned char*>(bytes);
  if (size < 10 || std::memcmp(b, "\x93NUMPY", 6) != 0) throw Error("not a .npy array (bad magic bytes)", where);
  std::size_t headerLen = 0, preamble = 10;
  if (b[6] == 1) {
    headerLen = static_cast<std::size_t>(b[8]) | (static_cast<std::size_t>(b[9]) << 8);
  } else if (b[6] == 2 || b[6] == 3) {
    if (size < 12) throw Error("truncated .npy header", where);
    headerLen = static_cast<std::size_t>(b[8]) | (static_cast<std::size_t>(b[9]) << 8) |
                (static_cast<std::size_t>(b[10]) << 16) | (static_cast<std::size_t>(b[11]) << 24);
    preamble = 12;
  } else {
    throw Error("unsupported .npy format version " + std::to_string(b[6]), where);
  }
  if (headerLen > kMaxNpyHeaderBytes)
    throw Error(".npy header of " + std::to_string(headerLen) + " bytes is too long (corrupt file?)", where);
  return preamble + headerLen;
}

NpyHeader parseNpyHeader(const char* bytes, std::size_t size, const std::string& where) {
  NpyHeader h;
  h.dataOffset = npyDataOffset(bytes, size, where);
  if (h.dataOffset > size) throw Error("truncated .npy header", where);
  const std::size_t preamble = bytes[6] == 1 ? 10 : 12;
  const std::string header(bytes + preamble, h.dataOffset - preamble);
  // descr
  std::size_t at = valueOf(header, "descr");
  if (at == std::string::npos || (header[at] != '\'' && header[at] != '"'))
    throw Error(".npy header has no 'descr' string (a structured dtype?)", where);
  const std::size_t close = header.find(header[at], at + 1);
  if (close == std::string::npos) throw Error(".npy header: unterminated 'descr'", where);
  h.descr = header.substr(at + 1, close - at - 1);
  h.itemSize = itemSizeOf(h.descr);
  if (h.itemSize == 0)
    throw Error("unsupported dtype '" + h.descr.substr(0, 32) + "' (float32, float64 or integers are read)", where);
  // fortran_order
  at = valueOf(header, "fortran_order");
  if (at == std::string::npos) throw Error(".npy header has no 'fortran_order'", where);
  if (header.compare(at, 4, "True") == 0) h.fortranOrder = true;
  else if (header.compare(at, 5, "False") == 0) h.fortranOrder = false;
  else throw Error(".npy header: 'fortran_order' is neither True nor False", where);
  // shape
  at = valueOf(header, "shape");
  if (at == std::string::npos || header[at] != '(') throw Error(".npy header has no 'shape' tuple", where);
  const std::size_t end = header.find(')', at);
  if (end == std::string::npos) throw Error(".npy header: unterminated 'shape'", where);
  std::size_t i = at + 1;
  constexpr std::int64_t kMaxDims = 32;
  while (i < end) {
    while (i < end && header[i] == ' ') ++i;
    if (i == end) break;
    if (header[i] < '0' || header[i] > '9')
      throw Error(".npy header: bad shape " + header.substr(at, std::min<std::size_t>(end - at + 1, 64)), where);
    std::int64_t dim = 0;
    while (i < end && header[i] >= '0' && header[i] <= '9') {
      if (dim > (std::numeric_limits<std::int64_t>::max() - 9) / 10) throw Error(".npy header: dimension too large", where);
      dim = dim * 10 + (header[i] - '0');
      ++i;
    }
    if (i < end && header[i] == 'L') ++i;  // Python 2 longs
    while (i < end && header[i] == ' ') ++i;
    if (i < end && header[i] != ',')
      throw Error(".npy header: bad shape " + header.substr(at, std::min<std::size_t>(end - at + 1, 64)), where);
    ++i;
    h.shape.push_back(dim);
    if (static_cast<std::int64_t>(h.shape.size()) > kMaxDims) throw Error(".npy header: more than 32 dimensions", where);
  }
  h.count = 1;
  const std::int64_t maxCount = std::numeric_limits<std::int64_t>::max() / 8;
  for (std::int64_t d : h.shape) {
    if (d != 0 && h.count > maxCount / d) throw Error("shape " + h.shapeText() + " is too large", where);
    h.count *= d;
  }
  return h;
}

void npyToDoubles(const NpyHeader& h, const char* data, std::size_t count, double* out) {
  const bool swap = h.descr[0] == '>';
  const char kind = h.descr[1];
  const std::size_t w = h.itemSize;
  for (std::size_t i = 0; i < count; ++i) {
    const char* p = data + i * w;
    double v = 0;
    if (kind == 'f') v = w == 8 ? loadAs<double>(p, swap) : loadAs<float>(p, swap);
    else if (kind == 'b') v = *p != 0 ? 1.0 : 0.0;
    else if (kind == 'i')
      v = w == 1 ? loadAs<std::int8_t>(p, swap) : w == 2 ? loadAs<std::int16_t>(p, swap)
          : w == 4 ? loadAs<std::int32_t>(p, swap) : loadAs<std::int64_t>(p, swap);
    else
      v = w == 1 ? loadAs<std::uint8_t>(p, swap) : w == 2 ? loadAs<std::uint16_t>(p, swap)
          : w == 4 ? loadAs<std::uint32_t>(p, swap) : loadAs<std::uint64_t>(p, swap);
    out[i] = v;
  }
}

void npyFortranToC(const std::vector<std::int64_t>& shape, std::vector<double>& values) {
  if (shape.size() < 2 || values.empty()) return;
  std::vector<double> c(values.size());
  std::vector<std::int64_t> index(shape.size(), 0);
  // Walk the Fortran order (first index fastest) and place each value at its C position.
  for (std::size_t f = 0; f < values.size(); ++f) {
    std::int64_t pos = 0;
    for (std::size_t k = 0; k < shape.size(); ++k) pos = pos * shape[k] + index[k];
    c[static_cast<std::size_t>(pos)] = values[f];
    for (std::size_t k = 0; k < shape.size(); ++k) {
      if (++index[k] < shape[k]) break;
      index[k] = 0;
    }
  }
  values.swap(c);
}

NpyArray parseNpy(const char* bytes, std::size_t size, const std::string& where) {
  const NpyHeader h = parseNpyHeader(bytes, size, where);
  const std::size_t available = size - h.dataOffset;
  if (static_cast<std::uint64_t>(h.count) > available / h.itemSize)
    throw Error("truncated data: shape " + h.shapeText() + " needs " +
                    std::to_string(static_cast<std::uint64_t>(h.count) * h.itemSize) + " bytes, the file holds " +
                    std::to_string(available),
                where);
  NpyArray a;
  a.descr = h.descr;
  a.shape = h.shape;
  a.values.resize(static_cast<std::size_t>(h.count));
  npyToDoubles(h, bytes + h.dataOffset, a.values.size(), a.values.data());
  if (h.fortranOrder) npyFortranToC(a.shape, a.values);
  return a;
}

}  // namespace topomask
