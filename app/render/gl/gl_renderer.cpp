#include "render/gl/gl_renderer.h"

#include <GL/glew.h>

#include <algorithm>
#include <stdexcept>

#include "render/shader_source.h"

namespace topomask::render {

namespace {

unsigned compile(GLenum stage, std::string_view source, const std::string& name) {
  const unsigned shader = glCreateShader(stage);
  const char* text = source.data();
  const GLint length = static_cast<GLint>(source.size());
  glShaderSource(shader, 1, &text, &length);
  glCompileShader(shader);
  GLint ok = 0;
  glGetShaderiv(shader, GL_COMPILE_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetShaderInfoLog(shader, sizeof log, nullptr, log);
    glDeleteShader(shader);
    throw std::runtime_error("shader " + name + " does not compile: " + log);
  }
  return shader;
}

}  // namespace

GlRenderer::GlRenderer(int samples) : samples_(samples) {
  GLint maxSamples = 0;
  glGetIntegerv(GL_MAX_SAMPLES, &maxSamples);
  samples_ = std::clamp(samples_, 0, static_cast<int>(maxSamples));
  GLfloat pointRange[2] = {1.0f, 64.0f};
  glGetFloatv(GL_POINT_SIZE_RANGE, pointRange);
  maxPointSize_ = std::max(1.0f, pointRange[1]);
  glGenVertexArrays(1, &vao_);
  // Compile everything up front so a broken shader shows at start, not at first use.
  for (const EmbeddedShader& s : embeddedShaders()) {
    const std::string file(s.fileName);
    if (file.size() > 5 && file.substr(file.size() - 5) == ".vert") program(file.substr(0, file.size() - 5));
  }
}

GlRenderer::~GlRenderer() {
  release(colors_[0]);
  release(colors_[1]);
  release(pick_);
  for (auto& [k, id] : buffers_) glDeleteBuffers(1, &id);
  for (auto& [k, t] : textures_) glDeleteTextures(1, &t.id);
  for (auto& [k, p] : programs_) glDeleteProgram(p.id);
  glDeleteVertexArrays(1, &vao_);
}

void GlRenderer::clearScreen(int width, int height) {
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
  glDisable(GL_SCISSOR_TEST);
  glViewport(0, 0, width, height);
  glClearColor(0.05f, 0.05f, 0.06f, 1.0f);
  glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
}

void GlRenderer::finish() { glFinish(); }

bool GlRenderer::softwareRasteriser() {
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  const std::string name = renderer ? renderer : "";
  for (const char* software : {"llvmpipe", "softpipe", "swrast", "SwiftShader", "Software Rasterizer"})
    if (name.find(software) != std::string::npos) return true;
  return false;
}

std::string GlRenderer::versionString() {
  const auto* version = reinterpret_cast<const char*>(glGetString(GL_VERSION));
  const auto* renderer = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
  return std::string("OpenGL ") + (version ? version : "?") + ", " + (renderer ? renderer : "?");
}

GlRenderer::Program& GlRenderer::program(const std::string& name) {
  auto it = programs_.find(name);
  if (it != programs_.end()) return it->second;
  const std::string_view vert = shaderSource(name, "vert");
  const std::string_view geom = shaderSource(name, "geom");
  const std::string_view frag = shaderSource(name, "frag");
  if (vert.empty() || frag.empty()) throw std::runtime_error("no shader program '" + name + "'");
  Program p;
  p.id = glCreateProgram();
  std::vector<unsigned> stages{compile(GL_VERTEX_SHADER, vert, name + ".vert"), compile(GL_FRAGMENT_SHADER, frag, name + ".frag")};
  if (!geom.empty()) stages.push_back(compile(GL_GEOMETRY_SHADER, geom, name + ".geom"));
  for (unsigned s : stages) glAttachShader(p.id, s);
  glLinkProgram(p.id);
  for (unsigned s : stages) glDeleteShader(s);
  GLint ok = 0;
  glGetProgramiv(p.id, GL_LINK_STATUS, &ok);
  if (!ok) {
    char log[2048] = {};
    glGetProgramInfoLog(p.id, sizeof log, nullptr, log);
    throw std::runtime_error("shader program " + name + " does not link: " + log);
  }
  const ProgramInterface iface = programInterface(name);
  for (const ShaderVariable& u : iface.uniforms) p.uniforms[u.name] = glGetUniformLocation(p.id, u.name.c_str());
  for (const ShaderVariable& a : iface.attributes) p.attributes[a.name] = glGetAttribLocation(p.id, a.name.c_str());
  return programs_.emplace(name, std::move(p)).first->second;
}

BufferHandle GlRenderer::createVertexBuffer(std::span<const float> data, int) {
  unsigned id = 0;
  glGenBuffers(1, &id);
  glBindBuffer(GL_ARRAY_BUFFER, id);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(data.size_bytes()), data.data(), GL_STATIC_DRAW);
  buffers_[id] = id;
  return BufferHandle{id};
}

BufferHandle GlRenderer::createIndexBuffer(std::span<const std::uint32_t> data) {
  unsigned id = 0;
  glGenBuffers(1, &id);
  glBindVertexArray(vao_);
  glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, id);
  glBufferData(GL_ELEMENT_ARRAY_BUFFER, static_cast<GLsizeiptr>(data.size_bytes()), data.data(), GL_STATIC_DRAW);
  buffers_[id] = id;
  return BufferHandle{id};
}

void GlRenderer::updateVertexBuffer(BufferHandle buffer, std::span<const float> data) {
  glBindBuffer(GL_ARRAY_BUFFER, buffer.id);
  glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(data.size_bytes()), data.data(), GL_DYNAMIC_DRAW);
}

void GlRenderer::destroy(BufferHandle buffer) {
  if (!buffer) return;
  glDeleteBuffers(1, &buffer.id);
  buffers_.erase(buffer.id);
}

TextureHandle GlRenderer::createTexture(int width, int height, TextureFormat format, TextureFilter filter, const void* data) {
  Texture t;
  t.format = format;
  glGenTextures(1, &t.id);
  glBindTexture(GL_TEXTURE_2D, t.id);
  const GLint f = filter == TextureFilter::Linear ? GL_LINEAR : GL_NEAREST;
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, f);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, f);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
  textures_[t.id] = t;
  updateTexture(TextureHandle{t.id}, width, height, data);
  return TextureHandle{t.id};
}

void GlRenderer::updateTexture(TextureHandle texture, int width, int height, const void* data) {
  const Texture& t = textures_.at(texture.id);
  glBindTexture(GL_TEXTURE_2D, t.id);
  glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
  if (t.format == TextureFormat::Rgba8)
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, data);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, width, height, 0, GL_RED, GL_FLOAT, data);
}

void GlRenderer::destroy(TextureHandle texture) {
  if (!texture) return;
  glDeleteTextures(1, &texture.id);
  textures_.erase(texture.id);
}

void GlRenderer::release(Framebuffer& fb) {
  if (fb.fbo) glDeleteFramebuffers(1, &fb.fbo);
  if (fb.resolveFbo) glDeleteFramebuffers(1, &fb.resolveFbo);
  if (fb.colorRb) glDeleteRenderbuffers(1, &fb.colorRb);
  if (fb.depthRb) glDeleteRenderbuffers(1, &fb.depthRb);
  if (fb.resolved) glDeleteTextures(1, &fb.resolved);
  fb = Framebuffer{};
}

void GlRenderer::allocate(Framebuffer& fb, Target target, int width, int height) {
  if (fb.fbo && fb.width == width && fb.height == height) return;
  release(fb);
  fb.width = width;
  fb.height = height;
  glGenTextures(1, &fb.resolved);
  glBindTexture(GL_TEXTURE_2D, fb.resolved);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
  glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
  if (target == Target::Color)
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, width, height, 0, GL_RGBA, GL_UNSIGNED_BYTE, nullptr);
  else
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32UI, width, height, 0, GL_RED_INTEGER, GL_UNSIGNED_INT, nullptr);
  const bool multisample = &fb == &colors_[1];
  glGenFramebuffers(1, &fb.fbo);
  glBindFramebuffer(GL_FRAMEBUFFER, fb.fbo);
  glGenRenderbuffers(1, &fb.depthRb);
  glBindRenderbuffer(GL_RENDERBUFFER, fb.depthRb);
  if (multisample) {
    glGenRenderbuffers(1, &fb.colorRb);
    glBindRenderbuffer(GL_RENDERBUFFER, fb.colorRb);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_RGBA8, width, height);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, fb.colorRb);
    glBindRenderbuffer(GL_RENDERBUFFER, fb.depthRb);
    glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_DEPTH_COMPONENT24, width, height);
    glGenFramebuffers(1, &fb.resolveFbo);
    glBindFramebuffer(GL_FRAMEBUFFER, fb.resolveFbo);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, fb.resolved, 0);
    glBindFramebuffer(GL_FRAMEBUFFER, fb.fbo);
  } else {
    glRenderbufferStorage(GL_RENDERBUFFER, GL_DEPTH_COMPONENT24, width, height);
    glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D, fb.resolved, 0);
  }
  glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_DEPTH_ATTACHMENT, GL_RENDERBUFFER, fb.depthRb);
  if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
    throw std::runtime_error("offscreen framebuffer incomplete");
}

void GlRenderer::begin(Target target, int width, int height) {
  current_ = target;
  if (target == Target::Color) color_ = &colors_[multisample_ && samples_ > 0 ? 1 : 0];
  Framebuffer& fb = target == Target::Color ? *color_ : pick_;
  allocate(fb, target, std::max(1, width), std::max(1, height));
  glBindFramebuffer(GL_FRAMEBUFFER, fb.fbo);
  glBindVertexArray(vao_);
  glEnable(GL_PROGRAM_POINT_SIZE);
  glViewport(0, 0, fb.width, fb.height);
}

void GlRenderer::clear(const Rect& rect, const Eigen::Vector4f& rgba) {
  const Framebuffer& fb = current_ == Target::Color ? *color_ : pick_;
  glEnable(GL_SCISSOR_TEST);
  glScissor(rect.x, fb.height - rect.y - rect.height, rect.width, rect.height);
  glDepthMask(GL_TRUE);
  if (current_ == Target::Color) {
    glClearColor(rgba.x(), rgba.y(), rgba.z(), rgba.w());
    glClear(GL_COLOR_BUFFER_BIT | GL_DEPTH_BUFFER_BIT);
  } else {
    const GLuint zero[4] = {0, 0, 0, 0};
    glClearBufferuiv(GL_COLOR, 0, zero);
    glClear(GL_DEPTH_BUFFER_BIT);
  }
}

void GlRenderer::setViewport(const Rect& rect) {
  const Framebuffer& fb = current_ == Target::Color ? *color_ : pick_;
  const int y = fb.height - rect.y - rect.height;
  glViewport(rect.x, y, rect.width, rect.height);
  glEnable(GL_SCISSOR_TEST);
  glScissor(rect.x, y, rect.width, rect.height);
}

void GlRenderer::setScissor(const Rect& rect) {
  const Framebuffer& fb = current_ == Target::Color ? *color_ : pick_;
  glEnable(GL_SCISSOR_TEST);
  glScissor(rect.x, fb.height - rect.y - rect.height, rect.width, rect.height);
}

void GlRenderer::draw(const DrawCall& call) {
  Program& p = program(call.program);
  glUseProgram(p.id);
  for (const auto& [name, value] : call.uniforms) {
    auto it = p.uniforms.find(name);
    if (it == p.uniforms.end() || it->second < 0) continue;
    const int loc = it->second;
    std::visit(
        [loc](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, int>) glUniform1i(loc, v);
          else if constexpr (std::is_same_v<T, float>) glUniform1f(loc, v);
          else if constexpr (std::is_same_v<T, Eigen::Vector2f>) glUniform2fv(loc, 1, v.data());
          else if constexpr (std::is_same_v<T, Eigen::Vector3f>) glUniform3fv(loc, 1, v.data());
          else if constexpr (std::is_same_v<T, Eigen::Vector4f>) glUniform4fv(loc, 1, v.data());
          else glUniformMatrix4fv(loc, 1, GL_FALSE, v.data());
        },
        value);
  }
  int unit = 0;
  for (const auto& [name, texture] : call.textures) {
    auto it = p.uniforms.find(name);
    glActiveTexture(GL_TEXTURE0 + unit);
    glBindTexture(GL_TEXTURE_2D, texture.id);
    if (it != p.uniforms.end() && it->second >= 0) glUniform1i(it->second, unit);
    ++unit;
  }
  glBindVertexArray(vao_);
  for (int i = 0; i < 8; ++i) glDisableVertexAttribArray(i);
  for (const Attribute& a : call.attributes) {
    auto it = p.attributes.find(a.name);
    if (it == p.attributes.end() || it->second < 0) continue;
    glBindBuffer(GL_ARRAY_BUFFER, a.buffer.id);
    glEnableVertexAttribArray(it->second);
    glVertexAttribPointer(it->second, a.components, GL_FLOAT, GL_FALSE, 0, nullptr);
  }
  if (call.depthTest) glEnable(GL_DEPTH_TEST); else glDisable(GL_DEPTH_TEST);
  glDepthMask(call.depthWrite ? GL_TRUE : GL_FALSE);
  if (call.blend) {
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
  } else {
    glDisable(GL_BLEND);
  }
  if (call.polygonOffset) {
    glEnable(GL_POLYGON_OFFSET_FILL);
    glPolygonOffset(1.0f, 1.0f);
  } else {
    glDisable(GL_POLYGON_OFFSET_FILL);
  }
  glLineWidth(call.lineWidth);
  const GLenum mode = call.primitive == Primitive::Triangles ? GL_TRIANGLES
                      : call.primitive == Primitive::Lines   ? GL_LINES
                                                             : GL_POINTS;
  if (call.indices) {
    glBindBuffer(GL_ELEMENT_ARRAY_BUFFER, call.indices.id);
    glDrawElements(mode, static_cast<GLsizei>(call.count), GL_UNSIGNED_INT, nullptr);
  } else {
    glDrawArrays(mode, 0, static_cast<GLsizei>(call.count));
  }
  glDepthMask(GL_TRUE);
}

void GlRenderer::end() {
  if (current_ == Target::Color && color_->resolveFbo) {
    glBindFramebuffer(GL_READ_FRAMEBUFFER, color_->fbo);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, color_->resolveFbo);
    glDisable(GL_SCISSOR_TEST);
    glBlitFramebuffer(0, 0, color_->width, color_->height, 0, 0, color_->width, color_->height, GL_COLOR_BUFFER_BIT, GL_NEAREST);
  }
  glDisable(GL_SCISSOR_TEST);
  glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

std::vector<std::uint8_t> GlRenderer::readColor() {
  const int w = color_->width, h = color_->height;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(w) * h * 4);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, color_->resolveFbo ? color_->resolveFbo : color_->fbo);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  // GL rows start at the bottom; flip to top-first.
  const std::size_t stride = static_cast<std::size_t>(w) * 4;
  for (int y = 0; y < h / 2; ++y)
    std::swap_ranges(pixels.begin() + y * stride, pixels.begin() + (y + 1) * stride, pixels.begin() + (h - 1 - y) * stride);
  return pixels;
}

std::vector<std::uint8_t> GlRenderer::readScreen(int width, int height) {
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(width) * height * 4);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  glPixelStorei(GL_PACK_ALIGNMENT, 1);
  glReadPixels(0, 0, width, height, GL_RGBA, GL_UNSIGNED_BYTE, pixels.data());
  const std::size_t stride = static_cast<std::size_t>(width) * 4;
  for (int y = 0; y < height / 2; ++y)
    std::swap_ranges(pixels.begin() + y * stride, pixels.begin() + (y + 1) * stride, pixels.begin() + (height - 1 - y) * stride);
  return pixels;
}

std::uint32_t GlRenderer::readPick(int x, int y) {
  if (!pick_.fbo || x < 0 || y < 0 || x >= pick_.width || y >= pick_.height) return 0;
  GLuint value = 0;
  glBindFramebuffer(GL_READ_FRAMEBUFFER, pick_.fbo);
  glReadPixels(x, pick_.height - 1 - y, 1, 1, GL_RED_INTEGER, GL_UNSIGNED_INT, &value);
  glBindFramebuffer(GL_READ_FRAMEBUFFER, 0);
  return value;
}

}  // namespace topomask::render
