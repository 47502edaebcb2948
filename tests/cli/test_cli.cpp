// The topomask binary end to end: exit statuses 0/2/3, JSON keys of SPEC section 8, help.
#include <filesystem>
#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "support/test_graphs.h"

namespace topomask {
namespace {

using testing::runTopomask;

std::string writeFile(const std::string& name, const std::string& content) {
  const std::string path = testing::tempDir("clifiles") + "/" + name;
  std::ofstream(path, std::ios::binary) << content;
  return path;
}

const char* kTetrahedron = "OFF\n4 4 0\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n3 0 1 2\n3 0 1 3\n3 0 2 3\n3 1 2 3\n";

TEST(Cli, UnknownSubcommandIsUsageError) {
  const auto r = runTopomask({"no-such-subcommand"});
  EXPECT_EQ(r.status, 2);
  EXPECT_NE(r.err.find("no-such-subcommand"), std::string::npos) << r.err;
}

TEST(Cli, HelpExitsZero) {
  EXPECT_EQ(runTopomask({"--help"}).status, 0);
  const auto r = runTopomask({"info", "--help"});
  EXPECT_EQ(r.status, 0);
  EXPECT_NE(r.out.find("--graph"), std::string::npos);
}

TEST(Cli, InfoJsonKeysAndCounts) {
  const auto r = runTopomask({"info", writeFile("tet.off", kTetrahedron), "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["kind"], "mesh");
  EXPECT_EQ(j["nodes"], 4);
  EXPECT_EQ(j["edges"], 6);
  EXPECT_EQ(j["components"], 1);
  EXPECT_EQ(j["degree"]["min"], 3);
  EXPECT_EQ(j["degree"]["max"], 3);
  EXPECT_DOUBLE_EQ(j["degree"]["mean"].get<double>(), 3.0);
  EXPECT_NEAR(j["spectral_radius"].get<double>(), 1.0, 1e-9);
  EXPECT_TRUE(j["warnings"].is_array());
}

TEST(Cli, InfoOnEdgeListWithOptions) {
  const std::string path = writeFile("path.edges", "# path of 6 nodes\n0 1\n1 2\n2 3\n3 4\n4 5\n");
  const auto r = runTopomask({"info", path, "--json", "--sigma", "0.5"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  EXPECT_EQ(j["kind"], "graph");
  EXPECT_EQ(j["nodes"], 6);
  EXPECT_EQ(j["edges"], 5);
  EXPECT_NEAR(j["spectral_radius"].get<double>(), 0.5, 1e-9);
  // Text output names the counts too.
  const auto t = runTopomask({"info", path});
  EXPECT_EQ(t.status, 0);
  EXPECT_NE(t.out.find("nodes       6"), std::string::npos) << t.out;
}

TEST(Cli, BadOptionValuesAreUsageErrors) {
  const std::string tet = writeFile("tet.off", kTetrahedron);
  for (std::vector<std::string> extra : {std::vector<std::string>{"--graph", "no-such-graph"},
                                         {"--norm", "l2"}, {"--weights", "heavy"}, {"--k", "0"},
                                         {"--graph", "grid4"}, {"--threads", "many"}}) {
    std::vector<std::string> args = {"info", tet};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runTopomask(args);
    EXPECT_EQ(r.status, 2) << extra[0] << " " << extra[1] << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
}

TEST(Cli, InputErrorsExitThreeWithOneLine) {
  const std::string dir = testing::tempDir("clibad");
  const std::string empty = writeFile("empty.off", "");
  for (const std::string& path : {dir + "/does-not-exist.off", empty, writeFile("junk.ply", "\x01\x02garbage")}) {
    const auto r = runTopomask({"info", path});
    EXPECT_EQ(r.status, 3) << path << ": " << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find(std::filesystem::path(path).filename().string()), std::string::npos) << r.err;
  }
}

// Checks that every dotted key path exists in the document.
void expectKeys(const nlohmann::json& j, const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    const nlohmann::json* x = &j;
    std::string rest = path;
    while (!rest.empty()) {
      const auto dot = rest.find('.');
      const std::string key = rest.substr(0, dot);
      ASSERT_TRUE(x->is_object() && x->contains(key)) << "missing key " << path << " in " << j.dump().substr(0, 400);
      x = &(*x)[key];
      rest = dot == std::string::npos ? "" : rest.substr(dot + 1);
    }
  }
}

const char* kPath6 = "# path of 6 nodes\n0 1\n1 2\n2 3\n3 4\n4 5\n";

TEST(Cli, MaskJsonKeysAndNpyFiles) {
  const std::string path = writeFile("path.edges", kPath6);
  const std::string prefix = testing::tempDir("maskout") + "/m";
  const auto r = runTopomask({"mask", path, "--query", "0", "--dense", "--out-prefix", prefix, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  expectKeys(j, {"exact.method", "exact.terms", "exact.seconds", "grf.walkers", "grf.p_halt", "grf.nnz_per_row",
                 "grf.seconds", "error.rel_frobenius", "error.rel_frobenius_sq", "error.rows_used"});
  EXPECT_EQ(j["exact"]["method"], "dense");
  EXPECT_EQ(j["error"]["rows_used"], 6);  // exact over all rows below the dense cap
  EXPECT_EQ(j["grf"]["walkers"], 16);
  EXPECT_TRUE(std::filesystem::exists(prefix + "_exact.npy"));
  EXPECT_TRUE(std::filesystem::exists(prefix + "_grf.npy"));
  // A diverging series is an input-dependent error (3), an unknown kernel a usage error (2).
  EXPECT_EQ(runTopomask({"mask", path, "--kernel", "reglap1", "--beta", "2"}).status, 3);
  EXPECT_EQ(runTopomask({"mask", path, "--kernel", "gauss"}).status, 2);
  EXPECT_EQ(runTopomask({"mask", path, "--query", "99"}).status, 2);
}

TEST(Cli, MaskErrorFallsWithMoreWalkers) {
  // The relative Frobenius error of the GRF estimate (shared ensemble) falls roughly like
  // 1/sqrt(n); from 2 to 512 walkers it must fall by far more than the noise of one seed.
  const std::string path = writeFile("path.edges", kPath6);
  auto err = [&](const char* n) {
    const auto r = runTopomask({"mask", path, "--dense", "--walkers", n, "--json"});
    EXPECT_EQ(r.status, 0) << r.err;
    return r.json()["error"]["rel_frobenius"].get<double>();
  };
  EXPECT_LT(err("512"), 0.5 * err("2"));
}

TEST(Cli, ConvergenceJsonKeysAndCsv) {
  const std::string path = writeFile("path.edges", kPath6);
  const std::string csv = testing::tempDir("conv") + "/c.csv";
  const auto r = runTopomask({"convergence", path, "--walkers", "2,4,8", "--trials", "3", "--csv", csv, "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  expectKeys(j, {"walkers", "mean_rel_frobenius_sq", "stderr", "mean_rel_frobenius"});
  EXPECT_EQ(j["walkers"].size(), 3u);
  EXPECT_EQ(j["mean_rel_frobenius_sq"].size(), 3u);
  EXPECT_TRUE(std::filesystem::exists(csv));
  EXPECT_EQ(runTopomask({"convergence", path, "--walkers", "2,x"}).status, 2);
}

TEST(Cli, AttentionJsonKeys) {
  const auto r = runTopomask({"attention", writeFile("tet.off", kTetrahedron), "--query", "1", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  expectKeys(j, {"methods", "error.grf_vs_exact"});
  for (const char* m : {"dense", "linear", "exact_masked", "grf_masked"}) {
    expectKeys(j["methods"], {std::string(m) + ".seconds"});
  }
  EXPECT_FALSE(j["methods"].contains("toeplitz_fft"));  // grids only
}

TEST(Cli, BenchRowsAndExport) {
  const auto r = runTopomask({"bench", "--sizes", "64,128", "--graph", "path", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  ASSERT_TRUE(j["rows"].is_array());
  std::set<std::string> methods;
  for (const auto& row : j["rows"]) {
    expectKeys(row, {"n", "method", "seconds", "first_call_seconds", "repeats", "peak_rss_mb"});
    // seconds is the fastest of the calls, the first among them.
    EXPECT_LE(row["seconds"].get<double>(), row["first_call_seconds"].get<double>()) << row.dump();
    EXPECT_EQ(row["repeats"], 3) << row.dump();
    methods.insert(row["method"].get<std::string>());
  }
  for (const char* m : {"grf_features", "grf_masked", "exact_masked", "linear", "dense"}) EXPECT_TRUE(methods.count(m)) << m;
  const std::string out = testing::tempDir("export") + "/f.npy";
  const auto e = runTopomask({"export", writeFile("tet.off", kTetrahedron), "--what", "features", "--out", out});
  EXPECT_EQ(e.status, 0) << e.err;
  EXPECT_TRUE(std::filesystem::exists(out));
  EXPECT_EQ(runTopomask({"export", writeFile("tet.off", kTetrahedron), "--what", "everything", "--out", out}).status, 2);
}

}  // namespace
}  // namespace topomask
