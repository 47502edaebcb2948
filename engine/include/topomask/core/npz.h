// Writing NumPy .npz archives (a zip of .npy members, stored uncompressed), in particular the SciPy
// sparse CSR archives that scipy.sparse.load_npz reads, and reading the archives numpy.savez and
// numpy.savez_compressed write. Zip records come from Debian's minizip (zip and unzip).
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "topomask/core/npy.h"

namespace topomask {

// One member: `name` ("data" is stored as "data.npy"), a .npy of dtype `descr` ("<f4", "<i4", "<i8",
// "|S3", ...) and `shape`, whose C-order data are `bytes` bytes at `data` (not copied).
struct NpzMember {
  std::string name;
  std::string descr;
  std::vector<std::int64_t> shape;
  const void* data = nullptr;
  std::size_t bytes = 0;
};

// Writes the members, in order, as an uncompressed zip (Zip64 records for members of 4 GiB or more),
// atomically through writeFileAtomically. Throws Error naming the path and the cause.
void writeNpz(const std::string& path, const std::vector<NpzMember>& members);

// A rows x cols CSR matrix (indptr has rows + 1 entries; row r holds indices[indptr[r] .. indptr[r+1]) with values) as SciPy's
// save_npz writes it: members indices, indptr, format (b'csr'), shape (int64 [rows, cols]) and data
// (float32). Indices and indptr are int32 when the non-zeros fit, otherwise int64 (both, as SciPy
// uses one index type). No copy of indices or data; indptr is converted to int32 when that fits.
void writeCsrNpz(const std::string& path, std::int64_t rows, std::int64_t cols, const std::int64_t* indptr,
                 const std::int32_t* indices, const float* data);

// Reads the .npy members of a .npz archive (stored or deflated; Zip64 too), by name without ".npy",
// as doubles in C order (core/npy.h NpyArray). `only`: when not empty, just the members of these
// names (the others are skipped unread; a name that is absent is simply not in the result). With
// `headersOnly`, each member's dtype and shape without its values (values empty), reading only the
// first bytes of each member. Members that are not .npy files are skipped.
// Throws Error naming the path (and the array: "t.npz: array 'q': truncated data ...") when the
// file is not a zip archive, a member is encrypted, compressed otherwise than by deflate, corrupt
// (CRC, deflate stream, sizes), not a readable .npy, or larger than the memory available.
std::map<std::string, NpyArray> readNpz(const std::string& path, const std::vector<std::string>& only = {},
                                        bool headersOnly = false);

}  // namespace topomask
