#include "topomask/core/npz.h"

#include <algorithm>
#include <limits>
#include <ostream>

#include <zip.h>

#include "topomask/core/error.h"
#include "topomask/core/npy.h"
#include "topomask/core/output_file.h"

namespace topomask {
namespace {

// minizip's file functions over the std::ostream of writeFileAtomically: it writes, tells, and seeks
// back to complete each local header (CRC and sizes); it never reads when creating an archive.
voidpf openStream(voidpf opaque, const void* /*filename*/, int /*mode*/) { return opaque; }
uLong readStream(voidpf, voidpf, void*, uLong) { return 0; }
uLong writeStream(voidpf, voidpf stream, const void* buf, uLong size) {
  auto& out = *static_cast<std::ostream*>(stream);
  out.write(static_cast<const char*>(buf), static_cast<std::streamsize>(size));
  return out ? size : 0;
}
ZPOS64_T tellStream(voidpf, voidpf stream) {
  const auto at = static_cast<std::ostream*>(stream)->tellp();
  return at < 0 ? static_cast<ZPOS64_T>(-1) : static_cast<ZPOS64_T>(at);
}
long seekStream(voidpf, voidpf stream, ZPOS64_T offset, int origin) {
  auto& out = *static_cast<std::ostream*>(stream);
  const auto dir = origin == ZLIB_FILEFUNC_SEEK_SET ? std::ios::beg
                   : origin == ZLIB_FILEFUNC_SEEK_CUR ? std::ios::cur
                                                      : std::ios::end;
  out.seekp(static_cast<std::streamoff>(offset), dir);
  return out ? 0 : -1;
}
int closeStream(voidpf, voidpf) { return 0; }
int errorStream(voidpf, voidpf stream) { return static_cast<std::ostream*>(stream)->good() ? 0 : 1; }

void check(int status, const std::string& what, const std::string& path) {
  if (status != ZIP_OK) throw Error("cannot write the archive (" + what + ", minizip status " + std::to_string(status) + ")", path);
}

}  // namespace

void writeNpz(const std::string& path, const std::vector<NpzMember>& members) {
  writeFileAtomically(path, [&](std::ostream& out) {
    zlib_filefunc64_def io{};
    io.zopen64_file = openStream;
    io.zread_file = readStream;
    io.zwrite_file = writeStream;
    io.ztell64_file = tellStream;
    io.zseek64_file = seekStream;
    io.zclose_file = closeStream;
    io.zerror_file = errorStream;
    io.opaque = &out;
    zipFile zip = zipOpen2_64(path.c_str(), APPEND_STATUS_CREATE, nullptr, &io);
    if (zip == nullptr) throw Error("cannot start the zip archive", path);
    try {
      for (const NpzMember& m : members) {
        const std::string header = npyHeader(m.descr, m.shape);
        const std::uint64_t size = header.size() + m.bytes;
        zip_fileinfo info{};
        info.tmz_date.tm_year = 1980;  // a fixed date: the same inputs give the same bytes
        info.tmz_date.tm_mday = 1;
        const std::string name = m.name + ".npy";
        const int zip64 = size >= 0xffffffffULL ? 1 : 0;
        check(zipOpenNewFileInZip64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, 0 /* stored */, 0, zip64),
              "member " + name, path);
        check(zipWriteInFileInZip(zip, header.data(), static_cast<unsigned>(header.size())), "member " + name, path);
        const char* data = static_cast<const char*>(m.data);
        constexpr std::size_t kChunk = std::size_t{1} << 30;
        for (std::size_t at = 0; at < m.bytes; at += kChunk) {
          const std::size_t len = std::min(kChunk, m.bytes - at);
          check(zipWriteInFileInZip(zip, data + at, static_cast<unsigned>(len)), "member " + name, path);
        }
        check(zipCloseFileInZip(zip), "member " + name, path);
      }
    } catch (...) {
      zipClose(zip, nullptr);
      throw;
    }
    check(zipClose(zip, nullptr), "central directory", path);
  });
}

void writeCsrNpz(const std::string& path, std::int64_t rows, std::int64_t cols, const std::int64_t* indptr,
                 const std::int32_t* indices, const float* data) {
  const std::int64_t nnz = indptr[rows];
  const bool narrow = nnz <= std::numeric_limits<std::int32_t>::max();
  std::vector<std::int32_t> indptr32;
  std::vector<std::int64_t> indices64;
  if (narrow) {
    indptr32.resize(static_cast<std::size_t>(rows + 1));
    for (std::int64_t r = 0; r <= rows; ++r) indptr32[static_cast<std::size_t>(r)] = static_cast<std::int32_t>(indptr[r]);
  } else {
    indices64.assign(indices, indices + nnz);  // SciPy keeps one index type for both arrays
  }
  const std::int64_t shape[2] = {rows, cols};
  const char format[3] = {'c', 's', 'r'};
  const auto n = static_cast<std::size_t>(nnz);
  const auto r1 = static_cast<std::size_t>(rows + 1);
  std::vector<NpzMember> members;
  if (narrow) members.push_back({"indices", "<i4", {nnz}, indices, n * sizeof(std::int32_t)});
  else members.push_back({"indices", "<i8", {nnz}, indices64.data(), n * sizeof(std::int64_t)});
  if (narrow) members.push_back({"indptr", "<i4", {rows + 1}, indptr32.data(), r1 * sizeof(std::int32_t)});
  else members.push_back({"indptr", "<i8", {rows + 1}, indptr, r1 * sizeof(std::int64_t)});
  members.push_back({"format", "|S3", {}, format, 3});
  members.push_back({"shape", "<i8", {2}, shape, sizeof shape});
  members.push_back({"data", "<f4", {nnz}, data, n * sizeof(float)});
  writeNpz(path, members);
}

}  // namespace topomask
