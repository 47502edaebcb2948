#include "render/animation.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <string>

#include <unistd.h>

extern "C" {
#include <gif_lib.h>
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include "topomask/core/error.h"
#include "topomask/core/output_file.h"

namespace topomask::render {
namespace {

std::string lowerExtension(const std::string& path) {
  std::string ext = std::filesystem::path(path).extension().string();
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string avError(int code) {
  char text[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, text, sizeof text);
  return text;
}

// ".<name>.<pid>.tmp" next to `path`, as writeFileAtomically names its temporary files.
std::string temporaryPathFor(const std::string& path) {
  const std::filesystem::path p(path);
  std::string name(1, '.');
  name.append(p.filename().string()).append(1, '.').append(std::to_string(::getpid())).append(".tmp");
  return (p.parent_path() / name).string();
}

}  // namespace

AnimationFormat animationFormatFor(const std::string& path) {
  const std::string ext = lowerExtension(path);
  if (ext == ".gif") return AnimationFormat::Gif;
  if (ext == ".mp4") return AnimationFormat::Mp4;
  throw usageError("--animate " + path + ": the animation's file name must end in .gif or .mp4" +
                   (ext.empty() ? std::string() : " (got '" + ext + "')"));
}

const char* animationFormatName(AnimationFormat format) { return format == AnimationFormat::Gif ? "gif" : "mp4"; }

struct AnimationWriter::Impl {
  std::string path;
  AnimationFormat format = AnimationFormat::Gif;
  int width = 0, height = 0;  // of the frames given
  int outWidth = 0, outHeight = 0;
  double fps = 10;
  int frames = 0;
  bool finished = false;

  // GIF: encoded in memory, written atomically at the end.
  GifFileType* gif = nullptr;
  std::string gifBytes;

  // MP4: written to a temporary file, renamed at the end.
  std::string temporary;
  AVFormatContext* format_ = nullptr;
  AVCodecContext* codec = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  std::string codecName;

  ~Impl() { release(true); }

  void release(bool removeTemporary) {
    if (gif) {
      int error = 0;
      EGifCloseFile(gif, &error);
      gif = nullptr;
    }
    if (sws) sws_freeContext(sws), sws = nullptr;
    if (frame) av_frame_free(&frame);
    if (packet) av_packet_free(&packet);
    if (codec) avcodec_free_context(&codec);
    if (format_) {
      if (format_->pb) avio_closep(&format_->pb);
      avformat_free_context(format_);
      format_ = nullptr;
    }
    if (removeTemporary && !temporary.empty()) {
      std::error_code ignored;
      std::filesystem::remove(temporary, ignored);
      temporary.clear();
    }
  }

  [[noreturn]] void fail(const std::string& cause) {
    release(true);
    throw Error(cause, path, Error::Kind::Input);
  }

  // ---- GIF ----
  static int appendGif(GifFileType* file, const GifByteType* data, int size) {
    static_cast<std::string*>(file->UserData)->append(reinterpret_cast<const char*>(data), static_cast<std::size_t>(size));
    return size;
  }

  void openGif() {
    int error = 0;
    gif = EGifOpen(&gifBytes, &Impl::appendGif, &error);
    if (!gif) fail(std::string("cannot start the GIF: ") + GifErrorString(error));
    EGifSetGifVersion(gif, true);  // GIF89a: delays and the loop extension
    if (EGifPutScreenDesc(gif, width, height, 8, 0, nullptr) == GIF_ERROR)
      fail(std::string("cannot write the GIF's screen: ") + GifErrorString(gif->Error));
    // NETSCAPE2.0 application extension: loop forever.
    const unsigned char loop[3] = {1, 0, 0};
    if (EGifPutExtensionLeader(gif, APPLICATION_EXT_FUNC_CODE) == GIF_ERROR ||
        EGifPutExtensionBlock(gif, 11, "NETSCAPE2.0") == GIF_ERROR || EGifPutExtensionBlock(gif, 3, loop) == GIF_ERROR ||
        EGifPutExtensionTrailer(gif) == GIF_ERROR)
      fail(std::string("cannot write the GIF's loop extension: ") + GifErrorString(gif->Error));
  }

  void addGif(std::span<const std::uint8_t> rgba) {
    const std::size_t n = static_cast<std::size_t>(width) * height;
    std::vector<GifByteType> r(n), g(n), b(n), index(n);
    for (std::size_t i = 0; i < n; ++i) r[i] = rgba[4 * i], g[i] = rgba[4 * i + 1], b[i] = rgba[4 * i + 2];
    // At most 256 distinct colours (the plots): an exact palette. More (shaded views): giflib's
    // median cut.
    int colours = 0;
    GifColorType palette[256] = {};
    {
      std::vector<std::uint32_t> distinct;
      for (std::size_t i = 0; i < n && distinct.size() <= 256; ++i) {
        const std::uint32_t c = (std::uint32_t{r[i]} << 16) | (std::uint32_t{g[i]} << 8) | b[i];
        const auto at = std::lower_bound(distinct.begin(), distinct.end(), c);
        if (at == distinct.end() || *at != c) distinct.insert(at, c);
      }
      if (distinct.size() <= 256) {
        for (std::size_t k = 0; k < distinct.size(); ++k)
          palette[k] = GifColorType{static_cast<GifByteType>(distinct[k] >> 16), static_cast<GifByteType>(distinct[k] >> 8),
                                    static_cast<GifByteType>(distinct[k])};
        for (std::size_t i = 0; i < n; ++i) {
          const std::uint32_t c = (std::uint32_t{r[i]} << 16) | (std::uint32_t{g[i]} << 8) | b[i];
          index[i] = static_cast<GifByteType>(std::lower_bound(distinct.begin(), distinct.end(), c) - distinct.begin());
        }
        colours = static_cast<int>(distinct.size());
      }
    }
    if (colours == 0) {
      colours = 256;
      if (GifQuantizeBuffer(static_cast<unsigned>(width), static_cast<unsigned>(height), &colours, r.data(), g.data(), b.data(),
                            index.data(), palette) == GIF_ERROR)
        fail("cannot quantise frame " + std::to_string(frames + 1) + " to 256 colours");
    }
    ColorMapObject* map = GifMakeMapObject(256, palette);
    if (!map) fail("out of memory for a GIF palette");
    GraphicsControlBlock control{};
    control.DisposalMode = DISPOSE_DO_NOT;
    control.UserInputFlag = false;
    control.DelayTime = std::max(2, static_cast<int>(std::lround(100.0 / fps)));  // hundredths of a second
    control.TransparentColor = NO_TRANSPARENT_COLOR;
    GifByteType extension[4];
    const std::size_t length = EGifGCBToExtension(&control, extension);
    bool ok = EGifPutExtension(gif, GRAPHICS_EXT_FUNC_CODE, static_cast<int>(length), extension) != GIF_ERROR &&
              EGifPutImageDesc(gif, 0, 0, width, height, false, map) != GIF_ERROR;
    for (int y = 0; ok && y < height; ++y)
      ok = EGifPutLine(gif, index.data() + static_cast<std::size_t>(y) * width, width) != GIF_ERROR;
    GifFreeMapObject(map);
    if (!ok) fail("cannot encode frame " + std::to_string(frames + 1) + ": " + GifErrorString(gif->Error));
  }

  void finishGif() {
    int error = 0;
    const int status = EGifCloseFile(gif, &error);
    gif = nullptr;
    if (status == GIF_ERROR) fail(std::string("cannot finish the GIF: ") + GifErrorString(error));
    writeFileAtomically(path, gifBytes);
  }

  // ---- MP4 ----
  void openMp4() {
    outWidth = width + (width & 1);
    outHeight = height + (height & 1);
    temporary = temporaryPathFor(path);
    int rc = avformat_alloc_output_context2(&format_, nullptr, "mp4", temporary.c_str());
    if (rc < 0 || !format_) fail("cannot set up the MP4 container: " + avError(rc));
    const AVCodec* encoder = avcodec_find_encoder_by_name("libx264");
    codecName = "h264 (libx264)";
    if (!encoder) {
      encoder = avcodec_find_encoder(AV_CODEC_ID_MPEG4);
      codecName = "mpeg4";
    }
    if (!encoder) fail("this FFmpeg has neither an H.264 nor an MPEG-4 encoder");
    stream = avformat_new_stream(format_, nullptr);
    codec = avcodec_alloc_context3(encoder);
    frame = av_frame_alloc();
    packet = av_packet_alloc();
    if (!stream || !codec || !frame || !packet) fail("out of memory for the video encoder");
    const int rate = std::max(1, static_cast<int>(std::lround(fps)));
    codec->width = outWidth;
    codec->height = outHeight;
    codec->pix_fmt = AV_PIX_FMT_YUV420P;
    codec->time_base = AVRational{1, rate};
    codec->framerate = AVRational{rate, 1};
    codec->gop_size = 2 * rate;
    if (codecName == "mpeg4") {
      codec->bit_rate = static_cast<std::int64_t>(outWidth) * outHeight * rate / 4;  // ~2 bits a pixel
    } else {
      av_opt_set(codec->priv_data, "preset", "medium", 0);
      av_opt_set(codec->priv_data, "crf", "20", 0);
    }
    if (format_->oformat->flags & AVFMT_GLOBALHEADER) codec->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    if ((rc = avcodec_open2(codec, encoder, nullptr)) < 0) fail("cannot open the " + codecName + " encoder: " + avError(rc));
    if ((rc = avcodec_parameters_from_context(stream->codecpar, codec)) < 0) fail("cannot describe the video stream: " + avError(rc));
    stream->time_base = codec->time_base;
    if ((rc = avio_open(&format_->pb, temporary.c_str(), AVIO_FLAG_WRITE)) < 0)
      fail("cannot create " + temporary + ": " + avError(rc));
    if ((rc = avformat_write_header(format_, nullptr)) < 0) fail("cannot write the MP4 header: " + avError(rc));
    frame->format = AV_PIX_FMT_YUV420P;
    frame->width = outWidth;
    frame->height = outHeight;
    if ((rc = av_frame_get_buffer(frame, 0)) < 0) fail("out of memory for a video frame: " + avError(rc));
    sws = sws_getContext(outWidth, outHeight, AV_PIX_FMT_RGBA, outWidth, outHeight, AV_PIX_FMT_YUV420P, SWS_BICUBIC, nullptr,
                         nullptr, nullptr);
    if (!sws) fail("cannot set up the colour conversion to yuv420p");
  }

  void drain(bool flushing) {
    int rc = avcodec_send_frame(codec, flushing ? nullptr : frame);
    if (rc < 0) fail("the encoder refused frame " + std::to_string(frames + 1) + ": " + avError(rc));
    while ((rc = avcodec_receive_packet(codec, packet)) == 0) {
      packet->duration = 1;  // one frame: without it the last frame falls outside the MP4's edit list
      av_packet_rescale_ts(packet, codec->time_base, stream->time_base);
      packet->stream_index = stream->index;
      rc = av_interleaved_write_frame(format_, packet);
      if (rc < 0) fail("cannot write to " + temporary + ": " + avError(rc));
    }
    if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) fail("the encoder failed: " + avError(rc));
  }

  void addMp4(std::span<const std::uint8_t> rgba) {
    // Pad odd sizes by repeating the last column and row.
    std::vector<std::uint8_t> padded;
    const std::uint8_t* source = rgba.data();
    if (outWidth != width || outHeight != height) {
      padded.resize(static_cast<std::size_t>(outWidth) * outHeight * 4);
      for (int y = 0; y < outHeight; ++y)
        for (int x = 0; x < outWidth; ++x)
          std::memcpy(&padded[(static_cast<std::size_t>(y) * outWidth + x) * 4],
                      &rgba[(static_cast<std::size_t>(std::min(y, height - 1)) * width + std::min(x, width - 1)) * 4], 4);
      source = padded.data();
    }
    int rc = av_frame_make_writable(frame);
    if (rc < 0) fail("cannot reuse the video frame: " + avError(rc));
    const std::uint8_t* planes[1] = {source};
    const int strides[1] = {outWidth * 4};
    sws_scale(sws, planes, strides, 0, outHeight, frame->data, frame->linesize);
    frame->pts = frames;
    drain(false);
  }

  void finishMp4() {
    drain(true);
    const int rc = av_write_trailer(format_);
    if (rc < 0) fail("cannot finish the MP4: " + avError(rc));
    avio_closep(&format_->pb);
    release(false);
    std::error_code error;
    std::filesystem::rename(temporary, path, error);
    if (error) {
      std::filesystem::remove(temporary, error);
      temporary.clear();
      throw Error("cannot move the finished animation into place: " + error.message(), path, Error::Kind::Input);
    }
    temporary.clear();
  }
};

AnimationWriter::AnimationWriter(const std::string& path, int width, int height, double framesPerSecond)
    : impl_(std::make_unique<Impl>()) {
  av_log_set_level(AV_LOG_ERROR);  // no encoder chatter on the terminal; errors come back as Errors
  impl_->path = path;
  impl_->format = animationFormatFor(path);
  if (width < 1 || height < 1 || width > 16384 || height > 16384)
    throw usageError("animation frames must be 1 to 16384 pixels wide and high");
  if (!(framesPerSecond > 0.0) || framesPerSecond > 100.0) throw usageError("--fps must be between 0 and 100");
  impl_->width = impl_->outWidth = width;
  impl_->height = impl_->outHeight = height;
  impl_->fps = framesPerSecond;
  if (impl_->format == AnimationFormat::Gif) {
    if (width > 65535 || height > 65535) throw usageError("GIF frames are at most 65535 pixels wide");
    impl_->codecName = "gif";
    impl_->openGif();
  } else {
    impl_->openMp4();
  }
}

AnimationWriter::~AnimationWriter() = default;

void AnimationWriter::add(std::span<const std::uint8_t> rgba) {
  if (impl_->finished) throw usageError("AnimationWriter::add after finish");
  if (rgba.size() != static_cast<std::size_t>(impl_->width) * impl_->height * 4)
    throw usageError("AnimationWriter::add: a frame of " + std::to_string(rgba.size()) + " bytes, expected " +
                     std::to_string(impl_->width) + " x " + std::to_string(impl_->height) + " RGBA");
  if (impl_->format == AnimationFormat::Gif)
    impl_->addGif(rgba);
  else
    impl_->addMp4(rgba);
  ++impl_->frames;
}

void AnimationWriter::finish() {
  if (impl_->finished) return;
  if (impl_->frames == 0) impl_->fail("an animation needs at least one frame");
  if (impl_->format == AnimationFormat::Gif)
    impl_->finishGif();
  else
    impl_->finishMp4();
  impl_->finished = true;
}

int AnimationWriter::frames() const { return impl_->frames; }
int AnimationWriter::width() const { return impl_->outWidth; }
int AnimationWriter::height() const { return impl_->outHeight; }
AnimationFormat AnimationWriter::format() const { return impl_->format; }
std::string AnimationWriter::codec() const { return impl_->codecName; }

namespace {

Animation readGif(const std::string& path) {
  int error = 0;
  GifFileType* gif = DGifOpenFileName(path.c_str(), &error);
  if (!gif) throw Error(std::string("cannot open the GIF: ") + GifErrorString(error), path);
  struct Closer {
    GifFileType* g;
    ~Closer() {
      int e = 0;
      DGifCloseFile(g, &e);
    }
  } closer{gif};
  if (DGifSlurp(gif) == GIF_ERROR) throw Error(std::string("cannot read the GIF: ") + GifErrorString(gif->Error), path);
  Animation a;
  a.width = gif->SWidth;
  a.height = gif->SHeight;
  std::vector<std::uint8_t> canvas(static_cast<std::size_t>(a.width) * a.height * 4, 0);
  for (int i = 0; i < gif->ImageCount; ++i) {
    const SavedImage& image = gif->SavedImages[i];
    const ColorMapObject* map = image.ImageDesc.ColorMap ? image.ImageDesc.ColorMap : gif->SColorMap;
    if (!map) throw Error("frame " + std::to_string(i + 1) + " has no palette", path);
    const GifImageDesc& d = image.ImageDesc;
    for (int y = 0; y < d.Height; ++y)
      for (int x = 0; x < d.Width; ++x) {
        const int cx = d.Left + x, cy = d.Top + y;
        if (cx < 0 || cy < 0 || cx >= a.width || cy >= a.height) continue;
        const int index = image.RasterBits[static_cast<std::size_t>(y) * d.Width + x];
        if (index >= map->ColorCount) continue;
        std::uint8_t* p = &canvas[(static_cast<std::size_t>(cy) * a.width + cx) * 4];
        p[0] = map->Colors[index].Red, p[1] = map->Colors[index].Green, p[2] = map->Colors[index].Blue, p[3] = 255;
      }
    a.frames.push_back(canvas);
  }
  return a;
}

Animation readVideo(const std::string& path) {
  AVFormatContext* input = nullptr;
  int rc = avformat_open_input(&input, path.c_str(), nullptr, nullptr);
  if (rc < 0) throw Error("cannot open the video: " + avError(rc), path);
  AVCodecContext* decoder = nullptr;
  AVFrame* frame = av_frame_alloc();
  AVPacket* packet = av_packet_alloc();
  SwsContext* sws = nullptr;
  struct Cleanup {
    AVFormatContext*& input;
    AVCodecContext*& decoder;
    AVFrame*& frame;
    AVPacket*& packet;
    SwsContext*& sws;
    ~Cleanup() {
      if (sws) sws_freeContext(sws);
      av_frame_free(&frame);
      av_packet_free(&packet);
      avcodec_free_context(&decoder);
      avformat_close_input(&input);
    }
  } cleanup{input, decoder, frame, packet, sws};
  if ((rc = avformat_find_stream_info(input, nullptr)) < 0) throw Error("cannot read the video's streams: " + avError(rc), path);
  const AVCodec* codec = nullptr;
  const int streamIndex = av_find_best_stream(input, AVMEDIA_TYPE_VIDEO, -1, -1, &codec, 0);
  if (streamIndex < 0 || !codec) throw Error("the file has no video stream FFmpeg can decode", path);
  decoder = avcodec_alloc_context3(codec);
  if (!decoder || !frame || !packet) throw Error("out of memory for the video decoder", path);
  avcodec_parameters_to_context(decoder, input->streams[streamIndex]->codecpar);
  if ((rc = avcodec_open2(decoder, codec, nullptr)) < 0) throw Error("cannot open the decoder: " + avError(rc), path);
  Animation a;
  a.width = decoder->width;
  a.height = decoder->height;
  auto receive = [&] {
    while ((rc = avcodec_receive_frame(decoder, frame)) == 0) {
      sws = sws_getCachedContext(sws, frame->width, frame->height, static_cast<AVPixelFormat>(frame->format), a.width, a.height,
                                 AV_PIX_FMT_RGBA, SWS_BICUBIC, nullptr, nullptr, nullptr);
      if (!sws) throw Error("cannot convert the decoded frames to RGBA", path);
      std::vector<std::uint8_t> rgba(static_cast<std::size_t>(a.width) * a.height * 4);
      std::uint8_t* planes[1] = {rgba.data()};
      const int strides[1] = {a.width * 4};
      sws_scale(sws, frame->data, frame->linesize, 0, frame->height, planes, strides);
      a.frames.push_back(std::move(rgba));
    }
    if (rc != AVERROR(EAGAIN) && rc != AVERROR_EOF) throw Error("cannot decode the video: " + avError(rc), path);
  };
  while (av_read_frame(input, packet) >= 0) {
    if (packet->stream_index == streamIndex) {
      rc = avcodec_send_packet(decoder, packet);
      av_packet_unref(packet);
      if (rc < 0) throw Error("cannot decode the video: " + avError(rc), path);
      receive();
    } else {
      av_packet_unref(packet);
    }
  }
  avcodec_send_packet(decoder, nullptr);
  receive();
  return a;
}

}  // namespace

Animation readAnimation(const std::string& path) {
  if (lowerExtension(path) == ".gif") return readGif(path);
  return readVideo(path);
}

}  // namespace topomask::render
