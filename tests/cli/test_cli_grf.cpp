// topomask export --what grf|grf_keys --out F.npz [--nodes A:B]: the archive is a zip of the five
// members scipy.sparse.load_npz reads, Phi_Q Phi_K^T is the estimate of `mask --dense`, and shards
// are bit for bit the rows of the full export. The archive is read back with minizip's unzip side
// (which checks every member's CRC), independently of the writer.
#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <unzip.h>

#include "cli/cli_runner.h"
#include "support/test_graphs.h"
#include "topomask/core/npy.h"

namespace topomask {
namespace {

using testing::runTopomask;

// A .npy member: dtype, shape and raw data bytes.
struct Array {
  std::string descr;
  std::vector<std::int64_t> shape;
  std::string bytes;
};

Array parseNpy(const std::string& file, const std::string& name) {
  Array a;
  EXPECT_GE(file.size(), 10u) << name;
  if (file.size() < 10) return a;
  EXPECT_EQ(file.substr(0, 8), std::string("\x93NUMPY\x01\x00", 8)) << name;
  const std::size_t len = static_cast<unsigned char>(file[8]) | (static_cast<unsigned char>(file[9]) << 8);
  const std::string header = file.substr(10, len);
  EXPECT_EQ((10 + len) % 64, 0u) << name << ": header not aligned";
  // The text between `open` and the next `close` after it ("" when absent). (No std::regex: GCC 12
  // warns inside it at -O1 with AddressSanitizer, which the sanitizer build treats as an error.)
  auto between = [&](const std::string& open, char close) {
    const std::size_t at = header.find(open);
    if (at == std::string::npos) return std::string();
    const std::size_t from = at + open.size(), to = header.find(close, from);
    return to == std::string::npos ? std::string() : header.substr(from, to - from);
  };
  a.descr = between("'descr': '", '\'');
  EXPECT_FALSE(a.descr.empty()) << header;
  EXPECT_NE(header.find("'fortran_order': False"), std::string::npos) << header;
  EXPECT_NE(header.find("'shape': ("), std::string::npos) << header;
  const std::string shape = between("'shape': (", ')');  // "" for a 0-d array
  std::stringstream dims(shape);
  std::string item;
  while (std::getline(dims, item, ','))
    if (item.find_first_not_of(' ') != std::string::npos) a.shape.push_back(std::stoll(item));
  a.bytes = file.substr(10 + len);
  return a;
}

// Every member of a zip file, by name; fails the test on a broken archive or a CRC mismatch.
std::map<std::string, Array> readZip(const std::string& path) {
  std::map<std::string, Array> out;
  unzFile zip = unzOpen64(path.c_str());
  EXPECT_NE(zip, nullptr) << path << " is not a zip archive";
  if (zip == nullptr) return out;
  int status = unzGoToFirstFile(zip);
  while (status == UNZ_OK) {
    unz_file_info64 info;
    char name[256];
    EXPECT_EQ(unzGetCurrentFileInfo64(zip, &info, name, sizeof name, nullptr, 0, nullptr, 0), UNZ_OK);
    EXPECT_EQ(info.compression_method, 0u) << name << ": expected a stored member";
    EXPECT_EQ(unzOpenCurrentFile(zip), UNZ_OK) << name;
    std::string data(static_cast<std::size_t>(info.uncompressed_size), '\0');
    EXPECT_EQ(unzReadCurrentFile(zip, data.data(), static_cast<unsigned>(data.size())), static_cast<int>(data.size())) << name;
    EXPECT_EQ(unzCloseCurrentFile(zip), UNZ_OK) << name << ": CRC mismatch";
    std::string member(name);
    EXPECT_EQ(member.size() > 4 ? member.substr(member.size() - 4) : "", ".npy") << member;
    out[member.substr(0, member.size() - 4)] = parseNpy(data, member);
    status = unzGoToNextFile(zip);
  }
  EXPECT_EQ(status, UNZ_END_OF_LIST_OF_FILE);
  unzClose(zip);
  return out;
}

// The CSR matrix of a SciPy archive, checked for the layout load_npz expects.
struct Csr {
  std::int64_t rows = 0, cols = 0;
  std::vector<std::int64_t> indptr, indices;
  std::vector<float> data;
};

template <class T>
std::vector<T> values(const Array& a) {
  std::vector<T> out(a.bytes.size() / sizeof(T));
  std::memcpy(out.data(), a.bytes.data(), out.size() * sizeof(T));
  return out;
}

std::vector<std::int64_t> indexValues(const Array& a) {
  if (a.descr == "<i4") {
    const auto v = values<std::int32_t>(a);
    return {v.begin(), v.end()};
  }
  EXPECT_EQ(a.descr, "<i8");
  return values<std::int64_t>(a);
}

Csr readCsr(const std::string& path) {
  Csr c;
  const auto zip = readZip(path);
  std::vector<std::string> names;
  for (const auto& [name, array] : zip) names.push_back(name);
  EXPECT_EQ(names, (std::vector<std::string>{"data", "format", "indices", "indptr", "shape"})) << path;
  if (names.size() != 5) return c;
  const Array& format = zip.at("format");
  EXPECT_EQ(format.descr, "|S3");
  EXPECT_TRUE(format.shape.empty());
  EXPECT_EQ(format.bytes, "csr");
  const Array& shape = zip.at("shape");
  EXPECT_EQ(shape.descr, "<i8");
  EXPECT_EQ(shape.shape, std::vector<std::int64_t>{2});
  const auto dims = values<std::int64_t>(shape);
  c.rows = dims.at(0);
  c.cols = dims.at(1);
  EXPECT_EQ(zip.at("data").descr, "<f4");
  EXPECT_EQ(zip.at("indices").descr, zip.at("indptr").descr) << "one index type for both";
  c.indptr = indexValues(zip.at("indptr"));
  c.indices = indexValues(zip.at("indices"));
  c.data = values<float>(zip.at("data"));
  EXPECT_EQ(zip.at("indptr").shape, std::vector<std::int64_t>{c.rows + 1});
  EXPECT_EQ(zip.at("indices").shape, std::vector<std::int64_t>{static_cast<std::int64_t>(c.indices.size())});
  EXPECT_EQ(zip.at("data").shape, std::vector<std::int64_t>{static_cast<std::int64_t>(c.data.size())});
  EXPECT_EQ(c.indices.size(), c.data.size());
  EXPECT_EQ(c.indptr.size(), static_cast<std::size_t>(c.rows + 1));
  if (c.indptr.size() != static_cast<std::size_t>(c.rows + 1)) return c;
  EXPECT_EQ(c.indptr.front(), 0);
  EXPECT_EQ(c.indptr.back(), static_cast<std::int64_t>(c.indices.size()));
  for (std::int64_t r = 0; r < c.rows; ++r) {
    EXPECT_LE(c.indptr[r], c.indptr[r + 1]);
    for (std::int64_t e = c.indptr[r]; e < c.indptr[r + 1]; ++e) {
      EXPECT_GE(c.indices[e], 0);
      EXPECT_LT(c.indices[e], c.cols);
      if (e > c.indptr[r]) {
        EXPECT_LT(c.indices[e - 1], c.indices[e]) << "row " << r << " not sorted";
      }
    }
  }
  return c;
}

Eigen::MatrixXd dense(const Csr& c) {
  Eigen::MatrixXd m = Eigen::MatrixXd::Zero(c.rows, c.cols);
  for (std::int64_t r = 0; r < c.rows; ++r)
    for (std::int64_t e = c.indptr[r]; e < c.indptr[r + 1]; ++e) m(r, c.indices[e]) = c.data[e];
  return m;
}

std::string writeFile(const std::string& name, const std::string& content) {
  const std::string path = testing::tempDir("cligrf") + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

// A w x h grid with a few weighted diagonals (irregular degrees), as an edge list.
std::string gridEdges(int w, int h) {
  std::ostringstream s;
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      const int i = y * w + x;
      if (x + 1 < w) s << i << ' ' << i + 1 << " 1\n";
      if (y + 1 < h) s << i << ' ' << i + w << " 1\n";
      if ((x + y) % 5 == 0 && x + 1 < w && y + 1 < h) s << i << ' ' << i + w + 1 << " 0.5\n";
    }
  return s.str();
}

std::string exportGrf(const std::string& graph, const std::string& what, const std::vector<std::string>& extra,
                      const std::string& tag) {
  const std::string out = testing::tempDir("grfnpz") + "/" + tag + ".npz";
  std::vector<std::string> args = {"export", graph, "--what", what, "--out", out};
  args.insert(args.end(), extra.begin(), extra.end());
  const auto r = runTopomask(args);
  EXPECT_EQ(r.status, 0) << r.err;
  return out;
}

TEST(CliGrf, NpzHoldsTheFiveArraysOfAScipyCsrArchive) {
  const std::string graph = writeFile("grid.edges", gridEdges(7, 5));
  for (const char* what : {"grf", "grf_keys"}) {
    const Csr c = readCsr(exportGrf(graph, what, {"--walkers", "8", "--seed", "5"}, what));
    EXPECT_EQ(c.rows, 35);
    EXPECT_EQ(c.cols, 35);
    EXPECT_GT(c.data.size(), 35u);  // walks leave their start node
  }
  // JSON names the shape and the side.
  const std::string out = testing::tempDir("grfjson") + "/p.npz";
  const auto r = runTopomask({"export", graph, "--what", "grf", "--out", out, "--nodes", "3:10", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["shape"], nlohmann::json({7, 35}));
  EXPECT_EQ(j["side"], "query");
  EXPECT_EQ(j["nodes"], nlohmann::json({3, 10}));
}

// Phi_Q Phi_K^T from the two archives equals the estimate `mask --dense` writes, for every ensemble
// and for a non-symmetric W (random-walk normalisation: the key side has its own loads).
TEST(CliGrf, QueryTimesKeysIsTheDenseMaskEstimate) {
  const std::string graph = writeFile("grid.edges", gridEdges(6, 6));
  struct Case {
    const char* ensemble;
    const char* norm;
  };
  for (const Case& c : {Case{"shared", "sym"}, Case{"independent", "sym"}, Case{"asymmetric", "sym"},
                        Case{"shared", "rw"}, Case{"independent", "rw"}}) {
    SCOPED_TRACE(std::string(c.ensemble) + " " + c.norm);
    const std::vector<std::string> options = {"--walkers", "6", "--seed", "11", "--ensembles", c.ensemble,
                                              "--norm", c.norm, "--sampling", "repelling"};
    const std::string tag = std::string(c.ensemble) + c.norm;
    const Eigen::MatrixXd q = dense(readCsr(exportGrf(graph, "grf", options, tag + "q")));
    const Eigen::MatrixXd k = dense(readCsr(exportGrf(graph, "grf_keys", options, tag + "k")));
    const std::string prefix = testing::tempDir("grfmask") + "/" + tag;
    std::vector<std::string> args = {"mask", graph, "--dense", "--out-prefix", prefix};
    args.insert(args.end(), options.begin(), options.end());
    const auto r = runTopomask(args);
    ASSERT_EQ(r.status, 0) << r.err;
    const Eigen::MatrixXd estimate = readNpy(prefix + "_grf.npy");
    const Eigen::MatrixXd product = q * k.transpose();
    ASSERT_EQ(product.rows(), estimate.rows());
    ASSERT_EQ(product.cols(), estimate.cols());
    EXPECT_LE((product - estimate).cwiseAbs().maxCoeff(), 1e-12 * estimate.cwiseAbs().maxCoeff());
    const std::string ensemble = c.ensemble;
    if (ensemble == "asymmetric") {
      EXPECT_TRUE(k == Eigen::MatrixXd::Identity(36, 36));
    }
    if (ensemble == "shared" && std::string(c.norm) == "sym") {
      EXPECT_TRUE(k == q);
    }
    if (ensemble == "independent") {
      EXPECT_FALSE(k == q);
    }
  }
}

// Shards crossing the sampler's 2048-node blocks, sampled with different thread counts, are bit for
// bit the rows of the full export.
TEST(CliGrf, ShardsAreBitForBitRowsOfTheFullExport) {
  const std::string graph = writeFile("grid.edges", gridEdges(80, 60));  // 4800 nodes
  const std::int64_t n = 4800;
  for (const char* what : {"grf", "grf_keys"}) {
    for (const char* ensemble : {"shared", "independent"}) {
      SCOPED_TRACE(std::string(what) + " " + ensemble);
      const std::vector<std::string> options = {"--walkers", "4", "--seed", "7", "--ensembles", ensemble, "--norm", "rw",
                                                "--sampling", "antithetic"};
      std::vector<std::string> full = options;
      full.insert(full.end(), {"--threads", "2"});
      const Csr all = readCsr(exportGrf(graph, what, full, std::string(what) + ensemble + "full"));
      ASSERT_EQ(all.rows, n);
      std::int64_t covered = 0;
      for (const auto& [a, b] : std::vector<std::pair<std::int64_t, std::int64_t>>{{0, 1}, {1, 2100}, {2100, 4799}, {4799, 4800}}) {
        std::vector<std::string> shardOptions = options;
        shardOptions.insert(shardOptions.end(), {"--nodes", std::to_string(a) + ":" + std::to_string(b), "--threads", "1"});
        const Csr shard = readCsr(exportGrf(graph, what, shardOptions, std::string(what) + ensemble + std::to_string(a)));
        ASSERT_EQ(shard.rows, b - a);
        ASSERT_EQ(shard.cols, n);
        const std::int64_t first = all.indptr[a], last = all.indptr[b];
        ASSERT_EQ(static_cast<std::int64_t>(shard.data.size()), last - first) << a << ":" << b;
        for (std::int64_t r = 0; r <= b - a; ++r) ASSERT_EQ(shard.indptr[r], all.indptr[a + r] - first) << "row " << a + r;
        EXPECT_TRUE(std::equal(shard.indices.begin(), shard.indices.end(), all.indices.begin() + first));
        EXPECT_EQ(std::memcmp(shard.data.data(), all.data.data() + first, shard.data.size() * sizeof(float)), 0)
            << "values of rows " << a << ":" << b << " differ from the full export";
        covered += b - a;
      }
      EXPECT_EQ(covered, n);
    }
  }
}

TEST(CliGrf, BadNodeRangesAreUsageErrors) {
  const std::string graph = writeFile("grid.edges", gridEdges(4, 4));
  const std::string out = testing::tempDir("grfbad") + "/p.npz";
  for (const char* range : {"5:3", "4:4", "0:17", "a:b", "3", "-1:2", "1:2:3", ":4", "2:", " 1:2", "1.5:3"}) {
    const auto r = runTopomask({"export", graph, "--what", "grf", "--out", out, "--nodes", range});
    EXPECT_EQ(r.status, 2) << range << ": " << r.err;
    EXPECT_NE(r.err.find("--nodes"), std::string::npos) << range << ": " << r.err;
  }
  const auto r = runTopomask({"export", graph, "--what", "features", "--out", testing::tempDir("grfbad") + "/f.npy", "--nodes", "0:2"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("--nodes"), std::string::npos) << r.err;
  // The last node alone and the whole range are fine.
  EXPECT_EQ(runTopomask({"export", graph, "--what", "grf_keys", "--out", out, "--nodes", "15:16"}).status, 0);
  EXPECT_EQ(runTopomask({"export", graph, "--what", "grf", "--out", out, "--nodes", "0:16"}).status, 0);
}

}  // namespace
}  // namespace topomask
