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

// Reads a 1-D or 2-D float32/float64 (also int32/int64) array as doubles; a 1-D array becomes N x 1.
// Throws Error naming the file and the cause on anything else.
Eigen::MatrixXd readNpy(const std::string& path);

}  // namespace topomask
