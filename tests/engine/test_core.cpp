// core/: parallelFor partitions, RNG streams, .npy round trips and errors.
#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "support/test_graphs.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/npy.h"
#include "topomask/core/output_file.h"
#include "topomask/core/parallel.h"
#include "topomask/core/progress.h"
#include "topomask/core/rng.h"

namespace topomask {
namespace {

TEST(Parallel, EveryIndexExactlyOnceForAnyThreadCount) {
  for (int threads : {1, 2, 3, 7}) {
    std::vector<std::atomic<int>> hits(10007);
    parallelFor(0, 10007, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i) hits[static_cast<std::size_t>(i)]++;
    }, threads, 10);
    for (auto& h : hits) ASSERT_EQ(h.load(), 1) << threads << " threads";
  }
}

TEST(Parallel, RethrowsTheBodysException) {
  EXPECT_THROW(parallelFor(0, 100, [](std::int64_t lo, std::int64_t) {
    if (lo > 0) throw Error("boom");
  }, 4, 1), Error);
}

// The dynamic variant hands out fixed chunks: every index once, every call exactly one chunk
// [begin + k chunk, begin + (k + 1) chunk) clipped to end, for any thread count; a throwing body
// stops the loop and its exception reaches the caller.
TEST(Parallel, DynamicChunksCoverEveryIndexOnce) {
  for (int threads : {1, 2, 3, 7}) {
    std::vector<std::atomic<int>> hits(10007);
    std::atomic<int> badChunks{0};
    parallelForDynamic(5, 10007, [&](std::int64_t lo, std::int64_t hi) {
      if ((lo - 5) % 64 != 0 || hi != std::min<std::int64_t>(10007, lo + 64)) ++badChunks;
      for (std::int64_t i = lo; i < hi; ++i) hits[static_cast<std::size_t>(i)]++;
    }, threads, 64);
    EXPECT_EQ(badChunks.load(), 0) << threads << " threads";
    for (std::size_t i = 0; i < hits.size(); ++i) ASSERT_EQ(hits[i].load(), i >= 5 ? 1 : 0) << threads << " threads, index " << i;
  }
  std::atomic<int> calls{0};
  EXPECT_THROW(parallelForDynamic(0, 1000, [&](std::int64_t, std::int64_t) {
    ++calls;
    throw Error("boom");
  }, 2, 1), Error);
  EXPECT_LE(calls.load(), 2);  // each thread stops after its first (throwing) chunk
}

TEST(Rng, StreamsAreReproducibleAndDistinct) {
  Rng a(7, 3), b(7, 3), c(7, 4), d(8, 3);
  const auto x = a.next();
  EXPECT_EQ(x, b.next());
  EXPECT_NE(x, c.next());
  EXPECT_NE(x, d.next());
}

TEST(Rng, UniformMeanAndBelowRange) {
  // Mean of 1e5 uniforms: standard error 1/sqrt(12e5) ~ 9.1e-4; 5 sigma = 4.6e-3.
  Rng r(1);
  double sum = 0;
  for (int i = 0; i < 100000; ++i) {
    const double u = r.uniform();
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  EXPECT_NEAR(sum / 100000, 0.5, 4.6e-3);
  std::set<std::uint64_t> seen;
  for (int i = 0; i < 1000; ++i) {
    const auto v = r.below(5);
    ASSERT_LT(v, 5u);
    seen.insert(v);
  }
  EXPECT_EQ(seen.size(), 5u);
}

TEST(Npy, RoundTripMatrixAndVector) {
  const std::string dir = testing::tempDir("npy");
  Eigen::MatrixXd m(3, 4);
  m << 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, -12.5;
  writeNpy(dir + "/m.npy", m);
  EXPECT_MATRIX_NEAR(readNpy(dir + "/m.npy"), m, 0.0);
  Eigen::VectorXd v = Eigen::VectorXd::LinSpaced(5, 0, 1);
  writeNpy(dir + "/v.npy", v);
  const Eigen::MatrixXd back = readNpy(dir + "/v.npy");
  ASSERT_EQ(back.cols(), 1);
  EXPECT_MATRIX_NEAR(back, v, 0.0);
  // The header is padded to a multiple of 64 bytes, as numpy requires.
  std::ifstream in(dir + "/m.npy", std::ios::binary);
  char pre[10];
  in.read(pre, 10);
  const int headerLen = static_cast<unsigned char>(pre[8]) | (static_cast<unsigned char>(pre[9]) << 8);
  EXPECT_EQ((10 + headerLen) % 64, 0);
}

TEST(Npy, TruncatedAndGarbageFilesAreClearErrors) {
  const std::string dir = testing::tempDir("npybad");
  Eigen::MatrixXd m = Eigen::MatrixXd::Ones(100, 3);
  writeNpy(dir + "/m.npy", m);
  std::ifstream in(dir + "/m.npy", std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), {});
  for (std::size_t cut : {std::size_t{0}, std::size_t{5}, std::size_t{60}, bytes.size() - 1}) {
    std::ofstream(dir + "/cut.npy", std::ios::binary) << bytes.substr(0, cut);
    try {
      readNpy(dir + "/cut.npy");
      ADD_FAILURE() << "cut at " << cut << " was accepted";
    } catch (const Error& e) {
      EXPECT_NE(std::string(e.what()).find("cut.npy"), std::string::npos) << e.what();
    }
  }
  std::ofstream(dir + "/junk.npy") << "hello, world";
  EXPECT_THROW(readNpy(dir + "/junk.npy"), Error);
  EXPECT_THROW(readNpy(dir + "/missing.npy"), Error);
}

TEST(Progress, CancelIsObserved) {
  Progress p;
  p.report(0.25);
  EXPECT_DOUBLE_EQ(p.fraction(), 0.25);
  EXPECT_NO_THROW(p.throwIfCancelled());
  p.cancel();
  EXPECT_THROW(reportProgress(&p, 0.5), Cancelled);
}

TEST(Budget, ByteSizesParseAndBadOnesAreUsageErrors) {
  EXPECT_EQ(parseByteSize("512M", "--memory-limit"), 512000000u);
  EXPECT_EQ(parseByteSize("8G", "x"), 8000000000u);
  EXPECT_EQ(parseByteSize("1.5gb", "x"), 1500000000u);
  EXPECT_EQ(parseByteSize("123", "x"), 123u);
  for (const char* bad : {"", "lots", "-1G", "8Q", "1e300T", "nan"}) {
    try {
      (void)parseByteSize(bad, "--memory-limit");
      ADD_FAILURE() << "accepted '" << bad << "'";
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::Usage);
      EXPECT_NE(std::string(e.what()).find("--memory-limit"), std::string::npos);
    }
  }
}

TEST(Budget, RequireMemoryNamesEstimateAndBudget) {
  EXPECT_NO_THROW(requireMemory(1e6, "x", 2000000));
  try {
    requireMemory(6.2e9, "GRF features", 100000000);
    ADD_FAILURE();
  } catch (const Error& e) {
    EXPECT_EQ(e.kind(), Error::Kind::Usage);
    const std::string w = e.what();
    EXPECT_NE(w.find("6.2 GB"), std::string::npos) << w;
    EXPECT_NE(w.find("100 MB"), std::string::npos) << w;
  }
  EXPECT_THROW(requireMemory(std::numeric_limits<double>::quiet_NaN(), "x", 1u << 30), Error);
  EXPECT_THROW(requireMemory(std::numeric_limits<double>::infinity(), "x", 1u << 30), Error);
  EXPECT_GT(availableMemoryBytes(), 0u);
  EXPECT_EQ(memoryBudget(12345), 12345u);
}

std::string slurpFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST(OutputFile, AtomicWriteReplacesOnlyOnSuccess) {
  namespace fs = std::filesystem;
  const std::string dir = testing::tempDir("atomic");
  const std::string path = dir + "/out.txt";
  writeFileAtomically(path, std::string_view("first"));
  EXPECT_EQ(slurpFile(path), "first");
  // A failure while filling keeps the old file and leaves no temporary file.
  EXPECT_THROW(writeFileAtomically(path, [](std::ostream& out) {
                 out << "partial";
                 throw Error("boom");
               }),
               Error);
  EXPECT_EQ(slurpFile(path), "first");
  for (const auto& e : fs::directory_iterator(dir)) EXPECT_EQ(e.path().filename(), "out.txt");
  writeFileAtomically(path, std::string_view("second"));
  EXPECT_EQ(slurpFile(path), "second");
  EXPECT_THROW(writeFileAtomically(dir + "/no-such-folder/x.txt", std::string_view("x")), Error);
  EXPECT_THROW(writeFileAtomically(dir, std::string_view("x")), Error);  // a directory
}

TEST(OutputFile, OutputOverAnInputIsRefused) {
  namespace fs = std::filesystem;
  const std::string dir = testing::tempDir("overinput");
  const std::string in = dir + "/in.off";
  std::ofstream(in) << "OFF";
  const std::string link = dir + "/link.off";
  fs::remove(link);
  fs::create_symlink(in, link);
  for (const std::string& out : {in, link, dir + "/./in.off"}) {
    try {
      refuseOutputOverInput(out, {"", in}, "--out");
      ADD_FAILURE() << out;
    } catch (const Error& e) {
      EXPECT_EQ(e.kind(), Error::Kind::Usage);
      EXPECT_NE(std::string(e.what()).find("refusing to overwrite"), std::string::npos);
    }
  }
  EXPECT_NO_THROW(refuseOutputOverInput(dir + "/new.npy", {in}, "--out"));
  std::ofstream(dir + "/other.off") << "OFF";
  EXPECT_NO_THROW(refuseOutputOverInput(dir + "/other.off", {in}, "--out"));
}

}  // namespace
}  // namespace topomask
