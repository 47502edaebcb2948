// Camera maths (pure, no GL): a 3-D orbit camera (yaw/pitch/distance about a target) for
// meshes and point clouds, a 2-D planar camera (pan/zoom) for images and graph layouts,
// and a one-line text form for copy and paste.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

namespace topomask::render {

enum class CameraMode { Orbit, Planar };

struct Camera {
  CameraMode mode = CameraMode::Orbit;
  Eigen::Vector3f target = Eigen::Vector3f::Zero();  // orbit centre; planar: centre of the view
  float distance = 3.0f;     // orbit: eye to target
  float yaw = 0.6f;          // orbit: radians about +y
  float pitch = 0.35f;       // orbit: radians above the xz plane, |pitch| < pi/2
  float fovY = 0.75f;        // orbit: vertical field of view, radians
  float halfHeight = 1.0f;   // planar: world units from the centre to the top edge
  float sceneRadius = 1.0f;  // sets the clipping planes

  // World -> eye (right-handed, looking down -z).
  Eigen::Matrix4f view() const;
  // Eye -> clip for a viewport of the given aspect (width / height).
  Eigen::Matrix4f projection(float aspect) const;
  Eigen::Vector3f eye() const;

  // Mouse gestures, in pixels of a viewport `viewportHeight` pixels tall.
  void orbit(float dxPixels, float dyPixels);
  void pan(float dxPixels, float dyPixels, float viewportHeight);
  // factor > 1 zooms in. Planar: keeps the world point under (ndcX, ndcY) fixed.
  void zoom(float factor, float ndcX = 0.0f, float ndcY = 0.0f, float aspect = 1.0f);
  // Frames the axis-aligned box [lo, hi] (reset) in a viewport of the given aspect (width / height).
  void frame(const Eigen::Vector3f& lo, const Eigen::Vector3f& hi, float aspect = 1.0f);
  // Orbit mode, after frame(): re-centres the target on the points as seen from this direction and
  // moves the eye so that their projection just fits the view, with `margin` (a fraction of the
  // half-width) left on the tighter side. The object then fills the view instead of its bounding
  // sphere. Planar mode: nothing to do (frame() fits the box already).
  void fitPoints(const std::vector<Eigen::Vector3f>& points, float aspect, float margin = 0.05f);

  // Projects a world point to pixel coordinates of a width x height viewport (origin top-left);
  // nullopt behind the eye.
  std::optional<Eigen::Vector2f> toPixels(const Eigen::Vector3f& world, float width, float height) const;

  // "orbit target=0,0,0 distance=3 yaw=0.6 pitch=0.35 fov=0.75" or "planar target=.. half_height=..".
  std::string toText() const;
  // Parses toText()'s form (keys in any order, missing keys keep this camera's values); nullopt on
  // anything it does not understand.
  std::optional<Camera> parsed(const std::string& text) const;
};

// 4x4 helpers (column-major Eigen).
Eigen::Matrix4f lookAt(const Eigen::Vector3f& eye, const Eigen::Vector3f& target, const Eigen::Vector3f& up);
Eigen::Matrix4f perspective(float fovY, float aspect, float zNear, float zFar);
Eigen::Matrix4f orthographic(float left, float right, float bottom, float top, float zNear, float zFar);

}  // namespace topomask::render
