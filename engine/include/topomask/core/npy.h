// Reading and writing NumPy .npy arrays (format 1.0, little-endian, C order).
// The one place in TopoMask that knows the format.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

namespace topomask {

// The preamble and header of a .npy (format 1.0) holding a C-order array of `descr` ("<f8", "<f4",
// "<i4", "<i8", "|S3", ...) with the given shape ({} for a 0-d array): the data bytes follow it.
std::string npyHeader(const std::string& descr, const std::vector<std::int64_t>& shape);

// Writes a row-major array of float64 with the given shape (1-D or 2-D). Throws Error on IO failure.
void writeNpy(const std::string& path, const double* data, const std::vector<std::int64_t>& shape);
void writeNpy(const std::string& path, const float* data, const std::vector<std::int64_t>& shape);
// Writes an N x c matrix (or a vector as shape {N}).
void writeNpy(const std::string& path, const Eigen::MatrixXd& m);
void writeNpy(const std::string& path, const Eigen::VectorXd& v);

// Reads a 1-D or 2-D float32/float64 (also integer) array as doubles; a 1-D array becomes N x 1.
// Throws Error naming the file and the cause on anything else.
Eigen::MatrixXd readNpy(const std::string& path);

// ---- Parsing .npy bytes (files, and the members of .npz archives, core/npz.h) ----------------------

// The preamble and header of a .npy: dtype, order and shape, and where the data start.
struct NpyHeader {
  std::string descr;                // as stored, e.g. "<f8"
  bool fortranOrder = false;
  std::vector<std::int64_t> shape;  // {} for a 0-d array
  std::size_t dataOffset = 0;       // bytes of preamble and header: the data follow
  std::size_t itemSize = 0;         // bytes per element
  std::int64_t count = 1;           // elements (the product of shape)
  std::string shapeText() const;    // "(3, 4)", "(5,)", "()"
};

// Readable dtypes: float32, float64, (un)signed integers of 1, 2, 4 or 8 bytes and bool, in either
// byte order. A header longer than this is refused (numpy itself refuses over 10,000 bytes).
inline constexpr std::size_t kMaxNpyHeaderBytes = std::size_t{1} << 20;

// Where the data of a .npy start (preamble plus header), from its first bytes: `size` may be less
// than the header but must cover the preamble (12 bytes, or the whole input when shorter).
// Throws Error (`where`) on bad magic bytes, an unknown version or a header over kMaxNpyHeaderBytes.
std::size_t npyDataOffset(const char* bytes, std::size_t size, const std::string& where);

// Parses the preamble and header in bytes[0, size), size >= npyDataOffset. Checks the dtype, the
// shape (non-negative dimensions, element count and byte size without overflow). Throws Error
// naming `where` and the cause. Does not look at the data.
NpyHeader parseNpyHeader(const char* bytes, std::size_t size, const std::string& where);

// Converts `count` elements of the header's dtype at `data` to doubles, in storage order.
void npyToDoubles(const NpyHeader& header, const char* data, std::size_t count, double* out);

// Values stored in Fortran order (first index fastest) put in C order (last index fastest).
void npyFortranToC(const std::vector<std::int64_t>& shape, std::vector<double>& values);

// An array read as doubles, in C order, whatever its dtype and order on disk.
struct NpyArray {
  std::string descr;
  std::vector<std::int64_t> shape;
  std::vector<double> values;
  std::string shapeText() const;
};

// A whole .npy held in memory (bytes[0, size)). Throws Error naming `where` when it is not one or
// when the data are shorter than the shape needs.
NpyArray parseNpy(const char* bytes, std::size_t size, const std::string& where);

}  // namespace topomask
