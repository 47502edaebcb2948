#include "topomask/core/npz.h"

#include <algorithm>
#include <filesystem>
#include <limits>
#include <ostream>

#include <unzip.h>
#include <zip.h>

#include "topomask/core/budget.h"
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

namespace {

// An open archive, closed on every path out.
struct UnzipFile {
  unzFile zip = nullptr;
  ~UnzipFile() {
    if (zip != nullptr) unzClose(zip);
  }
};

// Reads exactly `size` bytes of the open member; throws on a corrupt or short stream.
void readMember(unzFile zip, char* out, std::size_t size, const std::string& where) {
  while (size > 0) {
    const unsigned ask = static_cast<unsigned>(std::min<std::size_t>(size, std::size_t{1} << 26));
    const int got = unzReadCurrentFile(zip, out, ask);
    if (got < 0) throw Error("corrupt compressed data (minizip status " + std::to_string(got) + ")", where);
    if (got == 0) throw Error("the member ends early (truncated or corrupt archive)", where);
    out += got;
    size -= static_cast<std::size_t>(got);
  }
}

NpyArray readNpyMember(unzFile zip, const unz_file_info64& info, std::uint64_t fileSize, bool headersOnly,
                       const std::string& where) {
  if (info.flag & 1u) throw Error("encrypted members are not supported", where);
  if (info.compression_method != 0 && info.compression_method != Z_DEFLATED)
    throw Error("compression method " + std::to_string(info.compression_method) +
                    " is not supported (numpy.savez stores, numpy.savez_compressed deflates)",
                where);
  const std::uint64_t declared = info.uncompressed_size;
  // Deflate expands at most 1032-fold: a directory that claims more is corrupt (and would make us
  // read, or allocate for, data that cannot be there).
  const bool consistent = info.compressed_size <= fileSize &&
                          (info.compression_method == 0 ? declared == info.compressed_size
                                                        : declared / 1032 <= info.compressed_size + 64);
  if (!consistent) throw Error("member sizes in the zip directory are inconsistent (corrupt archive)", where);
  if (unzOpenCurrentFile(zip) != UNZ_OK) throw Error("cannot open the member (corrupt archive)", where);
  std::string head(static_cast<std::size_t>(std::min<std::uint64_t>(declared, 12)), '\0');
  readMember(zip, head.data(), head.size(), where);
  const std::size_t offset = npyDataOffset(head.data(), head.size(), where);
  if (offset > declared) throw Error("truncated .npy header", where);
  const std::size_t have = head.size();
  head.resize(offset);
  if (offset > have) readMember(zip, head.data() + have, offset - have, where);
  const NpyHeader h = parseNpyHeader(head.data(), head.size(), where);
  const std::uint64_t dataBytes = static_cast<std::uint64_t>(h.count) * h.itemSize;
  if (dataBytes > declared - offset)
    throw Error("truncated data: shape " + h.shapeText() + " needs " + std::to_string(dataBytes) + " bytes, the member holds " +
                    std::to_string(declared - offset),
                where);
  NpyArray a;
  a.descr = h.descr;
  a.shape = h.shape;
  if (headersOnly) {
    unzCloseCurrentFile(zip);  // not read to the end: no CRC to compare
    return a;
  }
  const double need = static_cast<double>(h.count) * sizeof(double);
  if (need > static_cast<double>(memoryBudget(0)))
    throw Error("shape " + h.shapeText() + " needs " + formatBytes(need) + " of memory, more than the memory budget allows", where);
  a.values.resize(static_cast<std::size_t>(h.count));
  // Converted in chunks, so that the raw bytes are never held whole next to the doubles.
  const std::size_t perChunk = std::max<std::size_t>(1, (std::size_t{1} << 20) / h.itemSize);
  std::vector<char> raw(std::min(perChunk, a.values.size()) * h.itemSize);
  for (std::size_t at = 0; at < a.values.size(); at += perChunk) {
    const std::size_t n = std::min(perChunk, a.values.size() - at);
    readMember(zip, raw.data(), n * h.itemSize, where);
    npyToDoubles(h, raw.data(), n, a.values.data() + at);
  }
  // Trailing bytes (none from numpy) are read so that the CRC of the whole member is checked.
  std::uint64_t rest = declared - offset - dataBytes;
  char sink[4096];
  while (rest > 0) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(rest, sizeof sink));
    readMember(zip, sink, n, where);
    rest -= n;
  }
  const int closed = unzCloseCurrentFile(zip);
  if (closed == UNZ_CRCERROR) throw Error("CRC mismatch (corrupt archive)", where);
  if (closed != UNZ_OK) throw Error("cannot read the member (minizip status " + std::to_string(closed) + ")", where);
  if (h.fortranOrder) npyFortranToC(a.shape, a.values);
  return a;
}

}  // namespace

std::map<std::string, NpyArray> readNpz(const std::string& path, const std::vector<std::string>& only, bool headersOnly) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) throw Error("cannot open file (no such file)", path);
  if (!std::filesystem::is_regular_file(status)) throw Error("not a regular file", path);
  const std::uint64_t fileSize = std::filesystem::file_size(path, ec);
  if (ec) throw Error("cannot read the file size", path);
  UnzipFile file;
  file.zip = unzOpen64(path.c_str());
  if (file.zip == nullptr) throw Error("not a .npz archive (no zip directory found; numpy.savez writes one)", path);
  std::map<std::string, NpyArray> out;
  int next = unzGoToFirstFile(file.zip);
  while (next == UNZ_OK) {
    unz_file_info64 info{};
    char name[512];
    if (unzGetCurrentFileInfo64(file.zip, &info, name, sizeof name, nullptr, 0, nullptr, 0) != UNZ_OK)
      throw Error("corrupt zip directory", path);
    std::string member(name, std::min<std::size_t>(info.size_filename, sizeof name));
    member = member.substr(0, member.find('\0'));
    const bool npy = member.size() > 4 && member.compare(member.size() - 4, 4, ".npy") == 0;
    const std::string key = npy ? member.substr(0, member.size() - 4) : std::string();
    const bool wanted = npy && (only.empty() || std::find(only.begin(), only.end(), key) != only.end());
    if (wanted && out.count(key) == 0) out[key] = readNpyMember(file.zip, info, fileSize, headersOnly, path + ": array '" + key + "'");
    next = unzGoToNextFile(file.zip);
  }
  if (next != UNZ_END_OF_LIST_OF_FILE) throw Error("corrupt zip directory (minizip status " + std::to_string(next) + ")", path);
  return out;
}

}  // namespace topomask
