// The topomask binary end to end: exit statuses 0/2/3, JSON keys of SPEC section 8, help.
#include <filesystem>
#include <fstream>

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

}  // namespace
}  // namespace topomask
