// Camera maths: view/projection conventions, gestures, framing, text round trip.
#include <cmath>

#include <gtest/gtest.h>

#include "render/camera.h"

using topomask::render::Camera;
using topomask::render::CameraMode;

TEST(Camera, ViewIsRigidAndLooksAtTheTarget) {
  Camera c;
  c.target = {1, 2, 3};
  c.distance = 5;
  c.yaw = 0.3f;
  c.pitch = -0.4f;
  const Eigen::Matrix4f v = c.view();
  const Eigen::Matrix3f r = v.block<3, 3>(0, 0);
  EXPECT_LT((r * r.transpose() - Eigen::Matrix3f::Identity()).norm(), 1e-5f);
  // The target sits on the -z axis of the eye at the orbit distance.
  const Eigen::Vector4f t = v * Eigen::Vector4f(1, 2, 3, 1);
  EXPECT_NEAR(t.x(), 0.0f, 1e-4f);
  EXPECT_NEAR(t.y(), 0.0f, 1e-4f);
  EXPECT_NEAR(t.z(), -5.0f, 1e-4f);
  EXPECT_NEAR((c.eye() - c.target).norm(), 5.0f, 1e-4f);
}

TEST(Camera, TargetProjectsToTheViewportCentre) {
  Camera c;
  c.target = {0.5f, -1, 2};
  for (CameraMode mode : {CameraMode::Orbit, CameraMode::Planar}) {
    c.mode = mode;
    const auto p = c.toPixels(c.target, 800, 600);
    ASSERT_TRUE(p.has_value());
    EXPECT_NEAR(p->x(), 400.0f, 1e-2f);
    EXPECT_NEAR(p->y(), 300.0f, 1e-2f);
  }
}

TEST(Camera, FrameFitsTheBoxInView) {
  Camera c;
  const Eigen::Vector3f lo(-2, -1, -3), hi(4, 1, 1);
  // Every corner of the box projects inside viewports of several shapes, 3-D and 2-D.
  for (CameraMode mode : {CameraMode::Orbit, CameraMode::Planar})
    for (float w : {500.0f, 200.0f, 900.0f}) {
      c.mode = mode;
      c.frame(lo, hi, w / 500.0f);
      EXPECT_LT((c.target - Eigen::Vector3f(1, 0, -1)).norm(), 1e-5f);
      for (int k = 0; k < 8; ++k) {
        const Eigen::Vector3f corner((k & 1) ? hi.x() : lo.x(), (k & 2) ? hi.y() : lo.y(), (k & 4) ? hi.z() : lo.z());
        const auto p = c.toPixels(corner, w, 500);
        ASSERT_TRUE(p.has_value());
        EXPECT_GE(p->x(), 0.0f) << w;
        EXPECT_LE(p->x(), w) << w;
        EXPECT_GE(p->y(), 0.0f);
        EXPECT_LE(p->y(), 500.0f);
      }
    }
}

TEST(Camera, PlanarZoomKeepsThePointUnderTheCursor) {
  Camera c;
  c.mode = CameraMode::Planar;
  c.target = {10, 20, 0};
  c.halfHeight = 5;
  const float aspect = 1.5f, ndcX = 0.4f, ndcY = -0.7f;
  const Eigen::Vector3f before = c.target + Eigen::Vector3f(ndcX * c.halfHeight * aspect, ndcY * c.halfHeight, 0);
  c.zoom(2.0f, ndcX, ndcY, aspect);
  EXPECT_NEAR(c.halfHeight, 2.5f, 1e-6f);
  const Eigen::Vector3f after = c.target + Eigen::Vector3f(ndcX * c.halfHeight * aspect, ndcY * c.halfHeight, 0);
  EXPECT_LT((before - after).norm(), 1e-4f);
}

TEST(Camera, PanMovesTheSceneWithTheMouse) {
  Camera c;
  c.mode = CameraMode::Planar;
  c.halfHeight = 1;  // 2 world units over 200 pixels: 0.01 per pixel
  const Eigen::Vector3f p(0.3f, 0.2f, 0);
  const auto before = c.toPixels(p, 200, 200);
  c.pan(15, -7, 200);
  const auto after = c.toPixels(p, 200, 200);
  EXPECT_NEAR(after->x() - before->x(), 15.0f, 1e-3f);
  EXPECT_NEAR(after->y() - before->y(), -7.0f, 1e-3f);
}

TEST(Camera, OrbitClampsPitchAndKeepsDistance) {
  Camera c;
  c.orbit(0, 1e6f);
  EXPECT_LT(std::abs(c.pitch), 1.5708f);
  EXPECT_NEAR((c.eye() - c.target).norm(), c.distance, 1e-4f);
  const float yaw = c.yaw;
  c.orbit(100, 0);
  EXPECT_NE(c.yaw, yaw);
}

TEST(Camera, TextRoundTripAndRejectsGarbage) {
  Camera c;
  c.target = {1.25f, -2.5f, 3};
  c.distance = 7;
  c.yaw = 1.1f;
  c.pitch = 0.2f;
  const auto back = Camera{}.parsed(c.toText());
  ASSERT_TRUE(back.has_value());
  EXPECT_LT((back->target - c.target).norm(), 1e-5f);
  EXPECT_FLOAT_EQ(back->distance, 7);
  EXPECT_FLOAT_EQ(back->yaw, 1.1f);
  Camera planar;
  planar.mode = CameraMode::Planar;
  planar.halfHeight = 42;
  const auto p = Camera{}.parsed(planar.toText());
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->mode, CameraMode::Planar);
  EXPECT_FLOAT_EQ(p->halfHeight, 42);
  EXPECT_FALSE(Camera{}.parsed("").has_value());
  EXPECT_FALSE(Camera{}.parsed("orbit distance=abc").has_value());
  EXPECT_FALSE(Camera{}.parsed("sideways target=0,0,0").has_value());
  EXPECT_FALSE(Camera{}.parsed("orbit target=1,2").has_value());
}
