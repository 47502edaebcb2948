#include "render/camera.h"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <limits>
#include <sstream>

namespace topomask::render {

namespace {
constexpr float kMaxPitch = 1.55f;
}

Eigen::Matrix4f lookAt(const Eigen::Vector3f& eye, const Eigen::Vector3f& target, const Eigen::Vector3f& up) {
  const Eigen::Vector3f f = (target - eye).normalized();
  const Eigen::Vector3f s = f.cross(up).normalized();
  const Eigen::Vector3f u = s.cross(f);
  Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
  m.block<1, 3>(0, 0) = s.transpose();
  m.block<1, 3>(1, 0) = u.transpose();
  m.block<1, 3>(2, 0) = -f.transpose();
  m(0, 3) = -s.dot(eye);
  m(1, 3) = -u.dot(eye);
  m(2, 3) = f.dot(eye);
  return m;
}

Eigen::Matrix4f perspective(float fovY, float aspect, float zNear, float zFar) {
  const float t = 1.0f / std::tan(fovY / 2.0f);
  Eigen::Matrix4f m = Eigen::Matrix4f::Zero();
  m(0, 0) = t / aspect;
  m(1, 1) = t;
  m(2, 2) = (zFar + zNear) / (zNear - zFar);
  m(2, 3) = 2.0f * zFar * zNear / (zNear - zFar);
  m(3, 2) = -1.0f;
  return m;
}

Eigen::Matrix4f orthographic(float left, float right, float bottom, float top, float zNear, float zFar) {
  Eigen::Matrix4f m = Eigen::Matrix4f::Identity();
  m(0, 0) = 2.0f / (right - left);
  m(1, 1) = 2.0f / (top - bottom);
  m(2, 2) = -2.0f / (zFar - zNear);
  m(0, 3) = -(right + left) / (right - left);
  m(1, 3) = -(top + bottom) / (top - bottom);
  m(2, 3) = -(zFar + zNear) / (zFar - zNear);
  return m;
}

Eigen::Vector3f Camera::eye() const {
  if (mode == CameraMode::Planar) return target + Eigen::Vector3f(0, 0, 2.0f * sceneRadius + 1.0f);
  const Eigen::Vector3f dir(std::cos(pitch) * std::sin(yaw), std::sin(pitch), std::cos(pitch) * std::cos(yaw));
  return target + distance * dir;
}

Eigen::Matrix4f Camera::view() const {
  return lookAt(eye(), target, Eigen::Vector3f::UnitY());
}

Eigen::Matrix4f Camera::projection(float aspect) const {
  aspect = std::max(aspect, 1e-3f);
  if (mode == CameraMode::Planar) {
    const float depth = 4.0f * sceneRadius + 2.0f;
    return orthographic(-halfHeight * aspect, halfHeight * aspect, -halfHeight, halfHeight, 0.0f, depth);
  }
  const float zNear = std::max(distance - 2.0f * sceneRadius, distance * 1e-3f);
  const float zFar = distance + 2.0f * sceneRadius;
  return perspective(fovY, aspect, zNear, zFar);
}

void Camera::orbit(float dx, float dy) {
  if (mode == CameraMode::Planar) return;
  yaw -= dx * 0.008f;
  pitch = std::clamp(pitch + dy * 0.008f, -kMaxPitch, kMaxPitch);
}

void Camera::pan(float dx, float dy, float viewportHeight) {
  const float h = std::max(viewportHeight, 1.0f);
  // World units per pixel at the target.
  const float perPixel = mode == CameraMode::Planar ? 2.0f * halfHeight / h : 2.0f * distance * std::tan(fovY / 2) / h;
  const Eigen::Matrix4f v = view();
  const Eigen::Vector3f right = v.block<1, 3>(0, 0).transpose();
  const Eigen::Vector3f up = v.block<1, 3>(1, 0).transpose();
  target += (-dx * right + dy * up) * perPixel;
}

void Camera::zoom(float factor, float ndcX, float ndcY, float aspect) {
  factor = std::clamp(factor, 1e-3f, 1e3f);
  if (mode == CameraMode::Orbit) {
    distance = std::clamp(distance / factor, sceneRadius * 1e-3f, sceneRadius * 1e3f);
    return;
  }
  // Keep the point under the cursor fixed: p = target + ndc * extent before and after.
  const Eigen::Vector3f offset(ndcX * halfHeight * aspect, ndcY * halfHeight, 0.0f);
  const Eigen::Vector3f under = target + offset;
  halfHeight = std::clamp(halfHeight / factor, sceneRadius * 1e-5f, sceneRadius * 1e3f);
  const Eigen::Vector3f newOffset(ndcX * halfHeight * aspect, ndcY * halfHeight, 0.0f);
  target = under - newOffset;
}

void Camera::frame(const Eigen::Vector3f& lo, const Eigen::Vector3f& hi, float aspect) {
  aspect = std::max(aspect, 1e-3f);
  target = (lo + hi) / 2.0f;
  sceneRadius = std::max((hi - lo).norm() / 2.0f, 1e-6f);
  if (mode == CameraMode::Planar) {
    const Eigen::Vector3f size = hi - lo;
    halfHeight = std::max({size.y() * 0.53f, size.x() * 0.53f / aspect, 1e-6f});
  } else {
    // The bounding sphere just fits the narrower of the two fields of view.
    const float fovX = 2.0f * std::atan(std::tan(fovY / 2.0f) * aspect);
    distance = sceneRadius / std::sin(std::min(fovY, fovX) / 2.0f);
    yaw = 0.6f;
    pitch = 0.35f;
  }
}

void Camera::fitPoints(const std::vector<Eigen::Vector3f>& points, float aspect, float margin) {
  if (mode != CameraMode::Orbit || points.empty()) return;
  aspect = std::max(aspect, 1e-3f);
  const Eigen::Matrix4f v = view();
  const Eigen::Vector3f s = v.block<1, 3>(0, 0).transpose(), u = v.block<1, 3>(1, 0).transpose();
  const Eigen::Vector3f f = -v.block<1, 3>(2, 0).transpose();  // from the eye towards the target
  float xLo = std::numeric_limits<float>::max(), xHi = -xLo, yLo = xLo, yHi = -xLo;
  for (const Eigen::Vector3f& p : points) {
    const Eigen::Vector3f q = p - target;
    xLo = std::min(xLo, s.dot(q)), xHi = std::max(xHi, s.dot(q));
    yLo = std::min(yLo, u.dot(q)), yHi = std::max(yHi, u.dot(q));
  }
  target += 0.5f * (xLo + xHi) * s + 0.5f * (yLo + yHi) * u;
  const float ty = std::tan(fovY / 2.0f) * (1.0f - margin), tx = std::tan(fovY / 2.0f) * aspect * (1.0f - margin);
  // A point at lateral offset (x, y) and depth w behind the target fits when |x| <= (d + w) tx and
  // |y| <= (d + w) ty: the smallest such eye distance d over all points.
  float d = 1e-3f * sceneRadius;
  float nearest = 0.0f;
  for (const Eigen::Vector3f& p : points) {
    const Eigen::Vector3f q = p - target;
    const float w = f.dot(q);
    d = std::max({d, std::abs(s.dot(q)) / tx - w, std::abs(u.dot(q)) / ty - w});
    nearest = std::max(nearest, -w);
  }
  distance = std::max(d, 1.05f * nearest + 1e-3f * sceneRadius);  // the eye stays outside the object
}

std::optional<Eigen::Vector2f> Camera::toPixels(const Eigen::Vector3f& world, float width, float height) const {
  const Eigen::Vector4f clip = projection(width / std::max(height, 1.0f)) * view() * Eigen::Vector4f(world.x(), world.y(), world.z(), 1.0f);
  if (clip.w() <= 1e-9f) return std::nullopt;
  const float x = clip.x() / clip.w(), y = clip.y() / clip.w();
  return Eigen::Vector2f((x + 1.0f) / 2.0f * width, (1.0f - y) / 2.0f * height);
}

std::string Camera::toText() const {
  std::ostringstream out;
  out << std::setprecision(7);
  out << (mode == CameraMode::Orbit ? "orbit" : "planar") << " target=" << target.x() << ',' << target.y() << ','
      << target.z();
  if (mode == CameraMode::Orbit)
    out << " distance=" << distance << " yaw=" << yaw << " pitch=" << pitch << " fov=" << fovY;
  else
    out << " half_height=" << halfHeight;
  return out.str();
}

std::optional<Camera> Camera::parsed(const std::string& text) const {
  std::istringstream in(text);
  std::string word;
  if (!(in >> word)) return std::nullopt;
  Camera c = *this;
  if (word == "orbit") c.mode = CameraMode::Orbit;
  else if (word == "planar") c.mode = CameraMode::Planar;
  else return std::nullopt;
  while (in >> word) {
    const auto eq = word.find('=');
    if (eq == std::string::npos) return std::nullopt;
    const std::string key = word.substr(0, eq);
    std::string value = word.substr(eq + 1);
    try {
      if (key == "target") {
        std::replace(value.begin(), value.end(), ',', ' ');
        std::istringstream v(value);
        float x = 0, y = 0, z = 0;
        if (!(v >> x >> y >> z)) return std::nullopt;
        c.target = {x, y, z};
      } else {
        const float v = std::stof(value);
        if (!std::isfinite(v)) return std::nullopt;
        if (key == "distance" && v > 0) c.distance = v;
        else if (key == "yaw") c.yaw = v;
        else if (key == "pitch") c.pitch = std::clamp(v, -kMaxPitch, kMaxPitch);
        else if (key == "fov" && v > 0 && v < 3.1f) c.fovY = v;
        else if (key == "half_height" && v > 0) c.halfHeight = v;
        else return std::nullopt;
      }
    } catch (...) {
      return std::nullopt;
    }
  }
  if (!c.target.allFinite()) return std::nullopt;
  return c;
}

}  // namespace topomask::render
