// TriangleBvh against a brute-force loop over every triangle: the same first hit for random rays
// through random and degenerate meshes, misses included.
#include <cmath>
#include <limits>
#include <random>
#include <vector>

#include <gtest/gtest.h>

#include "topomask/core/error.h"
#include "topomask/graph/bvh.h"

using topomask::TriangleBvh;

namespace {

// The nearest hit by testing every triangle (double precision, two-sided), or t = inf.
double bruteForce(const std::vector<float>& p, const std::vector<std::uint32_t>& tri, const Eigen::Vector3d& o,
                  const Eigen::Vector3d& d, std::int64_t* which) {
  double best = std::numeric_limits<double>::infinity();
  *which = -1;
  auto v = [&](std::uint32_t i) { return Eigen::Vector3d(p[3 * i], p[3 * i + 1], p[3 * i + 2]); };
  for (std::size_t t = 0; t < tri.size() / 3; ++t) {
    const Eigen::Vector3d a = v(tri[3 * t]), e1 = v(tri[3 * t + 1]) - a, e2 = v(tri[3 * t + 2]) - a;
    const Eigen::Vector3d n = e1.cross(e2);
    const double denom = n.dot(d);
    if (denom == 0) continue;
    const double dist = n.dot(a - o) / denom;
    if (!(dist > 0) || dist >= best) continue;
    const Eigen::Vector3d x = o + dist * d - a;
    // Barycentrics of x in (e1, e2).
    const double d11 = e1.dot(e1), d12 = e1.dot(e2), d22 = e2.dot(e2), x1 = x.dot(e1), x2 = x.dot(e2);
    const double det = d11 * d22 - d12 * d12;
    const double u = (d22 * x1 - d12 * x2) / det, w = (d11 * x2 - d12 * x1) / det;
    if (u < 0 || w < 0 || u + w > 1) continue;
    best = dist;
    *which = static_cast<std::int64_t>(t);
  }
  return best;
}

void randomSoup(int count, std::mt19937& rng, std::vector<float>& p, std::vector<std::uint32_t>& tri) {
  std::uniform_real_distribution<float> pos(-1.0f, 1.0f), size(-0.15f, 0.15f);
  for (int t = 0; t < count; ++t) {
    const float cx = pos(rng), cy = pos(rng), cz = pos(rng);
    for (int k = 0; k < 3; ++k) {
      p.insert(p.end(), {cx + size(rng), cy + size(rng), cz + size(rng)});
      tri.push_back(static_cast<std::uint32_t>(3 * t + k));
    }
  }
}

TEST(TriangleBvh, FirstHitsAgreeWithEveryTriangleTested) {
  std::mt19937 rng(7);
  std::vector<float> p;
  std::vector<std::uint32_t> tri;
  randomSoup(3000, rng, p, tri);
  const TriangleBvh bvh(p, tri);
  EXPECT_EQ(bvh.triangleCount(), 3000);
  EXPECT_GT(bvh.nodeCount(), 3000 / 4);
  std::uniform_real_distribution<float> u(-1.2f, 1.2f);
  int hits = 0, misses = 0, mismatches = 0;
  for (int r = 0; r < 2000; ++r) {
    const Eigen::Vector3f o(u(rng) * 3, u(rng) * 3, u(rng) * 3), target(u(rng), u(rng), u(rng));
    const Eigen::Vector3f d = target - o;
    std::int64_t expected = -1;
    const double t = bruteForce(p, tri, o.cast<double>(), d.cast<double>(), &expected);
    const TriangleBvh::Hit hit = bvh.intersect(o, d);
    if (expected < 0) {
      ++misses;
      EXPECT_LT(hit.triangle, 0);
      continue;
    }
    ++hits;
    ASSERT_GE(hit.triangle, 0) << "ray " << r;
    // Float against double: the same triangle, or (where two triangles cross within float
    // precision of the hit) the same distance.
    if (hit.triangle != expected) {
      ++mismatches;
      EXPECT_NEAR(hit.t, t, 1e-4 * (1 + t)) << "ray " << r;
    }
    EXPECT_NEAR(hit.t, t, 1e-4 * (1 + t));
  }
  EXPECT_GT(hits, 500);
  EXPECT_GT(misses, 100);
  EXPECT_LE(mismatches, 2);
}

TEST(TriangleBvh, NearestVertexIsTheCornerClosestToTheHit) {
  // Two triangles of the unit square at z = 0, seen from above.
  const std::vector<float> p = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0};
  const std::vector<std::uint32_t> tri = {0, 1, 2, 0, 2, 3};
  const TriangleBvh bvh(p, tri);
  const Eigen::Vector3f down(0, 0, -1);
  EXPECT_EQ(bvh.nearestVertex({0.1f, 0.05f, 1}, down), 0);
  EXPECT_EQ(bvh.nearestVertex({0.9f, 0.1f, 1}, down), 1);
  EXPECT_EQ(bvh.nearestVertex({0.95f, 0.9f, 1}, down), 2);
  EXPECT_EQ(bvh.nearestVertex({0.1f, 0.8f, 1}, down), 3);
  EXPECT_EQ(bvh.nearestVertex({0.1f, 0.8f, -1}, -down), 3) << "two-sided";
  EXPECT_EQ(bvh.nearestVertex({1.5f, 0.5f, 1}, down), -1) << "beside the square";
  EXPECT_EQ(bvh.nearestVertex({0.5f, 0.5f, 1}, -down), -1) << "pointing away";
  const TriangleBvh::Hit hit = bvh.intersect({0.25f, 0.5f, 2}, down);
  EXPECT_FLOAT_EQ(hit.t, 2.0f);
}

TEST(TriangleBvh, CoincidentAndDegenerateTrianglesAndEmptyMeshes) {
  // 100 copies of one triangle (no split separates them) and zero-area slivers.
  std::vector<float> p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 2, 2, 0, 3, 3, 0, 4, 4, 0};
  std::vector<std::uint32_t> tri;
  for (int k = 0; k < 100; ++k) tri.insert(tri.end(), {0, 1, 2});
  for (int k = 0; k < 10; ++k) tri.insert(tri.end(), {3, 4, 5});
  const TriangleBvh bvh(p, tri);
  const TriangleBvh::Hit hit = bvh.intersect({0.2f, 0.2f, 1}, {0, 0, -1});
  ASSERT_GE(hit.triangle, 0);
  EXPECT_LT(hit.triangle, 100);
  EXPECT_LT(bvh.intersect({3, 3, 1}, {0, 0, -1}).triangle, 0) << "a sliver has no area to hit";
  const TriangleBvh empty(std::vector<float>{}, std::vector<std::uint32_t>{});
  EXPECT_LT(empty.intersect({0, 0, 0}, {0, 0, 1}).triangle, 0);
  EXPECT_THROW(TriangleBvh(std::vector<float>{0, 0, 0}, std::vector<std::uint32_t>{0, 0, 1}), topomask::Error);
}

}  // namespace
