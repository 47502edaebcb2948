#include "topomask/core/npy.h"

#include <cstring>
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
  in.seekg(0, std::ios::end);
  const auto fileSize = static_cast<std::int64_t>(in.tellg());
  in.seekg(0);
  unsigned char pre[10];
  if (!in.read(reinterpret_cast<char*>(pre), 10) || std::memcmp(pre, "\x93NUMPY", 6) != 0)
    throw Error("not a .npy file (bad magic bytes)", path);
  std::size_t headerLen = 0, preambleLen = 10;
  if (pre[6] == 1) {
    headerLen = pre[8] | (pre[9] << 8);
  } else if (pre[6] == 2 || pre[6] == 3) {
    unsigned char extra[2];
    if (!in.read(reinterpret_cast<char*>(extra), 2)) throw Error("truncated .npy header", path);
    headerLen = pre[8] | (pre[9] << 8) | (extra[0] << 16) | (extra[1] << 24);
    preambleLen = 12;
  } else {
    throw Error("unsupported .npy version " + std::to_string(pre[6]), path);
  }
  if (static_cast<std::int64_t>(preambleLen + headerLen) > fileSize) throw Error("truncated .npy header", path);
  std::string header(headerLen, '\0');
  in.read(header.data(), static_cast<std::streamsize>(headerLen));
  auto field = [&](const std::string& key) {
    const auto at = header.find("'" + key + "'");
    if (at == std::string::npos) throw Error("header has no '" + key + "'", path);
    return header.substr(header.find(':', at) + 1);
  };
  std::string descr = field("descr");
  descr = descr.substr(descr.find('\'') + 1);
  descr = descr.substr(0, descr.find('\''));
  if (field("fortran_order").find("True") < field("fortran_order").find(','))
    throw Error("Fortran-ordered arrays are not supported", path);
  std::string shapeStr = field("shape");
  shapeStr = shapeStr.substr(shapeStr.find('(') + 1, shapeStr.find(')') - shapeStr.find('(') - 1);
  std::vector<std::int64_t> shape;
  std::istringstream ss(shapeStr);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (item.find_first_not_of(" ") == std::string::npos) continue;
    try {
      shape.push_back(std::stoll(item));
    } catch (...) {
      throw Error("bad shape entry '" + item + "'", path);
    }
  }
  if (shape.empty() || shape.size() > 2) throw Error("expected a 1-D or 2-D array, got " + std::to_string(shape.size()) + "-D", path);
  for (auto s : shape)
    if (s < 0) throw Error("negative dimension in shape", path);
  const std::int64_t rows = shape[0], cols = shape.size() == 2 ? shape[1] : 1;
  std::size_t width = 0;
  if (descr == "<f8" || descr == "<i8") width = 8;
  else if (descr == "<f4" || descr == "<i4") width = 4;
  else throw Error("unsupported dtype '" + descr + "' (use float32 or float64)", path);
  const std::int64_t available = fileSize - static_cast<std::int64_t>(preambleLen + headerLen);
  if (cols != 0 && rows > available / static_cast<std::int64_t>(width) / cols)
    throw Error("truncated data: shape (" + std::to_string(rows) + ", " + std::to_string(cols) + ") needs more bytes than the file holds", path);
  std::vector<char> raw(static_cast<std::size_t>(rows * cols) * width);
  in.read(raw.data(), static_cast<std::streamsize>(raw.size()));
  Eigen::MatrixXd out(rows, cols);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) {
      const char* p = raw.data() + static_cast<std::size_t>(r * cols + c) * width;
      double v = 0;
      if (descr == "<f8") { double x; std::memcpy(&x, p, 8); v = x; }
      else if (descr == "<f4") { float x; std::memcpy(&x, p, 4); v = x; }
      else if (descr == "<i8") { std::int64_t x; std::memcpy(&x, p, 8); v = static_cast<double>(x); }
      else { std::int32_t x; std::memcpy(&x, p, 4); v = x; }
      out(r, c) = v;
    }
  return out;
}

}  // namespace topomask
