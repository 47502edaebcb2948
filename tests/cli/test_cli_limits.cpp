// Hostile command lines (issue: options without bounds, outputs that destroy inputs, silent
// nonsense): every predicted cost is checked before work (exit 2 naming the limit), no output may
// name an input, a failed write leaves no file, and every shared option is validated everywhere.
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <zlib.h>

#include "cli/cli_runner.h"
#include "support/test_graphs.h"

namespace topomask {
namespace {

namespace fs = std::filesystem;
using testing::runTopomask;
using testing::runTopomaskAfter;

std::string writeFile(const std::string& name, const std::string& content) {
  const std::string path = testing::tempDir("clilimits") + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

std::string readFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string pathGraph(int n) {
  std::string text;
  for (int i = 0; i + 1 < n; ++i) text += std::to_string(i) + " " + std::to_string(i + 1) + "\n";
  return text;
}

// A PNG of 8-bit grey rows (`raw`: each row a filter byte then the pixels), compressed by zlib.
std::string greyPng(std::uint32_t width, std::uint32_t height, const std::string& raw) {
  auto be = [](std::uint32_t v) {
    return std::string{static_cast<char>(v >> 24), static_cast<char>(v >> 16), static_cast<char>(v >> 8), static_cast<char>(v)};
  };
  auto chunk = [&](const std::string& kind, const std::string& body) {
    const std::string kb = kind + body;
    return be(static_cast<std::uint32_t>(body.size())) + kb +
           be(static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(kb.data()), static_cast<uInt>(kb.size()))));
  };
  uLongf size = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(size, '\0');
  compress2(reinterpret_cast<Bytef*>(packed.data()), &size, reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()), 9);
  packed.resize(size);
  const std::string ihdr = be(width) + be(height) + std::string{8, 0, 0, 0, 0};
  return std::string("\x89PNG\r\n\x1a\n", 8) + chunk("IHDR", ihdr) + chunk("IDAT", packed) + chunk("IEND", "");
}

const char* kTetrahedron = "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n";

// --max-len 2^31-1 made `cap + 1` overflow and crashed five subcommands; bench printed the failure
// as a row and exited 0. Now every one refuses before any work.
TEST(CliLimits, HugeMaxLenIsRefusedEverywhere) {
  const std::string tet = writeFile("tet.off", kTetrahedron);
  const std::string out = testing::tempDir("clilimits") + "/never";
  const std::vector<std::vector<std::string>> commands = {
      {"mask", tet}, {"attention", tet}, {"convergence", tet, "--trials", "1"},
      {"export", tet, "--what", "mask", "--out", out + ".npy"}, {"render", tet, "--view", "grf", "--out", out + ".png"},
      {"bench", "--sizes", "16", "--methods", "grf_features"}, {"info", tet}};
  for (auto args : commands) {
    args.insert(args.end(), {"--max-len", "2147483647"});
    const auto r = runTopomask(args, 60);
    EXPECT_EQ(r.status, 2) << args[0] << ": " << r.err;
    EXPECT_NE(r.err.find("--max-len"), std::string::npos) << args[0] << ": " << r.err;
    EXPECT_FALSE(fs::exists(out + ".npy") || fs::exists(out + ".png"));
  }
}

TEST(CliLimits, OptionsAtIntegerLimitsAreUsageErrors) {
  const std::string tet = writeFile("tet.off", kTetrahedron);
  for (const std::vector<std::string>& extra : std::vector<std::vector<std::string>>{
           {"--p", "2147483647", "--kernel", "pstep"}, {"--k", "2147483647"}, {"--patch", "2147483647"},
           {"--walkers", "2147483647"}, {"--walkers", "0"}, {"--max-len", "-1"}, {"--p", "1e9"},
           {"--beta", "nan"}, {"--kernel", "bogus"}, {"--sigma", "inf"}, {"--memory-limit", "lots"}, {"--threads", "-3"}}) {
    std::vector<std::string> args = {"info", tet};  // info does not use the mask or GRFs: still validated
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runTopomask(args, 60);
    EXPECT_EQ(r.status, 2) << extra[0] << " " << extra[1] << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  }
}

TEST(CliLimits, PredictedCostBeyondTheBudgetIsRefusedBeforeWork) {
  // 20000-node path: 4096 walkers would give rows of ~20000 entries, 3.2 GB of features.
  const std::string path = writeFile("path20k.edges", pathGraph(20000));
  auto r = runTopomask({"mask", path, "--walkers", "4096", "--memory-limit", "100M"}, 60);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("GRF features"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("GB"), std::string::npos) << r.err;  // the estimate, in words a user reads
  EXPECT_NE(r.err.find("100 MB"), std::string::npos) << r.err;  // the budget it exceeds
  // Without a memory limit the same walk count on the tiny graph runs.
  const std::string tet = writeFile("tet.off", kTetrahedron);
  EXPECT_EQ(runTopomask({"mask", tet, "--walkers", "4096", "--json"}, 60).status, 0);

  // A radius graph whose radius covers everything: N^2 / 2 edges, predicted from sampled counts.
  std::string xyz;
  for (int i = 0; i < 4000; ++i)
    xyz += std::to_string(i % 20) + " " + std::to_string((i / 20) % 20) + " " + std::to_string(i / 400) + "\n";
  const std::string cloud = writeFile("cube.xyz", xyz);
  r = runTopomask({"info", cloud, "--graph", "radius", "--radius", "1e300", "--memory-limit", "100M"}, 60);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("radius graph"), std::string::npos) << r.err;

  // An image whose decoded samples exceed the budget is refused from its header, before decoding.
  {
    // A valid 4000 x 3000 grey PNG (rows of zeros compress ~1000:1): 48 MB as floats.
    std::string raw;
    for (int y = 0; y < 3000; ++y) raw += std::string(1, '\0') + std::string(4000, '\0');
    const std::string png = greyPng(4000, 3000, raw);
    const std::string path = writeFile("big.png", png);
    r = runTopomask({"info", path, "--memory-limit", "10M"}, 60);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_NE(r.err.find("decoding 4000 x 3000 x 1 samples"), std::string::npos) << r.err;
  }
  // Dense matrices and attention sizes have fixed limits.
  EXPECT_EQ(runTopomask({"mask", tet, "--dense", "--dense-cap", "1000000"}).status, 2);
  r = runTopomask({"attention", tet, "--d", "3000", "--m", "3000"}, 60);
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--d"), std::string::npos) << r.err;
  EXPECT_EQ(runTopomask({"convergence", tet, "--trials", "1000000000"}).status, 2);
  EXPECT_EQ(runTopomask({"bench", "--sizes", "1000000000000"}).status, 2);
}

TEST(CliLimits, NegativeQueryIsRefused) {
  const std::string tet = writeFile("tet.off", kTetrahedron);
  auto r = runTopomask({"attention", tet, "--query", "-1"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find("--query"), std::string::npos) << r.err;
  r = runTopomask({"render", tet, "--view", "exact", "--query", "-1", "--out", testing::tempDir("clilimits") + "/q.png"});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_EQ(runTopomask({"mask", tet, "--query", "-1"}).status, 2);
}

TEST(CliLimits, OutputNamingAnInputIsRefusedAndTheInputKept) {
  const std::string dir = testing::tempDir("clilimits_same");
  const std::string tet = dir + "/tet.off";
  std::ofstream(tet, std::ios::binary) << kTetrahedron;
  const std::string before = readFile(tet);
  // The same file by another spelling, and a hard link to it.
  const std::string other = dir + "/../" + fs::path(dir).filename().string() + "/./tet.off";
  const std::string link = dir + "/hard.off";
  fs::remove(link);
  fs::create_hard_link(tet, link);
  for (const std::string& out : {tet, other, link}) {
    const auto r = runTopomask({"export", tet, "--what", "features", "--out", out});
    EXPECT_EQ(r.status, 2) << out << ": " << r.err;
    EXPECT_NE(r.err.find("refusing to overwrite"), std::string::npos) << r.err;
    EXPECT_EQ(readFile(tet), before);
  }
  EXPECT_EQ(runTopomask({"render", tet, "--view", "exact", "--out", tet}).status, 2);
  EXPECT_EQ(runTopomask({"convergence", tet, "--trials", "1", "--csv", tet}).status, 2);
  EXPECT_EQ(runTopomask({"mask", tet, "--out-prefix", dir + "/tet.off_exact"}).status, 0);  // a different file
  EXPECT_EQ(readFile(tet), before);
}

// A write that fails (here: a file-size limit, as a full disk would) exits 3 and leaves no file, and
// an existing file of that name keeps its old content.
TEST(CliLimits, FailedWritesLeaveNoPartialFile) {
  const std::string dir = testing::tempDir("clilimits_full");
  const std::string graph = writeFile("path300.edges", pathGraph(300));
  const std::string npy = dir + "/mask.npy";  // 300 x 300 doubles: 720 KB
  fs::remove(npy);
  auto r = runTopomaskAfter("ulimit -f 64;", {"export", graph, "--what", "mask", "--out", npy});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_NE(r.err.find("write failed"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(npy));
  std::ofstream(npy) << "old";
  r = runTopomaskAfter("ulimit -f 64;", {"export", graph, "--what", "mask", "--out", npy});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_EQ(readFile(npy), "old");

  const std::string png = dir + "/plot.png";
  fs::remove(png);
  r = runTopomaskAfter("ulimit -f 8;", {"convergence", graph, "--walkers", "2,4", "--trials", "2", "--plot", png});
  EXPECT_EQ(r.status, 3) << r.err;
  EXPECT_FALSE(fs::exists(png));
  for (const auto& entry : fs::directory_iterator(dir))  // no temporary file left behind either
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  // Without the limit both succeed.
  EXPECT_EQ(runTopomask({"export", graph, "--what", "mask", "--out", npy}).status, 0);
  EXPECT_EQ(fs::file_size(npy), 128u + 300u * 300u * 8u);
}

// bench: a child that fails makes the whole command fail (exit 3) after printing the table.
TEST(CliLimits, BenchFailureIsNotSuccess) {
  const auto r = runTopomask({"bench", "--sizes", "16", "--methods", "exact_masked", "--kernel", "reglap1", "--beta", "5"}, 120);
  EXPECT_EQ(r.status, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("failed"), std::string::npos) << r.err;
}

// 100,000 copies of one point made the kNN search take minutes; they are merged with a warning.
TEST(CliLimits, IdenticalPointsLoadFastAndMerge) {
  std::string xyz;
  for (int i = 0; i < 100000; ++i) xyz += "1.5 2.5 3.5\n";
  xyz += "4 5 6\n";
  const std::string cloud = writeFile("same.xyz", xyz);
  const auto r = runTopomask({"info", cloud, "--json"}, 60);  // a hang is status 124
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["nodes"], 2);
  ASSERT_FALSE(j["warnings"].empty());
  EXPECT_NE(j["warnings"].dump().find("99999 coincident points merged"), std::string::npos) << j["warnings"].dump();
}

}  // namespace
}  // namespace topomask

namespace topomask {
namespace {

// The engine validates the graph, mask and GRF options and names the parameter; the command line
// words it as its own flag (and never as the engine's name or the Python keyword).
TEST(CliLimits, OptionErrorsComeFromTheEngineWordedAsFlags) {
  const std::string tet = writeFile("tet-words.off", kTetrahedron);
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--sampling", "antithetic", "--walkers", "5"}, "--walkers: antithetic termination pairs the walkers"},
      {{"--walkers", "0"}, "--walkers: must be between 1 and"},
      {{"--p-halt", "1.5"}, "--p-halt: must be in [0, 1)"},
      {{"--max-len", "-3"}, "--max-len: the walk length cap must be between 0"},
      {{"--p-halt", "0", "--max-len", "0"}, "--max-len: walks that never halt"},
      {{"--k", "0"}, "--k: the number of nearest neighbours must be between 1 and"},
      {{"--threads", "-3"}, "--threads: must be between 0 (all cores) and 1024"},
      {{"--beta", "nan"}, "--beta: must be finite"},
      {{"--kernel", "pstep", "--p", "99999"}, "--p: the p-step power must be an integer"}};
  for (const auto& [extra, expected] : cases) {
    std::vector<std::string> args = {"mask", tet};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runTopomask(args, 60);
    EXPECT_EQ(r.status, 2) << expected << ": " << r.err;
    EXPECT_NE(r.err.find(expected), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("max_length"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace topomask
