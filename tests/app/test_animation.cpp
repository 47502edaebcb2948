// Animations: GIF (giflib) and MP4 (FFmpeg) written and read back with the requested frame count and
// size, frames that differ where the input differs, and errors that name the file and leave nothing
// behind (no partial file, an existing file untouched).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "render/animation.h"
#include "support/test_graphs.h"
#include "topomask/core/error.h"

namespace topomask::render {
namespace {

// Frame t: a colour ramp with a white square that moves 6 px a frame (few colours: exact in a GIF).
std::vector<std::uint8_t> frame(int w, int h, int t) {
  std::vector<std::uint8_t> rgba(static_cast<std::size_t>(w) * h * 4);
  for (int y = 0; y < h; ++y)
    for (int x = 0; x < w; ++x) {
      std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * w + x) * 4];
      const bool square = x >= 4 + 6 * t && x < 16 + 6 * t && y >= 8 && y < 20;
      p[0] = square ? 255 : static_cast<std::uint8_t>(40 * (x * 5 / w));
      p[1] = square ? 255 : static_cast<std::uint8_t>(60 + 30 * (y * 4 / h));
      p[2] = square ? 255 : 90;
      p[3] = 255;
    }
  return rgba;
}

double meanAbsDifference(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  double sum = 0;
  std::size_t count = 0;
  for (std::size_t i = 0; i < a.size() && i < b.size(); ++i)
    if (i % 4 != 3) sum += std::abs(int(a[i]) - int(b[i])), ++count;
  return count ? sum / count : 0;
}

TEST(Animation, GifRoundTripIsExactForFewColours) {
  const std::string path = testing::tempDir("anim") + "/a.gif";
  AnimationWriter writer(path, 64, 48, 8.0);
  for (int t = 0; t < 7; ++t) writer.add(frame(64, 48, t));
  writer.finish();
  EXPECT_EQ(writer.frames(), 7);
  EXPECT_EQ(writer.codec(), "gif");
  const Animation a = readAnimation(path);
  ASSERT_EQ(a.width, 64);
  ASSERT_EQ(a.height, 48);
  ASSERT_EQ(a.frames.size(), 7u);
  for (int t = 0; t < 7; ++t) EXPECT_EQ(a.frames[static_cast<std::size_t>(t)], frame(64, 48, t)) << "frame " << t;
  EXPECT_NE(a.frames[0], a.frames[1]);
}

TEST(Animation, GifOfManyColoursIsQuantisedClosely) {
  // 64 x 64 with 4096 colours: giflib's median cut to 256; each channel within a few levels.
  std::vector<std::uint8_t> rgba(64 * 64 * 4);
  for (int y = 0; y < 64; ++y)
    for (int x = 0; x < 64; ++x) {
      std::uint8_t* p = &rgba[(static_cast<std::size_t>(y) * 64 + x) * 4];
      p[0] = static_cast<std::uint8_t>(4 * x), p[1] = static_cast<std::uint8_t>(4 * y), p[2] = 128, p[3] = 255;
    }
  const std::string path = testing::tempDir("anim") + "/many.gif";
  AnimationWriter writer(path, 64, 64, 10.0);
  writer.add(rgba);
  writer.add(rgba);
  writer.finish();
  const Animation a = readAnimation(path);
  ASSERT_EQ(a.frames.size(), 2u);
  EXPECT_LT(meanAbsDifference(a.frames[0], rgba), 6.0);
}

TEST(Animation, Mp4RoundTripHasTheFramesAndPadsOddSizes) {
  const std::string path = testing::tempDir("anim") + "/a.mp4";
  AnimationWriter writer(path, 63, 47, 12.0);
  for (int t = 0; t < 9; ++t) writer.add(frame(63, 47, t));
  writer.finish();
  EXPECT_EQ(writer.frames(), 9);
  EXPECT_EQ(writer.width(), 64);
  EXPECT_EQ(writer.height(), 48);
  const Animation a = readAnimation(path);
  ASSERT_EQ(a.width, 64);
  ASSERT_EQ(a.height, 48);
  ASSERT_EQ(a.frames.size(), 9u);
  // Lossy (yuv420p): each decoded frame is closest to its own input, and consecutive frames differ.
  for (int t = 0; t < 9; ++t) {
    std::vector<std::uint8_t> padded(64 * 48 * 4);
    const std::vector<std::uint8_t> f = frame(63, 47, t);
    for (int y = 0; y < 48; ++y)
      for (int x = 0; x < 64; ++x)
        for (int c = 0; c < 4; ++c)
          padded[(static_cast<std::size_t>(y) * 64 + x) * 4 + c] = f[(static_cast<std::size_t>(std::min(y, 46)) * 63 + std::min(x, 62)) * 4 + c];
    const double own = meanAbsDifference(a.frames[static_cast<std::size_t>(t)], padded);
    EXPECT_LT(own, 8.0) << "frame " << t;
    if (t > 0) {
      EXPECT_GT(meanAbsDifference(a.frames[static_cast<std::size_t>(t)], a.frames[static_cast<std::size_t>(t - 1)]), 1.0);
    }
  }
}

TEST(Animation, ErrorsNameTheFileAndLeaveNothingBehind) {
  const std::string dir = testing::tempDir("anim");
  EXPECT_THROW(AnimationWriter(dir + "/a.avi", 8, 8, 10), Error);
  EXPECT_THROW(AnimationWriter(dir + "/a.gif", 0, 8, 10), Error);
  EXPECT_THROW(AnimationWriter(dir + "/a.gif", 8, 8, 0), Error);
  // A wrong frame size, and finish without frames: errors; the existing file is kept.
  const std::string kept = dir + "/kept.gif";
  { std::ofstream(kept) << "mine"; }
  for (const char* ext : {"gif", "mp4"}) {
    const std::string path = dir + "/kept." + ext;
    { std::ofstream(path) << "mine"; }
    {
      AnimationWriter writer(path, 16, 16, 10);
      EXPECT_THROW(writer.add(std::vector<std::uint8_t>(10)), Error);
      try {
        writer.finish();
        ADD_FAILURE() << "finish without frames";
      } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
      }
    }
    std::ifstream in(path);
    std::string content;
    std::getline(in, content);
    EXPECT_EQ(content, "mine") << path;
  }
  // No temporary file is left in the folder.
  for (const auto& entry : std::filesystem::directory_iterator(dir))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  // A folder that does not exist: an Error naming it.
  try {
    AnimationWriter writer(dir + "/missing/x.mp4", 16, 16, 10);
    writer.add(frame(16, 16, 0));
    writer.finish();
    ADD_FAILURE() << "wrote into a missing folder";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("missing"), std::string::npos) << e.what();
  }
  EXPECT_THROW(readAnimation(dir + "/none.gif"), Error);
}

}  // namespace
}  // namespace topomask::render
