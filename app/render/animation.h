// Animations of RGBA frames written with well-kept libraries: an animated GIF through giflib (each frame
// quantised to its own 256-colour palette by giflib's median cut, looping forever) or an MP4 through
// FFmpeg's libavformat / libavcodec (H.264 by libx264 in yuv420p when the library has it, else MPEG-4
// part 2), chosen by the file's extension. Used by `topomask render --animate`. No GL.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

namespace topomask::render {

enum class AnimationFormat { Gif, Mp4 };

// From the extension, case-insensitive: .gif or .mp4; usage Error naming the path otherwise.
AnimationFormat animationFormatFor(const std::string& path);
const char* animationFormatName(AnimationFormat format);  // "gif", "mp4"

// Frames are width x height RGBA, row 0 at the top, all the same size. The file appears only when
// finish() succeeds: frames go to a temporary file next to it (".<name>.<pid>.tmp"), renamed over
// `path` at the end; on any error (or destruction without finish) the temporary file is removed and
// an existing file at `path` is left as it was. Errors name the path and the library's reason.
// MP4 frames of odd width or height are padded by one repeated column or row (yuv420p needs even
// sizes); width() and height() report the size written.
class AnimationWriter {
 public:
  AnimationWriter(const std::string& path, int width, int height, double framesPerSecond);
  ~AnimationWriter();
  AnimationWriter(const AnimationWriter&) = delete;
  AnimationWriter& operator=(const AnimationWriter&) = delete;

  void add(std::span<const std::uint8_t> rgba);
  void finish();

  int frames() const;
  int width() const;
  int height() const;
  AnimationFormat format() const;
  std::string codec() const;  // "gif", "h264 (libx264)", "mpeg4"

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Reads an animation written by AnimationWriter (or any GIF, or any file FFmpeg decodes) back into
// RGBA frames: for checks and tests. Error naming the path when it cannot be read.
struct Animation {
  int width = 0, height = 0;
  std::vector<std::vector<std::uint8_t>> frames;  // RGBA, row 0 at the top
};
Animation readAnimation(const std::string& path);

}  // namespace topomask::render
