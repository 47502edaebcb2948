// Image reader: PNG through libpng, JPEG through libjpeg-turbo, and a strict BMP reader of our
// own, each decoding from the file buffer. Hostile files are bounded before any pixel is decoded:
// the content must match the extension, and the header's width x height x channels must lie
// under a fixed limit and under what a file of this size can honestly decode to.
//
// libpng and libjpeg report errors by longjmp. Every call into them happens inside one of the
// "step" functions below, run under a guard that calls setjmp; the steps hold only plain data
// (no objects with destructors), and all buffers are owned by the C++ caller outside the guard.
#include <algorithm>
#include <csetjmp>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include <jpeglib.h>
#include <png.h>

#include "io_internal.h"
#include "topomask/core/budget.h"

namespace topomask::io_detail {
namespace {

// The largest image accepted: 2^28 samples (width x height x channels, about 268 million;
// 1 GiB as floats), whatever the file size.
constexpr std::uint64_t kMaxSamples = std::uint64_t{1} << 28;
// Slack added to the per-file-byte bounds so that small files are never refused by them.
constexpr std::uint64_t kSlack = std::uint64_t{1} << 20;
// Deflate cannot expand data by more than about 1032:1, so a PNG's filtered scanlines (the bytes
// its IDAT stream inflates to) are at most 1100 bytes per byte of file, plus the slack.
constexpr std::uint64_t kPngBytesPerFileByte = 1100;
// Huffman-coded JPEG spends at least a bit or two per 8 x 8 block. Photographs come to 5-50
// samples per byte of file, and a blank 4:2:0 image with optimised Huffman tables about 510;
// 2048 (plus the slack) leaves room for flat images while a few-KB file still cannot announce
// gigabytes (the 2^28-sample limit and the memory budget apply as well).
constexpr std::uint64_t kJpegSamplesPerFileByte = 2048;
// Progressive JPEGs: each scan walks the whole coefficient buffer again, so a file of thousands
// of tiny scans costs CPU out of proportion to its size. Encoders write a few dozen at most.
constexpr int kMaxJpegScans = 500;
// libpng: the largest single ancillary chunk it may allocate, and how many it may keep.
constexpr png_alloc_size_t kPngChunkMax = png_alloc_size_t{8} << 20;
constexpr png_uint_32 kPngChunkCacheMax = 128;

enum class Format { Png, Jpeg, Bmp };

const char* formatName(Format f) {
  switch (f) {
    case Format::Png: return "PNG";
    case Format::Jpeg: return "JPEG";
    case Format::Bmp: return "BMP";
  }
  return "?";
}

bool startsWith(const std::string& data, const char* magic, std::size_t n) {
  return data.size() >= n && std::memcmp(data.data(), magic, n) == 0;
}

// The signature each format's reader requires.
bool hasSignature(const std::string& data, Format f) {
  switch (f) {
    case Format::Png: return startsWith(data, "\x89PNG\r\n\x1a\n", 8);
    case Format::Jpeg: return startsWith(data, "\xff\xd8\xff", 3);
    case Format::Bmp: return startsWith(data, "BM", 2);
  }
  return false;
}

// What a file without the expected signature looks like ("" when not recognisable). "BM" alone
// is too weak to name a BMP: a known BMP header size must follow.
std::string sniff(const std::string& data) {
  if (hasSignature(data, Format::Png)) return "PNG";
  if (hasSignature(data, Format::Jpeg)) return "JPEG";
  if (hasSignature(data, Format::Bmp) && data.size() >= 18) {
    const auto at = [&](std::size_t i) { return static_cast<unsigned char>(data[i]); };
    const std::uint32_t headerSize = at(14) | (at(15) << 8) | (at(16) << 16) | (std::uint32_t{at(17)} << 24);
    for (std::uint32_t known : {12u, 40u, 52u, 56u, 64u, 108u, 124u})
      if (headerSize == known) return "BMP";
  }
  if (startsWith(data, "GIF87a", 6) || startsWith(data, "GIF89a", 6)) return "GIF";
  if (startsWith(data, "II*\0", 4) || startsWith(data, "MM\0*", 4)) return "TIFF";
  if (data.size() >= 12 && startsWith(data, "RIFF", 4) && data.compare(8, 4, "WEBP") == 0) return "WebP";
  if (startsWith(data, "8BPS", 4)) return "Photoshop";
  return "";
}

std::string dims(std::uint64_t w, std::uint64_t h, std::uint64_t c) {
  return std::to_string(w) + " x " + std::to_string(h) + " x " + std::to_string(c);
}

// The header's size is checked before anything is allocated, in this order: checkDimensions,
// then what a file of this size can decode to (bound b), then the fixed limit (bound a). A lying
// header is thus reported as such even when it also breaks the fixed limit.

// An empty image, or a side beyond the fixed limit on its own. Afterwards every product of
// sides, channels and bits used below stays far inside 64 bits.
void checkDimensions(const std::string& path, std::uint64_t w, std::uint64_t h, std::uint64_t c) {
  if (w == 0 || h == 0) fail(path, "", "image header announces an empty image (" + dims(w, h, c) + ")");
  if (w > kMaxSamples || h > kMaxSamples)
    fail(path, "",
         "image header announces " + dims(w, h, c) + " samples, more than the limit of " +
             std::to_string(kMaxSamples) + " (2^28) samples per image");
}

// Bound (b): `decoded` (what the header says the file decodes to, in the unit the format's
// ratio is stated in) against `perFileByte` x the file size, plus the slack.
void checkFileBound(const std::string& path, std::uint64_t w, std::uint64_t h, std::uint64_t c,
                    std::uint64_t decoded, std::uint64_t perFileByte, std::uint64_t fileBytes, Format f) {
  if (decoded > perFileByte * fileBytes + kSlack)
    fail(path, "",
         "image header announces " + dims(w, h, c) + " samples, more than a " + formatName(f) + " of " +
             std::to_string(fileBytes) + " bytes can decode to");
}

// Bound (a): the fixed limit on samples.
// Then the memory budget (LoadOptions::memoryLimit, else the memory available): the decoded image
// is 4 bytes (a float) per sample, and the decoder's rows add little.
void checkSampleLimit(const std::string& path, std::uint64_t w, std::uint64_t h, std::uint64_t c, std::uint64_t budget) {
  if (w * h * c > kMaxSamples)
    fail(path, "",
         "image header announces " + dims(w, h, c) + " samples, more than the limit of " +
             std::to_string(kMaxSamples) + " (2^28) samples per image");
  requireMemory(4.0 * static_cast<double>(w * h * c), path + ": decoding " + dims(w, h, c) + " samples", budget);
}

// Samples of 8 or 16 bits (big-endian, as PNG stores them) to floats in [0, 1], keeping the
// first `keep` of every `channels` samples (keep < channels drops a trailing alpha).
void samplesToFloat(const unsigned char* src, std::size_t pixels, int channels, int keep, int bitDepth,
                    float* dst) {
  if (bitDepth == 16) {
    for (std::size_t p = 0; p < pixels; ++p, src += 2 * channels)
      for (int k = 0; k < keep; ++k)
        *dst++ = static_cast<float>((src[2 * k] << 8) | src[2 * k + 1]) / 65535.0f;
  } else {
    for (std::size_t p = 0; p < pixels; ++p, src += channels)
      for (int k = 0; k < keep; ++k) *dst++ = static_cast<float>(src[k]) / 255.0f;
  }
}

// ================================================================== PNG (libpng)
//
// Rows are taken from libpng in a user transform callback, which sees every row (or, for
// Adam7, every row of every pass) right after it is inflated and expanded; it converts the
// samples into their place in the float image. So no whole-image byte buffer is needed, and we
// know the moment the last row is in: libpng then goes on to drain the rest of the zlib stream,
// which a hostile file can make gigabytes long. Reads after the last row are therefore held to
// kPngReadAfterImage bytes (a valid file needs a few: the Adler-32 and the chunk CRC).
constexpr std::size_t kPngReadAfterImage = std::size_t{64} << 10;

// Plain data shared by the libpng callbacks and the steps run under setjmp.
struct PngJob {
  // Input, read through pngRead with bounds checks.
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::size_t pos = 0;
  png_structp png = nullptr;
  png_infop info = nullptr;
  char error[256] = {};
  char warning[256] = {};
  unsigned warnings = 0;
  // Header, as stored in the file.
  png_uint_32 width = 0, height = 0;
  int bitDepth = 0, colorType = 0, interlace = 0;
  bool hasTrns = false;
  // Layout after the expansions, computed by the caller and checked against libpng's.
  int channels = 0, outBitDepth = 0, keep = 0;
  float* out = nullptr;  // width * height * keep floats, owned by the caller
  // Progress: rows converted, rows the image has (all passes), bytes read after the last one.
  std::uint64_t rowsTaken = 0, rowsExpected = 0;
  std::size_t readAfterImage = 0;
  bool stoppedAfterImage = false;
};

void pngError(png_structp png, png_const_charp msg) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  std::snprintf(job->error, sizeof job->error, "%s", msg ? msg : "unknown error");
  png_longjmp(png, 1);
}

void pngWarning(png_structp png, png_const_charp msg) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  if (job->warnings++ == 0) std::snprintf(job->warning, sizeof job->warning, "%s", msg ? msg : "");
}

void pngRead(png_structp png, png_bytep out, png_size_t n) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  if (job->rowsTaken == job->rowsExpected && job->rowsExpected > 0) {
    if (n > kPngReadAfterImage - job->readAfterImage) {
      job->stoppedAfterImage = true;
      png_error(png, "surplus data after the image");
    }
    job->readAfterImage += n;
  }
  if (n > job->size - job->pos) png_error(png, "file is truncated");
  std::memcpy(out, job->data + job->pos, n);
  job->pos += n;
}

// User transform: the row of the image (or of an Adam7 pass) just decoded, as floats.
void pngTakeRow(png_structp png, png_row_infop row, png_bytep samples) {
  auto* job = static_cast<PngJob*>(png_get_error_ptr(png));
  if (row->channels != job->channels || row->bit_depth != job->outBitDepth)
    png_error(png, "unexpected sample layout after expansion");
  png_uint_32 y = png_get_current_row_number(png);
  const int pass = png_get_current_pass_number(png);
  const bool adam7 = job->interlace != PNG_INTERLACE_NONE;
  if (adam7) y = PNG_ROW_FROM_PASS_ROW(y, pass);
  const png_uint_32 cols = adam7 ? PNG_PASS_COLS(job->width, pass) : job->width;
  if (y >= job->height || row->width != cols) png_error(png, "row outside the image");
  const std::size_t w = job->width;
  const int bytesPerPixel = job->channels * job->outBitDepth / 8;
  float* dst = job->out + y * w * job->keep;
  if (!adam7) {
    samplesToFloat(samples, w, job->channels, job->keep, job->outBitDepth, dst);
  } else {
    for (png_uint_32 i = 0; i < cols; ++i)
      samplesToFloat(samples + std::size_t{i} * bytesPerPixel, 1, job->channels, job->keep, job->outBitDepth,
                     dst + std::size_t{PNG_COL_FROM_PASS_COL(i, pass)} * job->keep);
  }
  ++job->rowsTaken;
}

// Runs step(job) with libpng's longjmp target set here; false when libpng raised an error.
// Nothing is modified between setjmp and a possible longjmp, so nothing can be clobbered.
[[gnu::noinline]] bool pngGuarded(PngJob* job, void (*step)(PngJob*)) {
  if (setjmp(png_jmpbuf(job->png))) return false;
  step(job);
  return true;
}

void pngHeaderStep(PngJob* job) {
  png_set_read_fn(job->png, job, pngRead);
  png_set_user_limits(job->png, static_cast<png_uint_32>(kMaxSamples), static_cast<png_uint_32>(kMaxSamples));
  png_set_chunk_malloc_max(job->png, kPngChunkMax);
  png_set_chunk_cache_max(job->png, kPngChunkCacheMax);
  // Skip (unread, never inflated) every ancillary chunk but tRNS: text, ICC profiles, EXIF...
  png_set_keep_unknown_chunks(job->png, PNG_HANDLE_CHUNK_NEVER, nullptr, -1);
  png_read_info(job->png, job->info);
  int compression = 0, filter = 0;
  png_get_IHDR(job->png, job->info, &job->width, &job->height, &job->bitDepth, &job->colorType,
               &job->interlace, &compression, &filter);
  job->hasTrns = png_get_valid(job->png, job->info, PNG_INFO_tRNS) != 0;
}

void pngDecodeStep(PngJob* job) {
  png_structp png = job->png;
  if (job->colorType == PNG_COLOR_TYPE_PALETTE) png_set_palette_to_rgb(png);
  if (job->colorType == PNG_COLOR_TYPE_GRAY && job->bitDepth < 8) png_set_expand_gray_1_2_4_to_8(png);
  if (job->hasTrns) png_set_tRNS_to_alpha(png);
  // No png_set_interlace_handling: pngTakeRow puts each pass's pixels in place itself.
  png_set_read_user_transform_fn(png, pngTakeRow);
  png_read_update_info(png, job->info);
  if (png_get_channels(png, job->info) != job->channels || png_get_bit_depth(png, job->info) != job->outBitDepth)
    png_error(png, "unexpected sample layout after expansion");
  for (std::uint64_t r = 0; r < job->rowsExpected; ++r) png_read_row(png, nullptr, nullptr);
  // png_read_end is not called: chunks after the image data stay unread.
}

// Frees libpng's structures however decoding ends.
struct PngStructs {
  PngJob& job;
  ~PngStructs() { png_destroy_read_struct(&job.png, &job.info, nullptr); }
};

Image decodePng(const std::string& path, const std::string& data, std::vector<std::string>& warnings, std::uint64_t budget) {
  PngJob job;
  job.data = reinterpret_cast<const unsigned char*>(data.data());
  job.size = data.size();
  job.png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &job, pngError, pngWarning);
  if (!job.png) fail(path, "", "cannot start the PNG decoder (out of memory or library mismatch)");
  PngStructs guard{job};
  job.info = png_create_info_struct(job.png);
  if (!job.info) fail(path, "", "cannot start the PNG decoder (out of memory)");
  const auto libpngFailed = [&]() { fail(path, bytePlace(job.pos), std::string("PNG decoder: ") + job.error); };
  if (!pngGuarded(&job, pngHeaderStep)) libpngFailed();

  // Layout after the expansions: palette -> RGB, low-bit grey -> 8 bits, tRNS -> an alpha channel.
  int fileChannels = 1, channels = 1;
  switch (job.colorType) {
    case PNG_COLOR_TYPE_GRAY: channels = job.hasTrns ? 2 : 1; break;
    case PNG_COLOR_TYPE_GRAY_ALPHA: fileChannels = channels = 2; break;
    case PNG_COLOR_TYPE_PALETTE: channels = job.hasTrns ? 4 : 3; break;
    case PNG_COLOR_TYPE_RGB: fileChannels = 3; channels = job.hasTrns ? 4 : 3; break;
    case PNG_COLOR_TYPE_RGB_ALPHA: fileChannels = channels = 4; break;
    default: fail(path, "", "PNG colour type " + std::to_string(job.colorType) + " is not valid");
  }
  job.channels = channels;
  job.outBitDepth = job.bitDepth == 16 ? 16 : 8;
  job.keep = channels == 2 ? 1 : channels;  // grey + alpha: keep grey
  const std::uint64_t w = job.width, h = job.height;
  const auto keep = static_cast<std::uint64_t>(job.keep);
  checkDimensions(path, w, h, keep);
  // Bound (b) on the inflated scanlines: one filter byte plus the packed samples per row.
  const std::uint64_t scanline = 1 + (w * static_cast<std::uint64_t>(fileChannels * job.bitDepth) + 7) / 8;
  checkFileBound(path, w, h, keep, h * scanline, kPngBytesPerFileByte, data.size(), Format::Png);
  checkSampleLimit(path, w, h, keep, budget);

  if (job.interlace == PNG_INTERLACE_NONE) {
    job.rowsExpected = h;
  } else {  // rows of the seven passes, leaving out passes without columns (libpng skips them)
    for (int pass = 0; pass < 7; ++pass)
      if (PNG_PASS_COLS(w, pass) > 0) job.rowsExpected += PNG_PASS_ROWS(h, pass);
  }
  std::vector<float> pixels(static_cast<std::size_t>(w * h * keep));
  job.out = pixels.data();
  if (!pngGuarded(&job, pngDecodeStep) && !job.stoppedAfterImage) libpngFailed();
  if (job.rowsTaken != job.rowsExpected)
    fail(path, bytePlace(job.pos), "PNG decoder: image data ends early");

  if (job.warnings > 0)
    warnings.push_back(std::string("PNG decoder warning: ") + job.warning +
                       (job.warnings > 1 ? " (" + std::to_string(job.warnings) + " warnings in all)" : ""));
  if (job.stoppedAfterImage)
    warnings.push_back("PNG holds more compressed image data than its " + std::to_string(w) + " x " +
                       std::to_string(h) + " pixels need; the surplus was not read");
  if (channels == 2) warnings.push_back("grey + alpha image: alpha channel ignored");
  Image img;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.channels = job.keep;
  img.pixels = std::move(pixels);
  return img;
}

// ================================================================== JPEG (libjpeg-turbo)

// Plain data shared by the libjpeg callbacks and the steps run under setjmp.
struct JpegJob {
  jpeg_decompress_struct cinfo;  // cinfo.client_data points back to the job
  jpeg_error_mgr err;
  jpeg_progress_mgr progress;
  std::jmp_buf jump;
  char error[JMSG_LENGTH_MAX];
  char warning[JMSG_LENGTH_MAX];
  long warnings;
  bool created;
  const unsigned char* data;
  std::size_t size;
  // After the header: the output layout (channels: 1 grey, 3 RGB; cmyk: the decoder gives
  // 4 samples per pixel that are converted to RGB here).
  bool cmyk;
  bool adobeInverted;
  int channels;
  unsigned char* row;  // one decoded row (owned by the caller)
  float* out;
};

JpegJob* jobOf(j_common_ptr c) { return static_cast<JpegJob*>(c->client_data); }

void jpegErrorExit(j_common_ptr c) {
  JpegJob* job = jobOf(c);
  (*c->err->format_message)(c, job->error);
  std::longjmp(job->jump, 1);
}

// Warnings (level -1) are counted and the first kept; trace messages are dropped. Nothing prints.
void jpegEmitMessage(j_common_ptr c, int level) {
  if (level >= 0) return;
  JpegJob* job = jobOf(c);
  if (job->warnings++ == 0) (*c->err->format_message)(c, job->warning);
}

void jpegProgress(j_common_ptr c) {
  const auto d = reinterpret_cast<j_decompress_ptr>(c);
  if (d->input_scan_number > kMaxJpegScans) {
    JpegJob* job = jobOf(c);
    std::snprintf(job->error, sizeof job->error, "more than %d scans in a progressive image", kMaxJpegScans);
    std::longjmp(job->jump, 1);
  }
}

// Runs step(job) with the longjmp target of jpegErrorExit set here; false on a libjpeg error.
[[gnu::noinline]] bool jpegGuarded(JpegJob* job, void (*step)(JpegJob*)) {
  if (setjmp(job->jump)) return false;
  step(job);
  return true;
}

void jpegHeaderStep(JpegJob* job) {
  jpeg_decompress_struct* cinfo = &job->cinfo;
  jpeg_create_decompress(cinfo);
  job->created = true;
  cinfo->progress = &job->progress;
  jpeg_mem_src(cinfo, job->data, static_cast<unsigned long>(job->size));
  jpeg_read_header(cinfo, TRUE);
  switch (cinfo->jpeg_color_space) {
    case JCS_GRAYSCALE: cinfo->out_color_space = JCS_GRAYSCALE; break;
    case JCS_YCbCr:
    case JCS_RGB: cinfo->out_color_space = JCS_RGB; break;
    case JCS_CMYK:
    case JCS_YCCK:
      cinfo->out_color_space = JCS_CMYK;
      job->cmyk = true;
      // Adobe's writers store CMYK inverted (0 = full ink) and say so with their APP14 marker.
      job->adobeInverted = cinfo->saw_Adobe_marker != 0;
      break;
    default:
      std::snprintf(job->error, sizeof job->error, "JPEG with %d colour components of unknown meaning is not supported",
                    cinfo->num_components);
      std::longjmp(job->jump, 1);
  }
  jpeg_calc_output_dimensions(cinfo);
  job->channels = job->cmyk ? 3 : cinfo->output_components;
}

void jpegDecodeStep(JpegJob* job) {
  jpeg_decompress_struct* cinfo = &job->cinfo;
  jpeg_start_decompress(cinfo);  // progressive files: reads every scan here
  const std::size_t w = cinfo->output_width;
  const int inChannels = cinfo->output_components;
  if (inChannels != (job->cmyk ? 4 : job->channels)) {
    std::snprintf(job->error, sizeof job->error, "unexpected %d samples per pixel from the decoder", inChannels);
    std::longjmp(job->jump, 1);
  }
  while (cinfo->output_scanline < cinfo->output_height) {
    const std::size_t y = cinfo->output_scanline;
    JSAMPROW rowPointer = job->row;
    if (jpeg_read_scanlines(cinfo, &rowPointer, 1) != 1) {
      std::snprintf(job->error, sizeof job->error, "decoder returned no data for row %zu", y);
      std::longjmp(job->jump, 1);
    }
    float* dst = job->out + y * w * static_cast<std::size_t>(job->channels);
    if (!job->cmyk) {
      samplesToFloat(job->row, w, inChannels, inChannels, 8, dst);
      continue;
    }
    // Naive CMYK -> RGB (no colour profile): R = (1 - C)(1 - K), and so on; an inverted
    // sample already holds 1 - ink.
    for (std::size_t x = 0; x < w; ++x) {
      const unsigned char* p = job->row + 4 * x;
      const auto light = [&](int ch) { return job->adobeInverted ? p[ch] / 255.0f : 1.0f - p[ch] / 255.0f; };
      for (int ch = 0; ch < 3; ++ch) *dst++ = light(ch) * light(3);
    }
  }
  // jpeg_finish_decompress is not called: whatever follows the last row stays unread.
}

struct JpegStructs {
  JpegJob& job;
  ~JpegStructs() {
    if (job.created) jpeg_destroy_decompress(&job.cinfo);
  }
};

Image decodeJpeg(const std::string& path, const std::string& data, std::vector<std::string>& warnings, std::uint64_t budget) {
  JpegJob job{};  // value-initialised: plain C structs all zero
  job.data = reinterpret_cast<const unsigned char*>(data.data());
  job.size = data.size();
  job.cinfo.client_data = &job;
  job.cinfo.err = jpeg_std_error(&job.err);
  job.err.error_exit = jpegErrorExit;
  job.err.emit_message = jpegEmitMessage;
  job.progress.progress_monitor = jpegProgress;
  JpegStructs guard{job};
  const auto libjpegFailed = [&]() {
    const std::size_t left = job.created && job.cinfo.src ? job.cinfo.src->bytes_in_buffer : 0;
    fail(path, job.created && job.cinfo.src ? bytePlace(data.size() - left) : "",
         std::string("JPEG decoder: ") + job.error);
  };
  if (!jpegGuarded(&job, jpegHeaderStep)) libjpegFailed();

  const std::uint64_t w = job.cinfo.output_width, h = job.cinfo.output_height;
  const auto c = static_cast<std::uint64_t>(job.channels);
  checkDimensions(path, w, h, c);
  checkFileBound(path, w, h, c, w * h * c, kJpegSamplesPerFileByte, data.size(), Format::Jpeg);
  checkSampleLimit(path, w, h, c, budget);
  // The decoder's own big buffers (the whole-image coefficients of progressive and multi-scan
  // files, about 2 bytes per sample) are held to 4 bytes per sample of every component plus 64 MiB.
  const std::uint64_t components = static_cast<std::uint64_t>(job.cinfo.num_components);
  job.cinfo.mem->max_memory_to_use = static_cast<long>(4 * w * h * components + (std::uint64_t{64} << 20));

  std::vector<float> pixels(static_cast<std::size_t>(w * h * c));
  std::vector<unsigned char> row(static_cast<std::size_t>(w) * (job.cmyk ? 4 : job.channels));
  job.row = row.data();
  job.out = pixels.data();
  if (!jpegGuarded(&job, jpegDecodeStep)) libjpegFailed();

  if (job.warnings > 0)
    warnings.push_back(std::string("JPEG data is damaged or truncated (") + job.warning +
                       (job.warnings > 1 ? "; " + std::to_string(job.warnings) + " warnings in all" : "") +
                       "): the unreadable part of the image is filled in");
  if (job.cmyk) warnings.push_back("CMYK JPEG converted to RGB without a colour profile: colours are approximate");
  Image img;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.channels = job.channels;
  img.pixels = std::move(pixels);
  return img;
}

// ================================================================== BMP (strict, our own)

// Little-endian fields of a buffer whose size the caller has checked.
std::uint32_t le16(const unsigned char* p) { return static_cast<std::uint32_t>(p[0] | (p[1] << 8)); }
std::uint32_t le32(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) | (static_cast<std::uint32_t>(p[1]) << 8) |
         (static_cast<std::uint32_t>(p[2]) << 16) | (static_cast<std::uint32_t>(p[3]) << 24);
}

const char* bmpCompressionName(std::uint32_t c) {
  switch (c) {
    case 0: return "BI_RGB";
    case 1: return "RLE8";
    case 2: return "RLE4";
    case 3: return "BITFIELDS";
    case 4: return "JPEG";
    case 5: return "PNG";
    case 6: return "ALPHABITFIELDS";
    case 11: return "CMYK";
    case 12: return "CMYK RLE8";
    case 13: return "CMYK RLE4";
    default: return "unknown";
  }
}

std::string hex(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08X", v);
  return buf;
}

// A colour channel given by a bit mask: value = (pixel & mask) >> shift, in [0, maxValue].
struct BitField {
  std::uint32_t mask = 0;
  int shift = 0;
  float maxValue = 1.0f;
  float get(std::uint32_t pixel) const { return static_cast<float>((pixel & mask) >> shift) / maxValue; }
};

BitField bitField(const std::string& path, std::size_t place, const char* name, std::uint32_t mask, int bpp) {
  BitField f;
  f.mask = mask;
  if (mask == 0) return f;
  while (((mask >> f.shift) & 1u) == 0) ++f.shift;
  const std::uint32_t run = mask >> f.shift;
  if ((run & (run + 1)) != 0 || (bpp < 32 && (mask >> bpp) != 0))
    fail(path, bytePlace(place),
         std::string("BMP ") + name + " mask " + hex(mask) + " is not one run of bits within " + std::to_string(bpp) +
             " bits");
  f.maxValue = static_cast<float>(run);
  return f;
}

Image decodeBmp(const std::string& path, const std::string& data, std::uint64_t budget) {
  const auto* b = reinterpret_cast<const unsigned char*>(data.data());
  const std::uint64_t size = data.size();
  if (size < 18) fail(path, "", "file ends inside the BMP header (" + std::to_string(size) + " bytes)");
  const std::uint32_t pixelOffset = le32(b + 10);
  const std::uint32_t headerSize = le32(b + 14);
  switch (headerSize) {
    case 40: case 52: case 56: case 108: case 124: break;  // INFO, V2, V3, V4, V5
    case 12: fail(path, bytePlace(14), "BMP header size 12 (OS/2 BITMAPCOREHEADER) is not supported");
    case 64: fail(path, bytePlace(14), "BMP header size 64 (OS/2 2.x) is not supported");
    default:
      fail(path, bytePlace(14),
           "BMP header size " + std::to_string(headerSize) + " is not supported (expected 40, 52, 56, 108 or 124)");
  }
  const std::uint64_t headerEnd = 14 + std::uint64_t{headerSize};
  if (size < headerEnd)
    fail(path, "", "file ends inside the BMP header (" + std::to_string(size) + " of " + std::to_string(headerEnd) +
                       " bytes)");
  const auto width = static_cast<std::int32_t>(le32(b + 18));
  const auto height = static_cast<std::int32_t>(le32(b + 22));
  const std::uint32_t planes = le16(b + 26), bpp = le16(b + 28), compression = le32(b + 30);
  const std::uint32_t coloursUsed = le32(b + 46);
  if (width <= 0) fail(path, bytePlace(18), "BMP width " + std::to_string(width) + " must be positive");
  if (height == 0 || height == INT32_MIN) fail(path, bytePlace(22), "BMP height " + std::to_string(height) + " is not valid");
  if (planes != 1) fail(path, bytePlace(26), "BMP planes " + std::to_string(planes) + " must be 1");
  if (compression != 0 && compression != 3)
    fail(path, bytePlace(30),
         "BMP compression " + std::to_string(compression) + " (" + bmpCompressionName(compression) +
             ") is not supported");
  if (compression == 0 && bpp != 1 && bpp != 4 && bpp != 8 && bpp != 16 && bpp != 24 && bpp != 32)
    fail(path, bytePlace(28), "BMP bit depth " + std::to_string(bpp) + " is not supported");
  if (compression == 3 && bpp != 16 && bpp != 32)
    fail(path, bytePlace(28),
         "BMP compression 3 (BITFIELDS) needs 16 or 32 bits per pixel, not " + std::to_string(bpp));
  const bool topDown = height < 0;
  const std::uint64_t w = static_cast<std::uint64_t>(width);
  const std::uint64_t h = topDown ? static_cast<std::uint64_t>(-static_cast<std::int64_t>(height))
                                  : static_cast<std::uint64_t>(height);

  // Colour masks: BITFIELDS gives them after a 40-byte header or inside a larger one; plain
  // 16-bit is 5-5-5, plain 32-bit is B G R and a fourth byte read as alpha when any is nonzero.
  std::uint64_t tableEnd = headerEnd;  // end of masks and palette
  BitField red, green, blue, alpha;
  bool alphaFromFourthByte = false;
  if (compression == 3) {
    const std::uint64_t at = 54;
    if (headerSize == 40) {
      tableEnd += 12;
      if (size < tableEnd) fail(path, "", "file ends inside the BMP colour masks");
    }
    red = bitField(path, at, "red", le32(b + at), static_cast<int>(bpp));
    green = bitField(path, at + 4, "green", le32(b + at + 4), static_cast<int>(bpp));
    blue = bitField(path, at + 8, "blue", le32(b + at + 8), static_cast<int>(bpp));
    if (headerSize >= 56) alpha = bitField(path, at + 12, "alpha", le32(b + at + 12), static_cast<int>(bpp));
    if (red.mask == 0 || green.mask == 0 || blue.mask == 0)
      fail(path, bytePlace(at), "BMP colour masks must all be nonzero");
    if ((red.mask & green.mask) || (red.mask & blue.mask) || (green.mask & blue.mask) ||
        (alpha.mask & (red.mask | green.mask | blue.mask)))
      fail(path, bytePlace(at), "BMP colour masks overlap");
  } else if (bpp == 16) {
    red = bitField(path, 0, "red", 0x7C00, 16);
    green = bitField(path, 0, "green", 0x03E0, 16);
    blue = bitField(path, 0, "blue", 0x001F, 16);
  } else if (bpp == 32) {
    red = bitField(path, 0, "red", 0x00FF0000u, 32);
    green = bitField(path, 0, "green", 0x0000FF00u, 32);
    blue = bitField(path, 0, "blue", 0x000000FFu, 32);
    alphaFromFourthByte = true;
  }

  // Palette: 4 bytes (B G R 0) per colour between the header and the pixel data.
  std::uint64_t paletteSize = 0;
  if (bpp <= 8) {
    const std::uint64_t maxColours = std::uint64_t{1} << bpp;
    if (coloursUsed > maxColours)
      fail(path, bytePlace(46),
           "BMP palette announces " + std::to_string(coloursUsed) + " colours, more than " + std::to_string(maxColours) +
               " for " + std::to_string(bpp) + "-bit pixels");
    const std::uint64_t room = pixelOffset > tableEnd ? (pixelOffset - tableEnd) / 4 : 0;
    // Without a count the palette is full size, or as much as fits before the pixels.
    paletteSize = coloursUsed != 0 ? coloursUsed : std::min(maxColours, room);
    if (paletteSize == 0) fail(path, bytePlace(tableEnd), "BMP palette is missing");
    tableEnd += 4 * paletteSize;
  }
  if (pixelOffset < tableEnd || pixelOffset > size)
    fail(path, bytePlace(10),
         "BMP pixel data offset " + std::to_string(pixelOffset) + " is not valid (header and palette end at byte " +
             std::to_string(tableEnd) + ", file has " + std::to_string(size) + " bytes)");

  const int channels = (alpha.mask != 0 || alphaFromFourthByte) ? 4 : 3;
  checkDimensions(path, w, h, static_cast<std::uint64_t>(channels));
  // Bound (b): uncompressed rows, padded to 4 bytes, must all lie inside the file.
  const std::uint64_t rowBytes = (w * bpp + 31) / 32 * 4;
  if (pixelOffset + rowBytes * h > size)
    fail(path, "",
         "BMP header announces " + std::to_string(w) + " x " + std::to_string(h) + " pixels at " + std::to_string(bpp) +
             " bits (" + std::to_string(rowBytes * h) + " bytes from byte " + std::to_string(pixelOffset) +
             "), more than the file of " + std::to_string(size) + " bytes holds");
  checkSampleLimit(path, w, h, static_cast<std::uint64_t>(channels), budget);

  Image img;
  img.width = static_cast<int>(w);
  img.height = static_cast<int>(h);
  img.channels = channels;
  img.pixels.resize(static_cast<std::size_t>(w * h) * static_cast<std::size_t>(channels));
  const unsigned char* palette = b + (tableEnd - 4 * paletteSize);
  bool anyAlpha = false;
  for (std::uint64_t r = 0; r < h; ++r) {
    const std::uint64_t rowStart = pixelOffset + r * rowBytes;
    const unsigned char* src = b + rowStart;
    const std::uint64_t y = topDown ? r : h - 1 - r;
    float* dst = img.pixels.data() + static_cast<std::size_t>(y * w) * static_cast<std::size_t>(channels);
    for (std::uint64_t x = 0; x < w; ++x, dst += channels) {
      if (bpp <= 8) {
        const std::uint64_t bit = x * bpp;
        const unsigned shift = 8 - bpp - static_cast<unsigned>(bit % 8);
        const std::uint32_t index = (src[bit / 8] >> shift) & ((1u << bpp) - 1);
        if (index >= paletteSize)
          fail(path, bytePlace(rowStart + bit / 8),
               "BMP pixel (" + std::to_string(x) + ", " + std::to_string(y) + ") uses palette index " +
                   std::to_string(index) + ", but the palette has " + std::to_string(paletteSize) + " colours");
        const unsigned char* colour = palette + 4 * index;
        dst[0] = colour[2] / 255.0f;
        dst[1] = colour[1] / 255.0f;
        dst[2] = colour[0] / 255.0f;
      } else if (bpp == 24) {
        const unsigned char* p = src + 3 * x;
        dst[0] = p[2] / 255.0f;
        dst[1] = p[1] / 255.0f;
        dst[2] = p[0] / 255.0f;
      } else {
        const std::uint32_t v = bpp == 16 ? le16(src + 2 * x) : le32(src + 4 * x);
        dst[0] = red.get(v);
        dst[1] = green.get(v);
        dst[2] = blue.get(v);
        if (alpha.mask != 0) dst[3] = alpha.get(v);
        if (alphaFromFourthByte) {
          dst[3] = (v >> 24) / 255.0f;
          anyAlpha = anyAlpha || (v >> 24) != 0;
        }
      }
    }
  }
  if (alphaFromFourthByte && !anyAlpha) {
    // The fourth byte is unused (all zero): an RGB image, not a transparent one.
    std::vector<float> rgb(static_cast<std::size_t>(w * h) * 3);
    for (std::size_t p = 0; p < static_cast<std::size_t>(w * h); ++p)
      for (int k = 0; k < 3; ++k) rgb[3 * p + k] = img.pixels[4 * p + k];
    img.pixels.swap(rgb);
    img.channels = 3;
  }
  return img;
}

}  // namespace

Scene loadImage(const std::string& path, const LoadOptions& options) {
  const std::uint64_t budget = memoryBudget(options.memoryLimit);
  const std::string data = readWholeFile(path);
  const std::string ext = extensionOf(path);
  const Format want = ext == "png" ? Format::Png : ext == "bmp" ? Format::Bmp : Format::Jpeg;
  if (!hasSignature(data, want)) {
    const std::string seen = sniff(data);
    if (!seen.empty()) fail(path, "", "content is a " + seen + " image, not the " + formatName(want) + " its name says");
    switch (want) {
      case Format::Png: fail(path, "", "not a PNG file (no PNG signature)");
      case Format::Jpeg: fail(path, "", "not a JPEG file (no FF D8 FF signature)");
      case Format::Bmp: fail(path, "", "not a BMP file (no 'BM' signature)");
    }
  }
  std::vector<std::string> warnings;
  Image img;
  switch (want) {
    case Format::Png: img = decodePng(path, data, warnings, budget); break;
    case Format::Jpeg: img = decodeJpeg(path, data, warnings, budget); break;
    case Format::Bmp: img = decodeBmp(path, data, budget); break;
  }
  Scene scene;
  scene.path = path;
  const std::size_t s = path.find_last_of("/\\");
  scene.name = s == std::string::npos ? path : path.substr(s + 1);
  scene.data = std::move(img);
  scene.warnings = std::move(warnings);
  return scene;
}

}  // namespace topomask::io_detail
