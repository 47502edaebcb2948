// Image reader (PNG 8/16-bit, JPEG, BMP) on stb_image, decoding from the file buffer.
#include <stb_image.h>

#include "io_internal.h"

namespace topomask::io_detail {

Scene loadImage(const std::string& path) {
  const std::string data = readWholeFile(path);
  if (data.size() > static_cast<std::size_t>(INT32_MAX)) fail(path, "", "image file larger than 2 GiB");
  const auto* bytes = reinterpret_cast<const stbi_uc*>(data.data());
  const int len = static_cast<int>(data.size());
  int w = 0, h = 0, c = 0;
  if (!stbi_info_from_memory(bytes, len, &w, &h, &c)) {
    const char* why = stbi_failure_reason();
    fail(path, "", std::string("not a readable PNG, JPEG or BMP image (") + (why ? why : "unknown reason") + ")");
  }
  // Memory bound: no real codec packs more than ~1000 samples into one byte of file.
  const std::uint64_t samples = static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(h) * static_cast<std::uint64_t>(c);
  if (w <= 0 || h <= 0 || samples > 2048ull * data.size() + (1ull << 24))
    fail(path, "", "image header announces " + std::to_string(w) + " x " + std::to_string(h) +
                       " pixels, more than a file of " + std::to_string(data.size()) + " bytes can hold");
  const bool sixteen = stbi_is_16_bit_from_memory(bytes, len) != 0;
  Image img;
  int rw = 0, rh = 0, rc = 0;
  if (sixteen) {
    stbi_us* px = stbi_load_16_from_memory(bytes, len, &rw, &rh, &rc, 0);
    if (!px) {
      const char* why = stbi_failure_reason();
      fail(path, "", std::string("cannot decode image (") + (why ? why : "unknown reason") + ")");
    }
    img.pixels.resize(static_cast<std::size_t>(rw) * rh * rc);
    for (std::size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = px[i] / 65535.0f;
    stbi_image_free(px);
  } else {
    stbi_uc* px = stbi_load_from_memory(bytes, len, &rw, &rh, &rc, 0);
    if (!px) {
      const char* why = stbi_failure_reason();
      fail(path, "", std::string("cannot decode image (") + (why ? why : "unknown reason") + ")");
    }
    img.pixels.resize(static_cast<std::size_t>(rw) * rh * rc);
    for (std::size_t i = 0; i < img.pixels.size(); ++i) img.pixels[i] = px[i] / 255.0f;
    stbi_image_free(px);
  }
  img.width = rw;
  img.height = rh;
  img.channels = rc;
  std::vector<std::string> warnings;
  if (rc == 2) {  // grey + alpha: keep grey
    std::vector<float> grey(static_cast<std::size_t>(rw) * rh);
    for (std::size_t i = 0; i < grey.size(); ++i) grey[i] = img.pixels[2 * i];
    img.pixels.swap(grey);
    img.channels = 1;
    warnings.push_back("grey + alpha image: alpha channel ignored");
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
