// --tokens F.npz [--head H]: a model's own Q, K, V in `attention`, `export --what tokens|attention`
// and `render`. The archives are written here with minizip's zip side (stored or deflated, the
// .npy bytes made by hand), independently of the engine's reader; the expected attention is the
// formula of SPEC section 6 evaluated here with Eigen on the dense mask `export --what mask` writes.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <limits>
#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <zip.h>

#include "cli/cli_runner.h"
#include "support/test_graphs.h"
#include "topomask/core/npy.h"
#include "topomask/core/npz.h"

namespace topomask {
namespace {

using testing::runTopomask;
using RowMatrix = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// A .npy file: header (format 1.0, padded to 64 bytes) and the C-order data.
std::string npyBytes(const std::string& descr, const std::vector<std::int64_t>& shape, const void* data, std::size_t bytes,
                     bool fortran = false) {
  std::string dims;
  for (std::size_t i = 0; i < shape.size(); ++i) dims += std::to_string(shape[i]) + (shape.size() == 1 || i + 1 < shape.size() ? "," : "");
  std::string header = "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': (" + dims + "), }";
  header.append((64 - (10 + header.size() + 1) % 64) % 64, ' ');
  header.push_back('\n');
  std::string out = std::string("\x93NUMPY\x01\x00", 8);
  out.push_back(static_cast<char>(header.size() & 0xff));
  out.push_back(static_cast<char>(header.size() >> 8));
  return out + header + std::string(static_cast<const char*>(data), bytes);
}

std::string npyOf(const Eigen::MatrixXd& m) {  // N x d float64, C order
  const RowMatrix r = m;
  return npyBytes("<f8", {m.rows(), m.cols()}, r.data(), sizeof(double) * static_cast<std::size_t>(m.size()));
}

// H x N x d float32 from H matrices.
std::string npyOfHeads(const std::vector<Eigen::MatrixXd>& heads) {
  std::vector<float> data;
  for (const auto& m : heads)
    for (Eigen::Index i = 0; i < m.rows(); ++i)
      for (Eigen::Index j = 0; j < m.cols(); ++j) data.push_back(static_cast<float>(m(i, j)));
  return npyBytes("<f4", {static_cast<std::int64_t>(heads.size()), heads[0].rows(), heads[0].cols()}, data.data(),
                  data.size() * sizeof(float));
}

// A zip of the given members (name -> bytes), stored or deflated, written with minizip.
void writeZip(const std::string& path, const std::vector<std::pair<std::string, std::string>>& members, bool deflate) {
  zipFile zip = zipOpen64(path.c_str(), APPEND_STATUS_CREATE);
  ASSERT_NE(zip, nullptr) << path;
  for (const auto& [name, bytes] : members) {
    zip_fileinfo info{};
    ASSERT_EQ(zipOpenNewFileInZip64(zip, name.c_str(), &info, nullptr, 0, nullptr, 0, nullptr, deflate ? Z_DEFLATED : 0,
                                    deflate ? 6 : 0, 0),
              ZIP_OK);
    ASSERT_EQ(zipWriteInFileInZip(zip, bytes.data(), static_cast<unsigned>(bytes.size())), ZIP_OK);
    ASSERT_EQ(zipCloseFileInZip(zip), ZIP_OK);
  }
  ASSERT_EQ(zipClose(zip, nullptr), ZIP_OK);
}

void writeTokens(const std::string& path, const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& v,
                 bool deflate = false) {
  writeZip(path, {{"q.npy", npyOf(q)}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}}, deflate);
}

std::string readAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

// A 5 x 4 grid with a few diagonals (20 nodes, irregular degrees) as an edge list.
std::string writeGraph(const std::string& dir) {
  std::ofstream out(dir + "/g.edges");
  for (int y = 0; y < 4; ++y)
    for (int x = 0; x < 5; ++x) {
      const int i = y * 5 + x;
      if (x + 1 < 5) out << i << ' ' << i + 1 << '\n';
      if (y + 1 < 4) out << i << ' ' << i + 5 << '\n';
      if ((x + y) % 3 == 0 && x + 1 < 5 && y + 1 < 4) out << i << ' ' << i + 6 << '\n';
    }
  return dir + "/g.edges";
}
constexpr std::int64_t kNodes = 20;

Eigen::MatrixXd randomMatrix(Eigen::Index rows, Eigen::Index cols, unsigned seed) {
  std::srand(seed);
  return Eigen::MatrixXd::Random(rows, cols);
}

// Masked linear attention with phi(x) = max(x, 0) + 1e-6 (the relu map), by the formula:
// a_ij = phi(q_i).phi(k_j) M_ij / z_i, out = a V (rows are never guarded here: M > 0, phi > 0).
Eigen::MatrixXd attentionMatrix(const Eigen::MatrixXd& q, const Eigen::MatrixXd& k, const Eigen::MatrixXd& mask) {
  const Eigen::MatrixXd pq = (q.array().max(0.0) + 1e-6).matrix(), pk = (k.array().max(0.0) + 1e-6).matrix();
  Eigen::MatrixXd a = (pq * pk.transpose()).cwiseProduct(mask);
  const Eigen::VectorXd z = a.rowwise().sum();
  for (Eigen::Index i = 0; i < a.rows(); ++i) a.row(i) /= z(i);
  return a;
}

class TokensCli : public ::testing::Test {
 protected:
  void SetUp() override {
    dir = testing::tempDir("cli_tokens");
    graph = writeGraph(dir);
    const auto r = runTopomask({"export", graph, "--what", "mask", "--out", dir + "/mask.npy"});
    ASSERT_EQ(r.status, 0) << r.err;
    mask = readNpy(dir + "/mask.npy");
    ASSERT_EQ(mask.rows(), kNodes);
    ASSERT_GT(mask.minCoeff(), 0.0) << "heat masks of a connected graph are positive";
  }
  std::string dir, graph;
  Eigen::MatrixXd mask;
};

TEST_F(TokensCli, AttentionWithGivenTokensIsTheFormula) {
  const Eigen::MatrixXd q = randomMatrix(kNodes, 6, 1), k = randomMatrix(kNodes, 6, 2), v = randomMatrix(kNodes, 4, 3);
  const std::string tokens = dir + "/t.npz";
  writeTokens(tokens, q, k, v);
  const Eigen::MatrixXd a = attentionMatrix(q, k, mask);
  const Eigen::MatrixXd expected = a * v;

  for (const char* method : {"exact_masked", "dense"}) {
    const std::string out = dir + "/att_" + method + ".npy";
    const auto r = runTopomask({"export", graph, "--what", "attention", "--method", method, "--tokens", tokens, "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const Eigen::MatrixXd got = readNpy(out);
    ASSERT_EQ(got.rows(), kNodes);
    ASSERT_EQ(got.cols(), 4) << "d_v of the file";
    EXPECT_MATRIX_NEAR(got, expected, std::string(method) == "dense" ? 1e-10 : 1e-7);  // propagation: 1e-9 tail
  }
  // Attention rows of chosen queries.
  const auto rows = runTopomask({"export", graph, "--what", "attention", "--tokens", tokens, "--query", "3", "--query", "17",
                                 "--out", dir + "/rows.npy"});
  ASSERT_EQ(rows.status, 0) << rows.err;
  const Eigen::MatrixXd got = readNpy(dir + "/rows.npy");
  ASSERT_EQ(got.rows(), 2);
  EXPECT_MATRIX_NEAR(got.row(0), a.row(3), 1e-8);
  EXPECT_MATRIX_NEAR(got.row(1), a.row(17), 1e-8);

  // `attention` (every method): the exact_masked row of the query, and the file named in the JSON.
  const auto r = runTopomask({"attention", graph, "--tokens", tokens, "--query", "7", "--json", "--out-prefix", dir + "/p"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["d"], 6);
  EXPECT_EQ(j["d_v"], 4);
  EXPECT_EQ(j["tokens"]["source"], "file");
  EXPECT_EQ(j["tokens"]["heads"], 1);
  const Eigen::MatrixXd methodRows = readNpy(dir + "/p_rows.npy");
  bool found = false;
  for (std::size_t m = 0; m < j["row_methods"].size(); ++m)
    if (j["row_methods"][m] == "exact_masked" || j["row_methods"][m] == "dense") {
      SCOPED_TRACE(j["row_methods"][m].get<std::string>());
      EXPECT_MATRIX_NEAR(methodRows.row(static_cast<Eigen::Index>(m)), a.row(7), 1e-8);
      found = true;
    }
  EXPECT_TRUE(found);
  // The projections give something else: the file really was used.
  const auto projected = runTopomask({"attention", graph, "--query", "7", "--json"});
  ASSERT_EQ(projected.status, 0) << projected.err;
  EXPECT_EQ(projected.json()["tokens"]["source"], "projections");
  EXPECT_NE(projected.json()["methods"]["exact_masked"]["query_row"]["max"], j["methods"]["exact_masked"]["query_row"]["max"]);
}

TEST_F(TokensCli, StoredDeflatedAndEngineWrittenArchivesAgree) {
  const Eigen::MatrixXd q = randomMatrix(kNodes, 5, 4), k = randomMatrix(kNodes, 5, 5), v = randomMatrix(kNodes, 5, 6);
  const std::string stored = dir + "/stored.npz", deflated = dir + "/deflated.npz", engine = dir + "/engine.npz";
  writeTokens(stored, q, k, v, false);
  writeTokens(deflated, q, k, v, true);
  const RowMatrix qr = q, kr = k, vr = v;
  writeNpz(engine, {{"v", "<f8", {kNodes, 5}, vr.data(), sizeof(double) * 100},
                    {"q", "<f8", {kNodes, 5}, qr.data(), sizeof(double) * 100},
                    {"k", "<f8", {kNodes, 5}, kr.data(), sizeof(double) * 100}});
  std::string first;
  for (const std::string& f : {stored, deflated, engine}) {
    const auto r = runTopomask({"export", graph, "--what", "tokens", "--tokens", f, "--out", dir + "/tok.npy"});
    ASSERT_EQ(r.status, 0) << f << ": " << r.err;
    const std::string bytes = readAll(dir + "/tok.npy");
    if (first.empty()) first = bytes;
    EXPECT_EQ(bytes, first) << f << " gives other tokens";
  }
  Eigen::MatrixXd expected(kNodes, 15);
  expected << q, k, v;
  EXPECT_MATRIX_NEAR(readNpy(dir + "/tok.npy"), expected, 0.0);
}

TEST_F(TokensCli, HeadSelectsOneOfSeveral) {
  std::vector<Eigen::MatrixXd> q, k, v;
  for (unsigned h = 0; h < 3; ++h) {
    q.push_back(randomMatrix(kNodes, 4, 10 + h));
    k.push_back(randomMatrix(kNodes, 4, 20 + h));
    v.push_back(randomMatrix(kNodes, 3, 30 + h));
  }
  const std::string tokens = dir + "/heads.npz";
  writeZip(tokens, {{"q.npy", npyOfHeads(q)}, {"k.npy", npyOfHeads(k)}, {"v.npy", npyOfHeads(v)}}, true);
  for (int h = 0; h < 3; ++h) {
    SCOPED_TRACE("head " + std::to_string(h));
    const std::string out = dir + "/tok" + std::to_string(h) + ".npy";
    auto r = runTopomask({"export", graph, "--what", "tokens", "--tokens", tokens, "--head", std::to_string(h), "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    Eigen::MatrixXd expected(kNodes, 11);
    expected << q[h].cast<float>().cast<double>(), k[h].cast<float>().cast<double>(), v[h].cast<float>().cast<double>();
    EXPECT_MATRIX_NEAR(readNpy(out), expected, 0.0);
    r = runTopomask({"export", graph, "--what", "attention", "--tokens", tokens, "--head", std::to_string(h), "--out", out});
    ASSERT_EQ(r.status, 0) << r.err;
    const Eigen::MatrixXd qh = q[h].cast<float>().cast<double>(), kh = k[h].cast<float>().cast<double>(),
                          vh = v[h].cast<float>().cast<double>();
    EXPECT_MATRIX_NEAR(readNpy(out), attentionMatrix(qh, kh, mask) * vh, 1e-7);
  }
  const auto r = runTopomask({"attention", graph, "--tokens", tokens, "--head", "2", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.json()["tokens"]["head"], 2);
  EXPECT_EQ(r.json()["tokens"]["heads"], 3);
  const auto out = runTopomask({"attention", graph, "--tokens", tokens, "--head", "3"});
  EXPECT_EQ(out.status, 2) << out.err;
  EXPECT_NE(out.err.find("head 3"), std::string::npos) << out.err;
  EXPECT_NE(out.err.find("3 heads"), std::string::npos) << out.err;
}

// Each bad file: exit 3 and a message naming the file, the array and the cause.
TEST_F(TokensCli, BadFilesAreClearErrors) {
  const Eigen::MatrixXd q = randomMatrix(kNodes, 4, 7), k = randomMatrix(kNodes, 4, 8), v = randomMatrix(kNodes, 4, 9);
  struct Case {
    std::string name;
    std::vector<std::pair<std::string, std::string>> members;
    std::vector<std::string> words;  // in the message
  };
  Eigen::MatrixXd withNan = v;
  withNan(5, 2) = std::numeric_limits<double>::quiet_NaN();
  Eigen::MatrixXd withInf = q;
  withInf(0, 0) = std::numeric_limits<double>::infinity();
  const double line[3] = {1, 2, 3};
  const std::string goodQ = npyOf(q);
  std::string badMagic = goodQ;
  badMagic[1] = 'X';
  std::string truncated = goodQ.substr(0, goodQ.size() - 8);
  std::string badHeader = goodQ;
  badHeader.replace(badHeader.find("'shape'"), 7, "'shapf'");
  const std::vector<Case> cases = {
      {"missing", {{"q.npy", goodQ}, {"v.npy", npyOf(v)}}, {"no array 'k'", "q, v"}},
      {"onedim", {{"q.npy", npyBytes("<f8", {3}, line, sizeof line)}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}},
       {"array 'q'", "(3,)"}},
      {"mixeddims", {{"q.npy", goodQ}, {"k.npy", npyOfHeads({k, k})}, {"v.npy", npyOf(v)}}, {"array 'k'", "(2, 20, 4)"}},
      {"d", {{"q.npy", goodQ}, {"k.npy", npyOf(randomMatrix(kNodes, 5, 1))}, {"v.npy", npyOf(v)}}, {"array 'k'", "d = 5"}},
      {"rows", {{"q.npy", goodQ}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(randomMatrix(kNodes - 1, 4, 1))}},
       {"array 'v'", "19 rows"}},
      {"nodes", {{"q.npy", npyOf(q.topRows(12))}, {"k.npy", npyOf(k.topRows(12))}, {"v.npy", npyOf(v.topRows(12))}},
       {"12 rows", "20 nodes"}},
      {"limit", {{"q.npy", npyOf(Eigen::MatrixXd::Ones(kNodes, 1025))}, {"k.npy", npyOf(Eigen::MatrixXd::Ones(kNodes, 1025))},
                 {"v.npy", npyOf(v)}},
       {"array 'q'", "1025 columns", "1024"}},
      {"nan", {{"q.npy", goodQ}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(withNan)}}, {"array 'v'", "non-finite", "row 5"}},
      {"inf", {{"q.npy", npyOf(withInf)}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}}, {"array 'q'", "non-finite"}},
      {"magic", {{"q.npy", badMagic}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}}, {"array 'q'", "magic"}},
      {"header", {{"q.npy", badHeader}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}}, {"array 'q'", "shape"}},
      {"truncated", {{"q.npy", truncated}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}}, {"array 'q'", "truncated"}},
      {"dtype", {{"q.npy", npyBytes("<c16", {1, 1}, line, 16)}, {"k.npy", npyOf(k)}, {"v.npy", npyOf(v)}},
       {"array 'q'", "dtype '<c16'"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string path = dir + "/bad_" + c.name + ".npz";
    writeZip(path, c.members, c.name == "rows");
    for (const char* what : {"attention", "tokens"}) {
      const auto r = what == std::string("attention") ? runTopomask({"attention", graph, "--tokens", path})
                                                      : runTopomask({"export", graph, "--what", what, "--tokens", path,
                                                                     "--out", dir + "/never.npy"});
      EXPECT_EQ(r.status, 3) << r.err;
      EXPECT_NE(r.err.find(path), std::string::npos) << r.err;
      for (const std::string& w : c.words) EXPECT_NE(r.err.find(w), std::string::npos) << "'" << w << "' not in: " << r.err;
      EXPECT_EQ(r.err.find("internal error"), std::string::npos) << r.err;
    }
  }
  EXPECT_FALSE(std::ifstream(dir + "/never.npy").good()) << "nothing is written on failure";

  // Not a zip; a zip whose member fails its CRC; no such file.
  std::ofstream(dir + "/junk.npz") << "this is not a zip archive at all";
  writeTokens(dir + "/crc.npz", q, k, v, false);
  std::string bytes = readAll(dir + "/crc.npz");
  const std::size_t data = bytes.find("\x93NUMPY", bytes.find("k.npy")) + 200;  // inside k's data
  bytes[data] = static_cast<char>(bytes[data] ^ 0x55);
  std::ofstream(dir + "/crc.npz", std::ios::binary) << bytes;
  for (const auto& [file, word] : std::vector<std::pair<std::string, std::string>>{
           {dir + "/junk.npz", "not a .npz"}, {dir + "/crc.npz", "CRC"}, {dir + "/none.npz", "no such file"}}) {
    const auto r = runTopomask({"attention", graph, "--tokens", file});
    EXPECT_EQ(r.status, 3) << r.err;
    EXPECT_NE(r.err.find(file), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(word), std::string::npos) << r.err;
  }
  const auto crc = runTopomask({"attention", graph, "--tokens", dir + "/crc.npz"});
  EXPECT_NE(crc.err.find("array 'k'"), std::string::npos) << crc.err;
}

// Mistakes on the command line: exit 2.
TEST_F(TokensCli, UsageMistakesExitTwo) {
  const std::string tokens = dir + "/t.npz";
  writeTokens(tokens, randomMatrix(kNodes, 4, 1), randomMatrix(kNodes, 4, 2), randomMatrix(kNodes, 4, 3));
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"attention", graph, "--tokens", tokens, "--head", "1"}, "one head"},
      {{"attention", graph, "--tokens", tokens, "--head", "-1"}, "--head"},
      {{"attention", graph, "--head", "1"}, "--tokens"},
      {{"attention", graph, "--tokens", tokens, "--d", "8"}, "--d"},
      {{"export", graph, "--what", "mask", "--tokens", tokens, "--out", dir + "/m.npy"}, "--what tokens and attention"},
      {{"export", graph, "--what", "attention", "--tokens", tokens, "--feature-file", graph, "--out", dir + "/m.npy"}, "--tokens"},
      {{"export", graph, "--what", "attention", "--tokens", tokens, "--out", tokens}, "refusing to overwrite"},
      {{"render", graph, "--view", "exact", "--tokens", tokens, "--out", dir + "/r.png"}, "attention views"},
  };
  for (const auto& [args, word] : cases) {
    const auto r = runTopomask(args);
    EXPECT_EQ(r.status, 2) << args[0] << " " << args[3] << ": " << r.err;
    EXPECT_NE(r.err.find(word), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace topomask
