// Image decoding tests: PNG and JPEG files generated here with libpng and libjpeg, and BMP files
// written byte by byte, all with known pixels; the check that content matches the extension;
// size bounds applied before any pixel is decoded (lying headers, deflate bombs, surplus data);
// broken files (a Huffman table of more than 256 codes, too many scans, truncation).
#include <gtest/gtest.h>

#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <png.h>
#include <zlib.h>

#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/io/load.h"

using namespace topomask;

namespace {

// ================================================================== helpers

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Loads, expecting an Error; returns its message.
std::string loadError(const std::string& path) {
  try {
    loadScene(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << ": expected an Error, the file loaded";
  return {};
}

Image loadImageFile(const std::string& path, std::vector<std::string>* warnings = nullptr) {
  Scene s = loadScene(path);
  EXPECT_EQ(s.kind(), SceneKind::Image);
  if (warnings) *warnings = s.warnings;
  return std::get<Image>(std::move(s.data));
}

bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// Peak resident memory of this process so far (Linux reports KiB).
std::uint64_t peakRssBytes() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<std::uint64_t>(u.ru_maxrss) * 1024;
}

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void putLe16(std::string& s, std::uint32_t v) {
  s.push_back(static_cast<char>(v & 0xFF));
  s.push_back(static_cast<char>((v >> 8) & 0xFF));
}
void putLe32(std::string& s, std::uint32_t v) {
  putLe16(s, v & 0xFFFF);
  putLe16(s, v >> 16);
}
void putBe32(std::string& s, std::uint32_t v) {
  for (int k = 3; k >= 0; --k) s.push_back(static_cast<char>((v >> (8 * k)) & 0xFF));
}

// ================================================================== PNG writing

// What to write: rows are packed as PNG stores them (16-bit samples big-endian).
struct PngSpec {
  int width = 0, height = 0, colorType = PNG_COLOR_TYPE_GRAY, bitDepth = 8;
  bool interlaced = false;
  std::vector<png_color> palette;
  std::vector<png_byte> paletteAlpha;  // tRNS for palette images
  bool hasTrnsColour = false;          // tRNS for grey / RGB images
  png_color_16 trnsColour{};
  std::vector<unsigned char> pixels;   // height rows of rowBytes()
  std::vector<png_bytep> rowPointers;  // filled by writePng

  int channels() const {
    switch (colorType) {
      case PNG_COLOR_TYPE_GRAY_ALPHA: return 2;
      case PNG_COLOR_TYPE_RGB: return 3;
      case PNG_COLOR_TYPE_RGB_ALPHA: return 4;
      default: return 1;
    }
  }
  std::size_t rowBytes() const { return (static_cast<std::size_t>(width) * channels() * bitDepth + 7) / 8; }
};

void appendToString(png_structp png, png_bytep data, png_size_t n) {
  static_cast<std::string*>(png_get_io_ptr(png))->append(reinterpret_cast<const char*>(data), n);
}
void noFlush(png_structp) {}

// All libpng calls, under setjmp: only pointers and plain values here.
[[gnu::noinline]] bool writePngSteps(png_structp png, png_infop info, const PngSpec* spec, std::string* out) {
  if (setjmp(png_jmpbuf(png))) return false;
  png_set_write_fn(png, out, appendToString, noFlush);
  png_set_IHDR(png, info, static_cast<png_uint_32>(spec->width), static_cast<png_uint_32>(spec->height),
               spec->bitDepth, spec->colorType, spec->interlaced ? PNG_INTERLACE_ADAM7 : PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (!spec->palette.empty())
    png_set_PLTE(png, info, spec->palette.data(), static_cast<int>(spec->palette.size()));
  if (!spec->paletteAlpha.empty())
    png_set_tRNS(png, info, spec->paletteAlpha.data(), static_cast<int>(spec->paletteAlpha.size()), nullptr);
  if (spec->hasTrnsColour) png_set_tRNS(png, info, nullptr, 0, &spec->trnsColour);
  png_write_info(png, info);
  if (spec->interlaced) png_set_interlace_handling(png);
  png_write_image(png, const_cast<png_bytepp>(spec->rowPointers.data()));
  png_write_end(png, info);
  return true;
}

std::string writePng(PngSpec spec) {
  EXPECT_EQ(spec.pixels.size(), spec.rowBytes() * spec.height);
  spec.rowPointers.resize(static_cast<std::size_t>(spec.height));
  for (int y = 0; y < spec.height; ++y) spec.rowPointers[y] = spec.pixels.data() + y * spec.rowBytes();
  std::string out;
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png_create_info_struct(png);
  const bool ok = writePngSteps(png, info, &spec, &out);
  png_destroy_write_struct(&png, &info);
  EXPECT_TRUE(ok) << "libpng could not write the test image";
  return out;
}

// A sample value that differs from pixel to pixel and channel to channel.
unsigned sampleAt(int x, int y, int c, unsigned maxValue) {
  return static_cast<unsigned>(x * 37 + y * 101 + c * 59 + x * y) % (maxValue + 1);
}

// width x height image of `channels` samples of 8 or 16 bits, values from sampleAt.
PngSpec plainPng(int width, int height, int colorType, int bitDepth, bool interlaced = false) {
  PngSpec s;
  s.width = width;
  s.height = height;
  s.colorType = colorType;
  s.bitDepth = bitDepth;
  s.interlaced = interlaced;
  const unsigned maxValue = (1u << bitDepth) - 1;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < s.channels(); ++c) {
        const unsigned v = sampleAt(x, y, c, maxValue);
        if (bitDepth == 16) s.pixels.push_back(static_cast<unsigned char>(v >> 8));
        s.pixels.push_back(static_cast<unsigned char>(v & 0xFF));
      }
  return s;
}

// Expects every sample of img to equal sampleAt(...) / maxValue, for the first `channels`.
void expectPlainPixels(const Image& img, int width, int height, int channels, unsigned maxValue) {
  ASSERT_EQ(img.width, width);
  ASSERT_EQ(img.height, height);
  ASSERT_EQ(img.channels, channels);
  ASSERT_EQ(img.pixels.size(), static_cast<std::size_t>(width) * height * channels);
  int bad = 0;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < channels; ++c) {
        const float want = static_cast<float>(sampleAt(x, y, c, maxValue)) / static_cast<float>(maxValue);
        if (std::abs(img.at(x, y, c) - want) > 1e-6f && ++bad <= 5)
          ADD_FAILURE() << "pixel (" << x << ", " << y << ") channel " << c << ": " << img.at(x, y, c) << " != " << want;
      }
  EXPECT_EQ(bad, 0);
}

// ---- raw PNG building blocks, for files libpng would not write (lies, bombs, surplus data)

std::string pngChunk(const char* type, const std::string& body) {
  std::string c;
  putBe32(c, static_cast<std::uint32_t>(body.size()));
  c += std::string(type, 4) + body;
  const uLong crc = crc32(crc32(0L, nullptr, 0), reinterpret_cast<const Bytef*>(c.data() + 4),
                          static_cast<uInt>(c.size() - 4));
  putBe32(c, static_cast<std::uint32_t>(crc));
  return c;
}

std::string ihdr(std::uint32_t w, std::uint32_t h, int bitDepth, int colorType, int interlace = 0) {
  std::string b;
  putBe32(b, w);
  putBe32(b, h);
  b.push_back(static_cast<char>(bitDepth));
  b.push_back(static_cast<char>(colorType));
  b.append(2, '\0');  // compression, filter
  b.push_back(static_cast<char>(interlace));
  return pngChunk("IHDR", b);
}

const std::string kPngSignature("\x89PNG\r\n\x1a\n", 8);

// A zlib stream of `n` zero bytes, built without compressing them all: raw deflate of 1 MiB
// of zeros ending in a sync flush is a byte-aligned piece that can be repeated (its matches
// reach back one byte, which is zero everywhere), then the remainder, an empty final block and
// the Adler-32 of n zeros (a = 1, b = n mod 65521). Ratio about 1030:1, as good as deflate gets.
std::string zlibZeros(std::uint64_t n) {
  const auto piece = [](std::size_t len) {
    z_stream z{};
    EXPECT_EQ(deflateInit2(&z, 9, Z_DEFLATED, -15, 9, Z_RLE), Z_OK);
    std::vector<unsigned char> in(len, 0), out(len / 500 + 1024);
    z.next_in = in.data();
    z.avail_in = static_cast<uInt>(in.size());
    z.next_out = out.data();
    z.avail_out = static_cast<uInt>(out.size());
    EXPECT_EQ(deflate(&z, Z_SYNC_FLUSH), Z_OK);
    EXPECT_EQ(z.avail_in, 0u);
    std::string s(reinterpret_cast<const char*>(out.data()), out.size() - z.avail_out);
    deflateEnd(&z);
    return s;
  };
  const std::uint64_t mib = std::uint64_t{1} << 20;
  std::string s("\x78\xDA", 2);  // zlib header: deflate, 32 KiB window
  const std::string full = piece(mib);
  for (std::uint64_t k = 0; k < n / mib; ++k) s += full;
  if (n % mib) s += piece(static_cast<std::size_t>(n % mib));
  s += std::string("\x03\x00", 2);  // final, fixed-Huffman block holding only end-of-block
  putBe32(s, static_cast<std::uint32_t>(((n % 65521) << 16) | 1));
  return s;
}

// A PNG whose image data is all zero bytes (filter 0 and zero samples): `zeros` bytes of it,
// which is height * (1 + packed row bytes) for an honest file. IDAT split into 1 MiB chunks.
std::string zeroPng(std::uint32_t w, std::uint32_t h, int bitDepth, int colorType, std::uint64_t zeros,
                    const std::string& beforeIdat = "") {
  std::string f = kPngSignature + ihdr(w, h, bitDepth, colorType) + beforeIdat;
  const std::string z = zlibZeros(zeros);
  for (std::size_t at = 0; at < z.size(); at += 1 << 20) f += pngChunk("IDAT", z.substr(at, 1 << 20));
  return f + pngChunk("IEND", "");
}

// ================================================================== JPEG writing

struct JpegSpec {
  int width = 0, height = 0, components = 3;
  J_COLOR_SPACE inSpace = JCS_RGB;
  int quality = 98;
  bool progressive = false;
  std::vector<jpeg_scan_info> scans;  // a custom scan script, when not empty
  std::vector<unsigned char> pixels;  // height * width * components
};

// libjpeg's default error handler prints and exits: acceptable for writing test files.
std::string writeJpeg(const JpegSpec& spec) {
  jpeg_compress_struct c{};
  jpeg_error_mgr err{};
  c.err = jpeg_std_error(&err);
  jpeg_create_compress(&c);
  unsigned char* buffer = nullptr;
  unsigned long size = 0;
  jpeg_mem_dest(&c, &buffer, &size);
  c.image_width = static_cast<JDIMENSION>(spec.width);
  c.image_height = static_cast<JDIMENSION>(spec.height);
  c.input_components = spec.components;
  c.in_color_space = spec.inSpace;
  jpeg_set_defaults(&c);
  jpeg_set_quality(&c, spec.quality, TRUE);
  for (int k = 0; k < c.num_components; ++k) c.comp_info[k].h_samp_factor = c.comp_info[k].v_samp_factor = 1;
  if (spec.progressive) jpeg_simple_progression(&c);
  if (!spec.scans.empty()) {
    c.scan_info = spec.scans.data();
    c.num_scans = static_cast<int>(spec.scans.size());
  }
  jpeg_start_compress(&c, TRUE);
  const std::size_t stride = static_cast<std::size_t>(spec.width) * spec.components;
  while (c.next_scanline < c.image_height) {
    JSAMPROW row = const_cast<JSAMPROW>(spec.pixels.data() + c.next_scanline * stride);
    jpeg_write_scanlines(&c, &row, 1);
  }
  jpeg_finish_compress(&c);
  jpeg_destroy_compress(&c);
  std::string out(reinterpret_cast<const char*>(buffer), size);
  std::free(buffer);
  return out;
}

// Smooth content (JPEG keeps it within a few levels at high quality).
unsigned char smoothAt(int x, int y, int c) {
  switch (c) {
    case 0: return static_cast<unsigned char>(40 + 2 * x + y);
    case 1: return static_cast<unsigned char>(200 - 2 * x);
    case 2: return static_cast<unsigned char>(60 + 3 * y);
    default: return static_cast<unsigned char>(128 + x - y);
  }
}

JpegSpec smoothJpeg(int width, int height, int components, bool progressive = false) {
  JpegSpec s;
  s.width = width;
  s.height = height;
  s.components = components;
  s.inSpace = components == 1 ? JCS_GRAYSCALE : JCS_RGB;
  s.progressive = progressive;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x)
      for (int c = 0; c < components; ++c) s.pixels.push_back(smoothAt(x, y, c));
  return s;
}

// Largest difference between a decoded image and smoothAt, in levels of 255.
float worstSmoothError(const Image& img) {
  float worst = 0;
  for (int y = 0; y < img.height; ++y)
    for (int x = 0; x < img.width; ++x)
      for (int c = 0; c < img.channels; ++c)
        worst = std::max(worst, std::abs(img.at(x, y, c) * 255.0f - static_cast<float>(smoothAt(x, y, c))));
  return worst;
}

// Offset of the first marker FF <code> after SOI, or npos.
std::size_t findMarker(const std::string& jpeg, unsigned char code) {
  for (std::size_t i = 2; i + 1 < jpeg.size(); ++i)
    if (static_cast<unsigned char>(jpeg[i]) == 0xFF && static_cast<unsigned char>(jpeg[i + 1]) == code) return i;
  return std::string::npos;
}

// ================================================================== BMP writing

// BITMAPFILEHEADER + BITMAPINFOHEADER (40 bytes) + `extra` (masks or palette) + rows.
std::string bmpFile(int width, int height, int bpp, std::uint32_t compression, const std::string& extra,
                    const std::string& rows, std::uint32_t coloursUsed = 0) {
  std::string s = "BM";
  putLe32(s, static_cast<std::uint32_t>(54 + extra.size() + rows.size()));
  putLe32(s, 0);
  putLe32(s, static_cast<std::uint32_t>(54 + extra.size()));
  putLe32(s, 40);
  putLe32(s, static_cast<std::uint32_t>(width));
  putLe32(s, static_cast<std::uint32_t>(height));
  putLe16(s, 1);
  putLe16(s, static_cast<std::uint32_t>(bpp));
  putLe32(s, compression);
  putLe32(s, static_cast<std::uint32_t>(rows.size()));
  putLe32(s, 2835);
  putLe32(s, 2835);
  putLe32(s, coloursUsed);
  putLe32(s, 0);
  return s + extra + rows;
}

std::string padRow(std::string row) {
  while (row.size() % 4) row.push_back('\0');
  return row;
}

// ================================================================== PNG tests

class IoImage : public ::testing::Test {
 protected:
  std::string dir = topomask::testing::tempDir("io_image");
  std::string file(const std::string& name, const std::string& bytes) {
    const std::string path = dir + "/" + name;
    writeBytes(path, bytes);
    return path;
  }
};

TEST_F(IoImage, PngGreyRgbRgbaRoundTrip) {
  expectPlainPixels(loadImageFile(file("g.png", writePng(plainPng(37, 23, PNG_COLOR_TYPE_GRAY, 8)))), 37, 23, 1, 255);
  expectPlainPixels(loadImageFile(file("rgb.png", writePng(plainPng(31, 17, PNG_COLOR_TYPE_RGB, 8)))), 31, 17, 3, 255);
  std::vector<std::string> warnings;
  expectPlainPixels(loadImageFile(file("rgba.png", writePng(plainPng(5, 40, PNG_COLOR_TYPE_RGB_ALPHA, 8))), &warnings),
                    5, 40, 4, 255);
  EXPECT_TRUE(warnings.empty());
}

TEST_F(IoImage, Png16BitKeepsSixteenBits) {
  expectPlainPixels(loadImageFile(file("g16.png", writePng(plainPng(29, 11, PNG_COLOR_TYPE_GRAY, 16)))), 29, 11, 1,
                    65535);
  expectPlainPixels(loadImageFile(file("rgba16.png", writePng(plainPng(7, 9, PNG_COLOR_TYPE_RGB_ALPHA, 16)))), 7, 9,
                    4, 65535);
  // A value that 8 bits cannot hold.
  PngSpec one = plainPng(1, 1, PNG_COLOR_TYPE_GRAY, 16);
  one.pixels = {0x12, 0x34};
  EXPECT_FLOAT_EQ(loadImageFile(file("one16.png", writePng(one))).pixels[0], 0x1234 / 65535.0f);
}

TEST_F(IoImage, PngGreyAlphaKeepsGreyWithAWarning) {
  std::vector<std::string> warnings;
  const Image img = loadImageFile(file("ga.png", writePng(plainPng(9, 8, PNG_COLOR_TYPE_GRAY_ALPHA, 8))), &warnings);
  expectPlainPixels(img, 9, 8, 1, 255);  // channel 0 of each pixel is grey
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], "grey + alpha image: alpha channel ignored");
}

TEST_F(IoImage, PngPaletteAndTransparency) {
  PngSpec p;
  p.width = 6;
  p.height = 3;
  p.colorType = PNG_COLOR_TYPE_PALETTE;
  p.palette = {{255, 0, 0}, {0, 255, 0}, {0, 0, 255}, {10, 20, 30}, {200, 100, 50}};
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x) p.pixels.push_back(static_cast<unsigned char>((x + y) % 5));
  const Image rgb = loadImageFile(file("pal.png", writePng(p)));
  ASSERT_EQ(rgb.channels, 3);
  ASSERT_EQ(rgb.width, 6);
  for (int y = 0; y < p.height; ++y)
    for (int x = 0; x < p.width; ++x) {
      const png_color& c = p.palette[(x + y) % 5];
      EXPECT_FLOAT_EQ(rgb.at(x, y, 0), c.red / 255.0f);
      EXPECT_FLOAT_EQ(rgb.at(x, y, 1), c.green / 255.0f);
      EXPECT_FLOAT_EQ(rgb.at(x, y, 2), c.blue / 255.0f);
    }
  // With tRNS the palette gains alpha: RGBA (colours past the tRNS list are opaque).
  p.paletteAlpha = {0, 128};
  const Image rgba = loadImageFile(file("palt.png", writePng(p)));
  ASSERT_EQ(rgba.channels, 4);
  EXPECT_FLOAT_EQ(rgba.at(0, 0, 3), 0.0f);            // index 0
  EXPECT_FLOAT_EQ(rgba.at(1, 0, 3), 128.0f / 255.0f);  // index 1
  EXPECT_FLOAT_EQ(rgba.at(3, 0, 3), 1.0f);            // index 3
  EXPECT_FLOAT_EQ(rgba.at(4, 0, 0), 200.0f / 255.0f);

  // 4-bit palette indices, packed two per byte.
  PngSpec p4 = p;
  p4.paletteAlpha.clear();
  p4.bitDepth = 4;
  p4.width = 3;
  p4.height = 1;
  p4.pixels = {0x14, 0x20};  // indices 1, 4, 2
  const Image i4 = loadImageFile(file("pal4.png", writePng(p4)));
  ASSERT_EQ(i4.width, 3);
  EXPECT_FLOAT_EQ(i4.at(0, 0, 1), 1.0f);
  EXPECT_FLOAT_EQ(i4.at(1, 0, 0), 200.0f / 255.0f);
  EXPECT_FLOAT_EQ(i4.at(2, 0, 2), 1.0f);
}

TEST_F(IoImage, PngLowBitGreyIsScaledToFullRange) {
  PngSpec g1;
  g1.width = 10;
  g1.height = 1;
  g1.bitDepth = 1;
  g1.pixels = {0xA5, 0x80};  // 1010 0101 10
  const Image i1 = loadImageFile(file("g1.png", writePng(g1)));
  ASSERT_EQ(i1.channels, 1);
  const int bits[10] = {1, 0, 1, 0, 0, 1, 0, 1, 1, 0};
  for (int x = 0; x < 10; ++x) EXPECT_FLOAT_EQ(i1.at(x, 0, 0), static_cast<float>(bits[x])) << x;
  PngSpec g2 = g1;
  g2.bitDepth = 2;
  g2.width = 4;
  g2.pixels = {0x1B};  // 0 1 2 3
  const Image i2 = loadImageFile(file("g2.png", writePng(g2)));
  for (int x = 0; x < 4; ++x) EXPECT_FLOAT_EQ(i2.at(x, 0, 0), static_cast<float>(x) / 3.0f) << x;
}

TEST_F(IoImage, PngColourKeyBecomesAlpha) {
  PngSpec s = plainPng(4, 1, PNG_COLOR_TYPE_RGB, 8);
  s.pixels = {1, 2, 3, 9, 9, 9, 1, 2, 3, 0, 0, 0};
  s.hasTrnsColour = true;
  s.trnsColour.red = 1;
  s.trnsColour.green = 2;
  s.trnsColour.blue = 3;
  const Image img = loadImageFile(file("key.png", writePng(s)));
  ASSERT_EQ(img.channels, 4);
  EXPECT_FLOAT_EQ(img.at(0, 0, 3), 0.0f);
  EXPECT_FLOAT_EQ(img.at(1, 0, 3), 1.0f);
  EXPECT_FLOAT_EQ(img.at(1, 0, 0), 9.0f / 255.0f);
  EXPECT_FLOAT_EQ(img.at(2, 0, 3), 0.0f);
  EXPECT_FLOAT_EQ(img.at(3, 0, 3), 1.0f);
}

TEST_F(IoImage, PngInterlaced) {
  for (int bitDepth : {8, 16}) {
    for (int colorType : {PNG_COLOR_TYPE_GRAY, PNG_COLOR_TYPE_RGB, PNG_COLOR_TYPE_RGB_ALPHA}) {
      const PngSpec spec = plainPng(13, 9, colorType, bitDepth, true);
      const std::string bytes = writePng(spec);
      ASSERT_GT(bytes.size(), 29u);
      ASSERT_EQ(bytes[28], 1) << "IHDR interlace method should be Adam7";
      expectPlainPixels(loadImageFile(file("adam7.png", bytes)), 13, 9, spec.channels(), (1u << bitDepth) - 1);
    }
  }
}

// ================================================================== JPEG tests

TEST_F(IoImage, JpegGreyAndRgbBaselineAndProgressive) {
  for (bool progressive : {false, true}) {
    for (int components : {1, 3}) {
      const std::string bytes = writeJpeg(smoothJpeg(45, 29, components, progressive));
      std::vector<std::string> warnings;
      const Image img = loadImageFile(file("s.jpg", bytes), &warnings);
      ASSERT_EQ(img.width, 45);
      ASSERT_EQ(img.height, 29);
      ASSERT_EQ(img.channels, components);
      EXPECT_LE(worstSmoothError(img), 6.0f) << "progressive " << progressive << ", components " << components;
      EXPECT_TRUE(warnings.empty()) << warnings[0];
    }
  }
  // .jpeg is the same format.
  EXPECT_EQ(loadImageFile(file("s.jpeg", writeJpeg(smoothJpeg(8, 8, 3)))).width, 8);
}

TEST_F(IoImage, JpegCmykIsConvertedToRgbWithAWarning) {
  JpegSpec s;
  s.width = 16;
  s.height = 16;
  s.components = 4;
  s.inSpace = JCS_CMYK;
  s.quality = 100;
  // libjpeg writes an Adobe marker for CMYK, which means inverted samples (255 = no ink):
  // (255, 0, 128, 255) is no cyan, full magenta, half yellow, no black -> RGB (1, 0, 0.5).
  for (int k = 0; k < s.width * s.height; ++k) s.pixels.insert(s.pixels.end(), {255, 0, 128, 255});
  std::vector<std::string> warnings;
  const Image img = loadImageFile(file("cmyk.jpg", writeJpeg(s)), &warnings);
  ASSERT_EQ(img.channels, 3);
  EXPECT_NEAR(img.at(5, 5, 0), 1.0f, 3.0f / 255);
  EXPECT_NEAR(img.at(5, 5, 1), 0.0f, 3.0f / 255);
  EXPECT_NEAR(img.at(5, 5, 2), 128.0f / 255, 3.0f / 255);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_TRUE(contains(warnings[0], "CMYK")) << warnings[0];
}

// The Debian stb_image 2.27 overflow: a DHT segment whose 16 counts sum to more than 256.
TEST_F(IoImage, JpegHuffmanTableWithMoreThan256CodesIsAnError) {
  const std::string good = writeJpeg(smoothJpeg(16, 16, 3));
  const std::size_t dht = findMarker(good, 0xC4);
  ASSERT_NE(dht, std::string::npos);
  const std::size_t len = (static_cast<unsigned char>(good[dht + 2]) << 8) | static_cast<unsigned char>(good[dht + 3]);
  // Same table class and id; counts 255 (8-bit codes) + 45 (9-bit codes) = 300 codes, 300 symbols.
  std::string body(1, good[dht + 4]);
  std::string counts(16, '\0');
  counts[7] = static_cast<char>(255);
  counts[8] = 45;
  body += counts;
  for (int k = 0; k < 300; ++k) body.push_back(static_cast<char>(k & 0xFF));
  std::string seg("\xFF\xC4", 2);
  seg.push_back(static_cast<char>((body.size() + 2) >> 8));
  seg.push_back(static_cast<char>((body.size() + 2) & 0xFF));
  const std::string bad = good.substr(0, dht) + seg + body + good.substr(dht + 2 + len);
  const std::string msg = loadError(file("dht300.jpg", bad));
  EXPECT_TRUE(contains(msg, "JPEG decoder: ") && contains(msg, "Huffman")) << msg;

  // Counts within 256 that no prefix code can have (three 1-bit codes).
  std::string over = good;
  std::string overCounts(16, '\0');
  overCounts[0] = 3;
  overCounts[1] = static_cast<char>(len - 2 - 1 - 16 - 3);  // keep the symbol count equal to the length
  over.replace(dht + 5, 16, overCounts);
  const std::string msg2 = loadError(file("dhtover.jpg", over));
  EXPECT_TRUE(contains(msg2, "Huffman")) << msg2;
}

// A valid progressive script of 704 scans (every coefficient on its own, 11 bit planes each).
TEST_F(IoImage, JpegWithTooManyScansIsAnError) {
  JpegSpec s = smoothJpeg(16, 16, 1);
  const auto scan = [](int ss, int se, int ah, int al) {
    jpeg_scan_info i{};
    i.comps_in_scan = 1;
    i.component_index[0] = 0;
    i.Ss = ss;
    i.Se = se;
    i.Ah = ah;
    i.Al = al;
    return i;
  };
  for (int k = 0; k < 64; ++k) {
    s.scans.push_back(scan(k, k, 0, 10));
    for (int a = 10; a >= 1; --a) s.scans.push_back(scan(k, k, a, a - 1));
  }
  ASSERT_EQ(s.scans.size(), 704u);
  const std::string msg = loadError(file("scans.jpg", writeJpeg(s)));
  EXPECT_TRUE(contains(msg, "more than 500 scans")) << msg;
  // The same image with libjpeg's usual 6-scan progression loads.
  EXPECT_EQ(loadImageFile(file("ok.jpg", writeJpeg(smoothJpeg(16, 16, 1, true)))).width, 16);
}

// ================================================================== BMP tests

TEST_F(IoImage, Bmp24BottomUpAndTopDown) {
  // 3 x 2, rows stored bottom-up (B G R, padded to 4 bytes).
  const unsigned char px[2][3][3] = {{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}}, {{1, 2, 3}, {250, 251, 252}, {7, 8, 9}}};
  const auto rowOf = [&](int y) {
    std::string r;
    for (int x = 0; x < 3; ++x)
      for (int c = 2; c >= 0; --c) r.push_back(static_cast<char>(px[y][x][c]));
    return padRow(r);
  };
  const Image up = loadImageFile(file("up.bmp", bmpFile(3, 2, 24, 0, "", rowOf(1) + rowOf(0))));
  const Image down = loadImageFile(file("down.bmp", bmpFile(3, -2, 24, 0, "", rowOf(0) + rowOf(1))));
  for (const Image* img : {&up, &down}) {
    ASSERT_EQ(img->width, 3);
    ASSERT_EQ(img->height, 2);
    ASSERT_EQ(img->channels, 3);
    for (int y = 0; y < 2; ++y)
      for (int x = 0; x < 3; ++x)
        for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(img->at(x, y, c), px[y][x][c] / 255.0f);
  }
}

TEST_F(IoImage, Bmp32WithAndWithoutAlpha) {
  // 2 x 1: B G R A.
  const std::string withAlpha = bmpFile(2, 1, 32, 0, "", std::string("\x10\x20\x30\x80\x01\x02\x03\xFF", 8));
  const Image a = loadImageFile(file("a.bmp", withAlpha));
  ASSERT_EQ(a.channels, 4);
  EXPECT_FLOAT_EQ(a.at(0, 0, 0), 0x30 / 255.0f);
  EXPECT_FLOAT_EQ(a.at(0, 0, 2), 0x10 / 255.0f);
  EXPECT_FLOAT_EQ(a.at(0, 0, 3), 0x80 / 255.0f);
  EXPECT_FLOAT_EQ(a.at(1, 0, 3), 1.0f);
  // The fourth byte all zero: unused, so RGB.
  const Image rgb = loadImageFile(file("x.bmp", bmpFile(2, 1, 32, 0, "", std::string("\x10\x20\x30\x00\x01\x02\x03\x00", 8))));
  ASSERT_EQ(rgb.channels, 3);
  EXPECT_FLOAT_EQ(rgb.at(1, 0, 0), 3 / 255.0f);
  EXPECT_FLOAT_EQ(rgb.at(1, 0, 2), 1 / 255.0f);
}

TEST_F(IoImage, BmpPalette8And4And1Bit) {
  std::string palette;
  const unsigned char colours[4][3] = {{0, 0, 0}, {255, 255, 255}, {10, 200, 30}, {90, 80, 70}};  // R G B
  for (const auto& c : colours) palette += std::string{static_cast<char>(c[2]), static_cast<char>(c[1]),
                                                       static_cast<char>(c[0]), '\0'};
  // 8-bit, 5 x 2, indices (x + y) % 4, bottom-up.
  std::string rows;
  for (int y = 1; y >= 0; --y) {
    std::string r;
    for (int x = 0; x < 5; ++x) r.push_back(static_cast<char>((x + y) % 4));
    rows += padRow(r);
  }
  const Image i8 = loadImageFile(file("p8.bmp", bmpFile(5, 2, 8, 0, palette, rows, 4)));
  ASSERT_EQ(i8.channels, 3);
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 5; ++x)
      for (int c = 0; c < 3; ++c) EXPECT_FLOAT_EQ(i8.at(x, y, c), colours[(x + y) % 4][c] / 255.0f);
  // 4-bit, 3 x 1: indices 2, 3, 1 packed high nibble first.
  const Image i4 = loadImageFile(file("p4.bmp", bmpFile(3, 1, 4, 0, palette, padRow("\x23\x10"), 4)));
  EXPECT_FLOAT_EQ(i4.at(0, 0, 1), 200 / 255.0f);
  EXPECT_FLOAT_EQ(i4.at(1, 0, 0), 90 / 255.0f);
  EXPECT_FLOAT_EQ(i4.at(2, 0, 2), 1.0f);
  // 1-bit, 10 x 1: 1011 0000 01.
  const Image i1 = loadImageFile(file("p1.bmp", bmpFile(10, 1, 1, 0, palette.substr(0, 8), padRow("\xB0\x40"), 2)));
  const int bits[10] = {1, 0, 1, 1, 0, 0, 0, 0, 0, 1};
  for (int x = 0; x < 10; ++x) EXPECT_FLOAT_EQ(i1.at(x, 0, 0), static_cast<float>(bits[x])) << x;
  // An index past the palette is refused, naming the pixel.
  const std::string msg = loadError(file("p4bad.bmp", bmpFile(3, 1, 4, 0, palette, padRow("\x25\x10"), 4)));
  EXPECT_TRUE(contains(msg, "BMP pixel (1, 0) uses palette index 5, but the palette has 4 colours")) << msg;
}

TEST_F(IoImage, BmpBitfields16And32) {
  // 16-bit 5-6-5: pure red, pure green, a mix.
  std::string masks;
  putLe32(masks, 0xF800);
  putLe32(masks, 0x07E0);
  putLe32(masks, 0x001F);
  std::string row;
  for (std::uint32_t v : {0xF800u, 0x07E0u, (10u << 11) | (20u << 5) | 30u}) putLe16(row, v);
  const Image i16 = loadImageFile(file("b16.bmp", bmpFile(3, 1, 16, 3, masks, padRow(row))));
  ASSERT_EQ(i16.channels, 3);
  EXPECT_FLOAT_EQ(i16.at(0, 0, 0), 1.0f);
  EXPECT_FLOAT_EQ(i16.at(0, 0, 1), 0.0f);
  EXPECT_FLOAT_EQ(i16.at(1, 0, 1), 1.0f);
  EXPECT_FLOAT_EQ(i16.at(2, 0, 0), 10 / 31.0f);
  EXPECT_FLOAT_EQ(i16.at(2, 0, 1), 20 / 63.0f);
  EXPECT_FLOAT_EQ(i16.at(2, 0, 2), 30 / 31.0f);
  // Plain 16-bit is 5-5-5.
  std::string row555;
  putLe16(row555, (31u << 10) | (1u << 5) | 16u);
  const Image i555 = loadImageFile(file("b555.bmp", bmpFile(1, 1, 16, 0, "", padRow(row555))));
  EXPECT_FLOAT_EQ(i555.at(0, 0, 0), 1.0f);
  EXPECT_FLOAT_EQ(i555.at(0, 0, 1), 1 / 31.0f);
  EXPECT_FLOAT_EQ(i555.at(0, 0, 2), 16 / 31.0f);

  // V5 header (124 bytes) with R G B A masks inside it, 32-bit, top-down 1 x 2.
  std::string v5 = "BM";
  putLe32(v5, 14 + 124 + 8);
  putLe32(v5, 0);
  putLe32(v5, 14 + 124);
  putLe32(v5, 124);
  putLe32(v5, 1);
  putLe32(v5, static_cast<std::uint32_t>(-2));
  putLe16(v5, 1);
  putLe16(v5, 32);
  putLe32(v5, 3);
  for (int k = 0; k < 5; ++k) putLe32(v5, 0);  // image size, resolution, colours
  for (std::uint32_t m : {0x000000FFu, 0x0000FF00u, 0x00FF0000u, 0xFF000000u}) putLe32(v5, m);  // R G B A
  v5.resize(14 + 124, '\0');
  putLe32(v5, 0x40302010);  // R 10 G 20 B 30 A 40
  putLe32(v5, 0xFF0000FF);  // R FF, A FF
  const Image i32 = loadImageFile(file("v5.bmp", v5));
  ASSERT_EQ(i32.channels, 4);
  ASSERT_EQ(i32.height, 2);
  EXPECT_FLOAT_EQ(i32.at(0, 0, 0), 0x10 / 255.0f);
  EXPECT_FLOAT_EQ(i32.at(0, 0, 2), 0x30 / 255.0f);
  EXPECT_FLOAT_EQ(i32.at(0, 0, 3), 0x40 / 255.0f);
  EXPECT_FLOAT_EQ(i32.at(0, 1, 0), 1.0f);
  EXPECT_FLOAT_EQ(i32.at(0, 1, 3), 1.0f);
}

TEST_F(IoImage, BmpRefusals) {
  const std::string pixel24 = padRow("\x01\x02\x03");
  const auto refused = [&](const std::string& name, const std::string& bytes, const std::string& part) {
    const std::string msg = loadError(file(name, bytes));
    EXPECT_TRUE(contains(msg, part)) << name << ": " << msg;
    EXPECT_EQ(msg.rfind(dir + "/" + name + ": ", 0), 0u) << msg;
  };
  refused("rle8.bmp", bmpFile(1, 1, 8, 1, std::string(8, '\0'), pixel24), "BMP compression 1 (RLE8) is not supported");
  refused("rle4.bmp", bmpFile(1, 1, 4, 2, std::string(8, '\0'), pixel24), "BMP compression 2 (RLE4) is not supported");
  refused("jpeg.bmp", bmpFile(1, 1, 24, 4, "", pixel24), "BMP compression 4 (JPEG) is not supported");
  refused("bpp.bmp", bmpFile(1, 1, 7, 0, "", pixel24), "BMP bit depth 7 is not supported");
  refused("bf24.bmp", bmpFile(1, 1, 24, 3, std::string(12, '\0'), pixel24), "needs 16 or 32 bits per pixel");
  std::string holes;  // a red mask that is not one run of bits
  for (std::uint32_t m : {0xF00Fu, 0x0F00u, 0x00F0u}) putLe32(holes, m);
  refused("mask.bmp", bmpFile(1, 1, 16, 3, holes, pixel24), "BMP red mask 0x0000F00F is not one run of bits");
  refused("width.bmp", bmpFile(0, 1, 24, 0, "", pixel24), "BMP width 0 must be positive");
  refused("height.bmp", bmpFile(1, 0, 24, 0, "", pixel24), "BMP height 0 is not valid");
  // Rows that do not fit: 1000 x 1000 announced, one row given.
  refused("rows.bmp", bmpFile(1000, 1000, 24, 0, "", pixel24), "more than the file of 58 bytes holds");
  // Pixel data offset past the end of the file.
  std::string offset = bmpFile(1, 1, 24, 0, "", pixel24);
  offset[10] = static_cast<char>(200);
  refused("offset.bmp", offset, "BMP pixel data offset 200 is not valid");
  // OS/2 header and an unknown header size.
  std::string core = bmpFile(1, 1, 24, 0, "", pixel24);
  core[14] = 12;
  refused("core.bmp", core, "BMP header size 12 (OS/2 BITMAPCOREHEADER) is not supported");
  core[14] = 41;
  refused("hdr41.bmp", core, "BMP header size 41 is not supported");
  refused("palbig.bmp", bmpFile(1, 1, 1, 0, std::string(8, '\0'), pixel24, 3), "BMP palette announces 3 colours, more than 2");
  // Too short for the header.
  refused("short.bmp", bmpFile(1, 1, 24, 0, "", pixel24).substr(0, 21), "file ends inside the BMP header (21 of 54 bytes)");
  // The fuzzer's class: 21 bytes of garbage, and a TGA header (stb decoded such files as huge TGAs).
  std::string garbage;
  for (int k = 0; k < 21; ++k) garbage.push_back(static_cast<char>((k * 73 + 11) & 0xFF));
  refused("garbage.bmp", garbage, "not a BMP file (no 'BM' signature)");
  std::string tga("\x00\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x10\x00\x10\x18\x00", 18);  // 4096 x 4096 RGB
  tga += "abc";
  ASSERT_EQ(tga.size(), 21u);
  refused("tga.bmp", tga, "not a BMP file (no 'BM' signature)");
}

// ================================================================== content vs extension

TEST_F(IoImage, ContentMustMatchTheExtension) {
  const std::string png = writePng(plainPng(4, 4, PNG_COLOR_TYPE_GRAY, 8));
  const std::string jpg = writeJpeg(smoothJpeg(8, 8, 1));
  const std::string bmp = bmpFile(1, 1, 24, 0, "", padRow("\x01\x02\x03"));
  const auto refused = [&](const std::string& name, const std::string& bytes, const std::string& part) {
    const std::string path = file(name, bytes);
    EXPECT_EQ(loadError(path), path + ": " + part);
  };
  refused("png.jpg", png, "content is a PNG image, not the JPEG its name says");
  refused("png.jpeg", png, "content is a PNG image, not the JPEG its name says");
  refused("jpg.png", jpg, "content is a JPEG image, not the PNG its name says");
  refused("bmp.png", bmp, "content is a BMP image, not the PNG its name says");
  refused("png.bmp", png, "content is a PNG image, not the BMP its name says");
  refused("gif.png", "GIF89a" + std::string(30, '\0'), "content is a GIF image, not the PNG its name says");
  refused("text.png", "hello, world", "not a PNG file (no PNG signature)");
  refused("bm.png", "BMW cars, a text that starts with BM", "not a PNG file (no PNG signature)");
  refused("text.jpg", "hello, world", "not a JPEG file (no FF D8 FF signature)");
  // Upper-case extensions are the same formats.
  EXPECT_EQ(loadImageFile(file("UP.PNG", png)).width, 4);
}

// ================================================================== size bounds

// A 30000 x 30000 IHDR in a file of about 200 bytes: refused from the header, in far less
// than a second and without allocating the 900 M samples.
TEST_F(IoImage, LyingPngHeaderIsRefusedBeforeDecoding) {
  std::string f = kPngSignature + ihdr(30000, 30000, 8, PNG_COLOR_TYPE_GRAY);
  f += pngChunk("IDAT", zlibZeros(30001));  // one honest row, then nothing
  f += pngChunk("tEXt", std::string("Comment\0", 8) + std::string(80, 'x'));
  f += pngChunk("IEND", "");
  ASSERT_LT(f.size(), 260u);
  const std::string path = file("liar.png", f);
  const std::uint64_t rss0 = peakRssBytes();
  const auto t0 = std::chrono::steady_clock::now();
  const std::string msg = loadError(path);
  EXPECT_LT(secondsSince(t0), 0.25);
  EXPECT_LT(peakRssBytes() - rss0, std::uint64_t{32} << 20);
  EXPECT_EQ(msg, path + ": image header announces 30000 x 30000 x 1 samples, more than a PNG of " +
                     std::to_string(f.size()) + " bytes can decode to");
}

TEST_F(IoImage, LyingJpegHeaderIsRefusedBeforeDecoding) {
  std::string jpg = writeJpeg(smoothJpeg(16, 16, 1));
  const std::size_t sof = findMarker(jpg, 0xC0);
  ASSERT_NE(sof, std::string::npos);
  const auto setSize = [&](unsigned w, unsigned h) {
    jpg[sof + 5] = static_cast<char>(h >> 8);
    jpg[sof + 6] = static_cast<char>(h & 0xFF);
    jpg[sof + 7] = static_cast<char>(w >> 8);
    jpg[sof + 8] = static_cast<char>(w & 0xFF);
  };
  setSize(3000, 2000);  // 6 M samples: under the fixed limit, far over what these bytes can hold
  const std::string path = file("liar.jpg", jpg);
  const std::uint64_t rss0 = peakRssBytes();
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(loadError(path), path + ": image header announces 3000 x 2000 x 1 samples, more than a JPEG of " +
                                 std::to_string(jpg.size()) + " bytes can decode to");
  EXPECT_LT(secondsSince(t0), 0.25);
  EXPECT_LT(peakRssBytes() - rss0, std::uint64_t{32} << 20);
  setSize(65000, 65000);  // also past the fixed limit: the lie is what is reported
  EXPECT_TRUE(contains(loadError(file("huge.jpg", jpg)), "65000 x 65000 x 1 samples, more than a JPEG of"));
}

// A real bomb refused by the fixed limit: a 1-bit palette image of 20000 x 20000 zeros is about
// 48 KB and honest about its size, but expands to 1.2 G RGB samples.
TEST_F(IoImage, PaletteBombIsRefusedByTheSampleLimit) {
  const std::string plte = pngChunk("PLTE", std::string("\x00\x00\x00\xFF\xFF\xFF", 6));
  const std::string f = zeroPng(20000, 20000, 1, PNG_COLOR_TYPE_PALETTE, 20000ull * (1 + 2500), plte);
  EXPECT_LT(f.size(), 60000u);
  const std::string path = file("bomb1.png", f);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_EQ(loadError(path), path + ": image header announces 20000 x 20000 x 3 samples, more than the limit of "
                                    "268435456 (2^28) samples per image");
  EXPECT_LT(secondsSince(t0), 0.25);
}

// Chosen behaviour for the classic bomb, 12000 x 12000 grey zeros in ~140 KB: the file is honest
// (deflate at its ~1030:1 best, within the 1100:1 bound) and 144 M samples lie under 2^28, so it
// is decoded; memory stays at the float image (4 bytes a sample) plus one row.
TEST_F(IoImage, DeflateBombWithinTheBoundsIsDecodedInBoundedMemory) {
  const std::uint32_t n = 12000;
  const std::string f = zeroPng(n, n, 8, PNG_COLOR_TYPE_GRAY, std::uint64_t{n} * (n + 1));
  EXPECT_LT(f.size(), 160000u);
  EXPECT_GT(std::uint64_t{n} * n, 1000 * f.size());  // it is a bomb
  const std::string path = file("bomb8.png", f);
  const std::uint64_t rss0 = peakRssBytes();
  const auto t0 = std::chrono::steady_clock::now();
  const Image img = loadImageFile(path);
  const double seconds = secondsSince(t0);
  ASSERT_EQ(img.width, 12000);
  ASSERT_EQ(img.height, 12000);
  ASSERT_EQ(img.channels, 1);
  for (std::size_t k = 0; k < img.pixels.size(); k += 9973) ASSERT_EQ(img.pixels[k], 0.0f) << k;
  const std::uint64_t floats = std::uint64_t{n} * n * sizeof(float);
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer keeps a shadow byte per 8 bytes and pads allocations: allow an eighth more.
  const std::uint64_t overhead = floats / 8;
#else
  const std::uint64_t overhead = 0;
#endif
  EXPECT_LT(peakRssBytes() - rss0, floats + overhead + (std::uint64_t{48} << 20)) << "more than the float image was held";
  EXPECT_LT(seconds, 30.0);  // a loose guard; about a second on an idle machine
  // The same data under a header claiming 8 times the width: more than the file can decode to.
  std::string liar = f;
  const std::uint32_t wide = 12000 * 8;  // 8 times the pixels per row, same data
  liar.replace(16, 4, std::string{static_cast<char>(wide >> 24), static_cast<char>((wide >> 16) & 0xFF),
                                  static_cast<char>((wide >> 8) & 0xFF), static_cast<char>(wide & 0xFF)});
  const uLong crc = crc32(crc32(0L, nullptr, 0), reinterpret_cast<const Bytef*>(liar.data() + 12), 17);
  liar.replace(29, 4, std::string{static_cast<char>(crc >> 24), static_cast<char>((crc >> 16) & 0xFF),
                                  static_cast<char>((crc >> 8) & 0xFF), static_cast<char>(crc & 0xFF)});
  EXPECT_TRUE(contains(loadError(file("bomb8wide.png", liar)), "96000 x 12000 x 1 samples, more than a PNG of"));
}

// Data past the image is not read: a zlib stream holding the 8 x 8 image and then 4 GiB more
// zeros (about 4 MB of file; inflating it all takes seconds) loads at once, with a warning.
TEST_F(IoImage, PngSurplusImageDataIsNotInflated) {
  std::string f = kPngSignature + ihdr(8, 8, 8, PNG_COLOR_TYPE_GRAY);
  const std::string z = zlibZeros(8 * 9 + (std::uint64_t{4} << 30));
  for (std::size_t at = 0; at < z.size(); at += 1 << 20) f += pngChunk("IDAT", z.substr(at, 1 << 20));
  f += pngChunk("IEND", "");
  const std::string path = file("surplus.png", f);
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<std::string> warnings;
  const Image img = loadImageFile(path, &warnings);
  EXPECT_LT(secondsSince(t0), 1.0);
  ASSERT_EQ(img.width, 8);
  ASSERT_EQ(img.height, 8);
  for (float v : img.pixels) EXPECT_EQ(v, 0.0f);
  ASSERT_FALSE(warnings.empty());
  EXPECT_EQ(warnings.back(), "PNG holds more compressed image data than its 8 x 8 pixels need; the surplus was not read");
}

// Chunks after the image data are not read: an honest 8 x 8 stream, then an IDAT whose CRC is
// wrong and no IEND, loads with exact pixels and no warning.
TEST_F(IoImage, PngChunksAfterTheImageDataAreNotRead) {
  const PngSpec spec = plainPng(8, 8, PNG_COLOR_TYPE_GRAY, 8);
  std::string raw;
  for (int y = 0; y < 8; ++y) raw += '\0' + std::string(spec.pixels.begin() + 8 * y, spec.pixels.begin() + 8 * y + 8);
  std::vector<Bytef> z(compressBound(raw.size()));
  uLongf zlen = z.size();
  ASSERT_EQ(compress(z.data(), &zlen, reinterpret_cast<const Bytef*>(raw.data()), raw.size()), Z_OK);
  std::string f = kPngSignature + ihdr(8, 8, 8, PNG_COLOR_TYPE_GRAY) +
                  pngChunk("IDAT", std::string(reinterpret_cast<const char*>(z.data()), zlen));
  std::string broken = pngChunk("IDAT", std::string(1000, 'j'));
  broken.back() = static_cast<char>(broken.back() ^ 0x55);  // CRC no longer matches
  f += broken;
  std::vector<std::string> warnings;
  expectPlainPixels(loadImageFile(file("after.png", f), &warnings), 8, 8, 1, 255);
  EXPECT_TRUE(warnings.empty()) << warnings[0];
}

// ================================================================== truncation

// Every 7th prefix of a valid PNG: an Error naming the file, or (cut after the image data) the
// whole image. Never anything else.
TEST_F(IoImage, TruncatedPngIsAnErrorOrTheWholeImage) {
  for (bool interlaced : {false, true}) {
    const std::string full = writePng(plainPng(40, 30, PNG_COLOR_TYPE_RGB, 8, interlaced));
    const std::string path = dir + "/cut.png";
    int errors = 0;
    for (std::size_t n = 1; n < full.size(); n += 7) {
      writeBytes(path, full.substr(0, n));
      try {
        expectPlainPixels(loadImageFile(path), 40, 30, 3, 255);
      } catch (const Error& e) {
        ++errors;
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      }
    }
    EXPECT_GE(errors, static_cast<int>((full.size() - 20) / 7)) << "only a cut inside IEND may load";
  }
}

// Every 7th prefix of a valid JPEG: an Error, or an image of the full size whose missing part
// libjpeg fills in, with a warning saying so (the chosen behaviour for truncated scan data).
TEST_F(IoImage, TruncatedJpegIsAnErrorOrAWarnedImage) {
  for (bool progressive : {false, true}) {
    const std::string full = writeJpeg(smoothJpeg(64, 48, 3, progressive));
    const std::size_t sos = findMarker(full, 0xDA);
    ASSERT_NE(sos, std::string::npos);
    const std::string path = dir + "/cut.jpg";
    int loaded = 0, errors = 0;
    for (std::size_t n = 1; n < full.size(); n += 7) {
      writeBytes(path, full.substr(0, n));
      try {
        std::vector<std::string> warnings;
        const Image img = loadImageFile(path, &warnings);
        ++loaded;
        EXPECT_EQ(img.width, 64);
        EXPECT_EQ(img.height, 48);
        EXPECT_EQ(img.channels, 3);
        if (n + 2 < full.size()) {  // more than the end-of-image marker is missing
          ASSERT_EQ(warnings.size(), 1u) << "cut at " << n;
          EXPECT_TRUE(contains(warnings[0], "JPEG data is damaged or truncated")) << warnings[0];
        }
      } catch (const Error& e) {
        ++errors;
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
        // Baseline: one scan, so a cut past its header loads. Progressive files also carry
        // tables between scans, and a cut inside those may be an error.
        if (!progressive) {
          EXPECT_LE(n, sos + 20) << "a cut in the scan data should load with a warning: " << e.what();
        }
      }
    }
    EXPECT_GT(loaded, 5);
    EXPECT_GT(errors, 5);
  }
}

}  // namespace
