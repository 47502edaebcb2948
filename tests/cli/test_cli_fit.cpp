// topomask fit end to end: JSON keys, --out-f read back by `mask --kernel custom --f`, errors.
// The reference target of the round trip is the dense mask the `mask` command itself writes, and the
// fitted mask is the dense mask of `mask --kernel custom --f F.txt`; their relative Frobenius error
// is recomputed here and must equal the fit's rel_error to 1e-6 relative (both are the same double
// precision quantity, computed by eigendecompositions with round-off ~1e-15 relative to ||T||, far
// below the errors ~1e-3 compared).
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "cli/cli_runner.h"
#include "support/test_graphs.h"
#include "render/animation.h"
#include "topomask/core/npy.h"

namespace topomask {
namespace {

using testing::runTopomask;

// A 30-node ring with chords i -> i + 7 (every third node): connected, irregular degrees.
std::string ringWithChords() {
  const std::string path = testing::tempDir("clifit") + "/ring.edges";
  std::ofstream out(path);
  for (int i = 0; i < 30; ++i) out << i << " " << (i + 1) % 30 << "\n";
  for (int i = 0; i < 30; i += 3) out << i << " " << (i + 7) % 30 << "\n";
  return path;
}

TEST(CliFit, JsonKeysAndOutFRoundTrip) {
  const std::string graph = ringWithChords();
  const std::string dir = std::filesystem::path(graph).parent_path().string();
  const std::string fFile = dir + "/f.txt";
  const auto r = runTopomask({"fit", graph, "--target", "reglap1", "--target-beta", "0.5", "--terms", "3", "--json",
                              "--out-f", fFile});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  for (const char* key : {"f", "alpha", "loss", "rel_error", "rel_frobenius", "method", "seconds", "target", "terms",
                          "nodes", "truncated_rel_error", "iterations", "rows_used"})
    EXPECT_TRUE(j.contains(key)) << key;
  ASSERT_EQ(j["f"].size(), 3u);
  EXPECT_EQ(j["alpha"].size(), 5u);
  EXPECT_EQ(j["method"], "exact-spectral");
  EXPECT_EQ(j["nodes"], 30);
  EXPECT_EQ(j["target"]["name"], "reglap1");
  EXPECT_EQ(j["target"]["beta"], 0.5);
  ASSERT_TRUE(j["loss"].is_array());
  ASSERT_GE(j["loss"].size(), 1u);
  const double relError = j["rel_error"].get<double>();
  EXPECT_NEAR(j["loss"].back().get<double>(), relError * relError, 1e-12);
  EXPECT_LE(relError, j["truncated_rel_error"].get<double>());
  ASSERT_TRUE(std::filesystem::exists(fFile));

  // Reference target: the dense mask of the same kernel.
  const auto t = runTopomask({"mask", graph, "--kernel", "reglap1", "--beta", "0.5", "--dense", "--out-prefix",
                              dir + "/target", "--json"});
  ASSERT_EQ(t.status, 0) << t.err;
  // The fitted f, read from the file as it is.
  const auto m = runTopomask({"mask", graph, "--kernel", "custom", "--f", fFile, "--dense", "--out-prefix", dir + "/fit",
                              "--json"});
  ASSERT_EQ(m.status, 0) << m.err;
  const auto mj = m.json();
  for (std::size_t k = 0; k < 3; ++k) EXPECT_EQ(mj["mask"]["modulation"][k].get<double>(), j["f"][k].get<double>()) << k;
  const Eigen::MatrixXd target = readNpy(dir + "/target_exact.npy");
  const Eigen::MatrixXd fitted = readNpy(dir + "/fit_exact.npy");
  const double independent = (fitted - target).norm() / target.norm();
  EXPECT_NEAR(independent, relError, 1e-6 * relError);

  // The file's text works as a literal list too.
  std::ifstream in(fFile);
  std::string line;
  std::getline(in, line);
  const auto lit = runTopomask({"mask", graph, "--kernel", "custom", "--f", line, "--json"});
  ASSERT_EQ(lit.status, 0) << lit.err;
  EXPECT_EQ(lit.json()["mask"]["modulation"], mj["mask"]["modulation"]);

  // A dense target from that file gives the same fit as the kernel.
  const auto d = runTopomask({"fit", graph, "--target", "file:" + dir + "/target_exact.npy", "--terms", "3", "--json"});
  ASSERT_EQ(d.status, 0) << d.err;
  EXPECT_NEAR(d.json()["rel_error"].get<double>(), relError, 1e-6 * relError);
}

TEST(CliFit, DistanceAndSampled) {
  const std::string graph = ringWithChords();
  const auto r = runTopomask({"fit", graph, "--target", "distance", "--tau", "2", "--terms", "4", "--json"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.json()["target"]["distance"], "hops");  // an edge list has no geometry
  const auto s = runTopomask({"fit", graph, "--target", "heat", "--target-beta", "2", "--terms", "3", "--method",
                              "sampled", "--rows", "10", "--json"});
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.json()["method"], "sampled-rows");
  EXPECT_EQ(s.json()["rows_used"], 10);
  const auto text = runTopomask({"fit", graph, "--target", "cosine", "--terms", "2"});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("rel error"), std::string::npos) << text.out;
}

// --for-grf: a second fit for the GRF estimate at --walkers and --p-halt. Its expected error is
// no worse than that of the mask fit's f (it starts there and descends), its mask alone is no
// better (the mask fit is the best mask), and --out-f writes its f. The closed form itself is checked
// against sampled estimates in test_fit (FitGrf.*).
TEST(CliFit, ForGrfFitsTheEstimateAndWritesItsF) {
  const std::string graph = ringWithChords();
  const std::string fFile = std::filesystem::path(graph).parent_path().string() + "/f_grf.txt";
  const auto r = runTopomask({"fit", graph, "--target", "heat", "--target-beta", "2", "--terms", "4", "--for-grf", "--walkers",
                              "2", "--p-halt", "0.5", "--json", "--out-f", fFile});
  ASSERT_EQ(r.status, 0) << r.err;
  const auto j = r.json();
  ASSERT_TRUE(j.contains("grf_fit"));
  const auto& g = j["grf_fit"];
  for (const char* key : {"f", "alpha", "loss", "expected_rel_error", "mask_rel_error", "mask_fit_expected_rel_error", "walkers",
                          "p_halt", "ensemble", "iterations", "seconds"})
    EXPECT_TRUE(g.contains(key)) << key;
  EXPECT_EQ(g["walkers"], 2);
  EXPECT_EQ(g["ensemble"], "independent");
  EXPECT_LT(g["expected_rel_error"].get<double>(), g["mask_fit_expected_rel_error"].get<double>());
  EXPECT_GE(g["mask_rel_error"].get<double>(), 0.999 * j["rel_error"].get<double>());
  const auto m = runTopomask({"mask", graph, "--kernel", "custom", "--f", fFile, "--json"});
  ASSERT_EQ(m.status, 0) << m.err;
  for (std::size_t k = 0; k < 4; ++k) EXPECT_EQ(m.json()["mask"]["modulation"][k].get<double>(), g["f"][k].get<double>()) << k;
  // The closed form needs a symmetric W.
  const auto rw = runTopomask({"fit", graph, "--target", "heat", "--terms", "3", "--for-grf", "--norm", "rw"});
  EXPECT_EQ(rw.status, 2) << rw.err;
  EXPECT_NE(rw.err.find("symmetric"), std::string::npos) << rw.err;
}

TEST(CliFit, BadInputsExitTwo) {
  const std::string graph = ringWithChords();
  const std::string dir = std::filesystem::path(graph).parent_path().string();
  writeNpy(dir + "/wrong.npy", Eigen::MatrixXd(Eigen::MatrixXd::Identity(29, 29)));
  const std::vector<std::vector<std::string>> cases = {
      {"--target", "nope", "--terms", "3"},
      {"--target", "heat", "--terms", "0"},
      {"--target", "heat", "--terms", "33"},
      {"--target", "distance", "--tau", "0"},
      {"--target", "distance", "--tau", "-1"},
      {"--target", "file:" + dir + "/wrong.npy"},
      {"--target", "file:"},
      {"--target", "heat", "--method", "exact", "--exact-cap", "10"},
      {"--target", "heat", "--method", "newton"},
      {"--terms", "3"},  // no --target
  };
  for (const auto& extra : cases) {
    std::vector<std::string> args = {"fit", graph};
    args.insert(args.end(), extra.begin(), extra.end());
    const auto r = runTopomask(args);
    EXPECT_EQ(r.status, 2) << extra[0] << " " << extra[1] << ": " << r.err;
    EXPECT_FALSE(r.err.empty());
  }
  // Input and numeric problems exit 3: a missing target file, a series that diverges on the graph.
  EXPECT_EQ(runTopomask({"fit", graph, "--target", "file:" + dir + "/missing.npy"}).status, 3);
  EXPECT_EQ(runTopomask({"fit", graph, "--target", "reglap1", "--target-beta", "1.5"}).status, 3);
}

}  // namespace
}  // namespace topomask

namespace topomask {
namespace {

// `render --view learn`: the fit replayed as a PNG and as GIF / MP4 animations with the requested
// frame count and size whose frames change; usage errors for the animation options (exit 2).
TEST(CliFit, RenderLearnWritesThePictureAndAnimations) {
  const std::string dir = testing::tempDir("clilearn");
  const std::string graph = ringWithChords();
  const testing::CliResult png = runTopomask({"render", graph, "--view", "learn", "--target", "reglap1", "--target-beta", "0.5",
                                              "--terms", "4", "--out", dir + "/l.png", "--json"});
  ASSERT_EQ(png.status, 0) << png.err;
  EXPECT_EQ(png.json()["width"], 1440);
  EXPECT_EQ(png.json()["height"], 480);
  EXPECT_TRUE(std::filesystem::file_size(dir + "/l.png") > 1000);
  for (const std::string ext : {"gif", "mp4"}) {
    const std::string out = dir + "/learn." + ext;
    const testing::CliResult r = runTopomask({"render", graph, "--view", "learn", "--terms", "5", "--animate", out, "--frames",
                                              "9", "--fps", "6", "--width", "900", "--height", "300", "--json"});
    ASSERT_EQ(r.status, 0) << r.err;
    const nlohmann::json j = r.json();
    EXPECT_TRUE(j["out"].is_null());
    EXPECT_EQ(j["animation"]["frames"], 9);
    EXPECT_EQ(j["animation"]["format"], ext);
    // What each frame shows: iterations from 0 to the last, the error never rising.
    const nlohmann::json& info = j["animation"]["frame_info"];
    ASSERT_EQ(info.size(), 9u);
    EXPECT_EQ(info[0]["iteration"], 0);
    for (std::size_t i = 1; i < info.size(); ++i) {
      EXPECT_GE(info[i]["iteration"].get<int>(), info[i - 1]["iteration"].get<int>());
      EXPECT_LE(info[i]["rel_error"].get<double>(), info[i - 1]["rel_error"].get<double>());
    }
    EXPECT_LT(info[8]["rel_error"].get<double>(), 0.1 * info[0]["rel_error"].get<double>());
    const render::Animation a = render::readAnimation(out);
    EXPECT_EQ(a.width, 900);
    EXPECT_EQ(a.height, 300);
    ASSERT_EQ(a.frames.size(), 9u) << ext;
    std::size_t changes = 0;
    for (std::size_t i = 1; i < a.frames.size(); ++i) changes += a.frames[i] != a.frames[i - 1];
    EXPECT_NE(a.frames.front(), a.frames.back()) << ext;
    EXPECT_GE(changes, 3u) << ext;
  }
  const std::vector<std::vector<std::string>> bad = {
      {"render", graph, "--view", "learn", "--animate", dir + "/x.avi"},
      {"render", graph, "--view", "exact", "--animate", dir + "/x.gif"},
      {"render", graph, "--view", "learn", "--animate", dir + "/x.gif", "--frames", "1"},
      {"render", graph, "--view", "learn", "--animate", dir + "/x.gif", "--fps", "0"},
      {"render", graph, "--view", "learn", "--out", dir + "/x.png", "--frames", "5"},
      {"render", graph, "--view", "exact", "--out", dir + "/x.png", "--target", "heat"},
      {"render", graph, "--view", "learn", "--out", dir + "/x.png", "--terms", "0"},
      {"render", graph, "--view", "learn"},
      {"render", graph, "--view", "learn", "--animate", dir + "/x.gif", "--frames", "10000", "--width", "16384", "--height", "16384"},
      {"render", graph, "--view", "learn", "--animate", graph + ".gif", "--out", graph + ".gif"},
  };
  for (const auto& args : bad) {
    const testing::CliResult r = runTopomask(args);
    std::string line;
    for (const auto& a : args) line += a + " ";
    EXPECT_EQ(r.status, 2) << line << "\n" << r.err;
    EXPECT_FALSE(r.err.empty()) << line;
  }
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.gif"));
  EXPECT_FALSE(std::filesystem::exists(dir + "/x.png"));
}

}  // namespace
}  // namespace topomask
