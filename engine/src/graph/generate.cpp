// Generated scenes for benchmarks, tests and the built-in demo.
#include <algorithm>
#include <cmath>
#include <vector>

#include "topomask/core/error.h"
#include "topomask/core/rng.h"
#include "topomask/graph/build.h"

namespace topomask {

Scene makeImageScene(int width, int height, std::uint64_t seed) {
  if (width < 1 || height < 1) throw usageError("image size must be positive");
  Image img;
  img.width = width;
  img.height = height;
  img.channels = 3;
  img.pixels.resize(static_cast<std::size_t>(width) * height * 3);
  Rng rng(seed, 0xC0FFEE);
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const double u = static_cast<double>(x) / width, v = static_cast<double>(y) / height;
      const double ring = 0.5 + 0.5 * std::cos(18.0 * std::hypot(u - 0.5, v - 0.5));
      const double noise = 0.05 * (rng.uniform() - 0.5);
      float* p = &img.pixels[(static_cast<std::size_t>(y) * width + x) * 3];
      p[0] = static_cast<float>(std::clamp(0.2 + 0.6 * u * ring + noise, 0.0, 1.0));
      p[1] = static_cast<float>(std::clamp(0.3 + 0.5 * v + noise, 0.0, 1.0));
      p[2] = static_cast<float>(std::clamp(0.7 - 0.5 * ring + noise, 0.0, 1.0));
    }
  Scene s;
  s.name = "image " + std::to_string(width) + "x" + std::to_string(height);
  s.data = std::move(img);
  return s;
}

Scene makePathScene(std::int64_t n) {
  if (n < 1) throw usageError("path length must be positive");
  EdgeListGraph g;
  g.nodes = n;
  g.edges.reserve(static_cast<std::size_t>(n - 1));
  for (std::int64_t i = 0; i + 1 < n; ++i) g.edges.push_back({i, i + 1, 1.0});
  Scene s;
  s.name = "path " + std::to_string(n);
  s.data = std::move(g);
  return s;
}

Scene makePointScene(std::int64_t n, std::uint64_t seed) {
  if (n < 1) throw usageError("point count must be positive");
  PointCloud cloud;
  cloud.points.resize(n, 3);
  cloud.normals.resize(n, 3);
  Rng rng(seed, 0x70125);
  const double big = 1.0, small = 0.35;
  for (std::int64_t i = 0; i < n; ++i) {
    const double t = 2 * M_PI * rng.uniform(), p = 2 * M_PI * rng.uniform();
    const Eigen::RowVector3d normal(std::cos(t) * std::cos(p), std::sin(t) * std::cos(p), std::sin(p));
    const Eigen::RowVector3d centre(big * std::cos(t), big * std::sin(t), 0.0);
    cloud.points.row(i) = centre + (small + 0.005 * (rng.uniform() - 0.5)) * normal;
    cloud.normals.row(i) = normal;
  }
  Scene s;
  s.name = "torus points " + std::to_string(n);
  s.data = std::move(cloud);
  return s;
}

Scene makeSheetMeshScene(int width, int height) {
  if (width < 1 || height < 1) throw usageError("sheet size must be positive");
  Mesh mesh;
  const int vw = width + 1, vh = height + 1;
  mesh.vertices.resize(static_cast<Eigen::Index>(vw) * vh, 3);
  for (int y = 0; y < vh; ++y)
    for (int x = 0; x < vw; ++x) {
      const double u = static_cast<double>(x) / width, v = static_cast<double>(y) / height;
      mesh.vertices.row(static_cast<Eigen::Index>(y) * vw + x) =
          Eigen::RowVector3d(u, v, 0.05 * std::sin(6 * u) * std::cos(5 * v));
    }
  mesh.triangles.resize(static_cast<Eigen::Index>(width) * height * 2, 3);
  Eigen::Index f = 0;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const int a = y * vw + x, b = a + 1, c = a + vw, d = c + 1;
      mesh.triangles.row(f++) = Eigen::RowVector3i(a, b, d);
      mesh.triangles.row(f++) = Eigen::RowVector3i(a, d, c);
    }
  Scene s;
  s.name = "sheet " + std::to_string(width) + "x" + std::to_string(height);
  s.data = std::move(mesh);
  return s;
}

Scene makeDemoScene() {
  // A tube of radius r swept along an arc of radius R that stops short of closing: the two ends
  // are 2 * gap apart in space but about 2 pi R apart along the surface. Hemispherical caps.
  const double R = 1.0, r = 0.22, gapAngle = 0.42;  // angular gap between the ends
  const int along = 160, around = 28, capRings = 8;
  const double t0 = gapAngle / 2, t1 = 2 * M_PI - gapAngle / 2;
  Mesh mesh;
  std::vector<Eigen::RowVector3d> verts;
  std::vector<Eigen::RowVector3i> tris;
  auto frame = [&](double t, Eigen::RowVector3d& c, Eigen::RowVector3d& n1, Eigen::RowVector3d& n2, Eigen::RowVector3d& tan) {
    c = Eigen::RowVector3d(R * std::cos(t), R * std::sin(t), 0.0);
    n1 = Eigen::RowVector3d(std::cos(t), std::sin(t), 0.0);
    n2 = Eigen::RowVector3d(0.0, 0.0, 1.0);
    tan = Eigen::RowVector3d(-std::sin(t), std::cos(t), 0.0);
  };
  // Rings: capRings cap rings at the start (shrinking towards the tip), the tube, cap rings at the end.
  std::vector<int> ringStart;
  auto addRing = [&](const Eigen::RowVector3d& c, const Eigen::RowVector3d& n1, const Eigen::RowVector3d& n2, double radius) {
    ringStart.push_back(static_cast<int>(verts.size()));
    for (int k = 0; k < around; ++k) {
      const double phi = 2 * M_PI * k / around;
      verts.push_back(c + radius * (std::cos(phi) * n1 + std::sin(phi) * n2));
    }
  };
  Eigen::RowVector3d c, n1, n2, tan;
  frame(t0, c, n1, n2, tan);
  const int startTip = static_cast<int>(verts.size());
  verts.push_back(c - r * tan);
  for (int q = 1; q < capRings; ++q) {
    const double a = M_PI / 2 * (1.0 - static_cast<double>(q) / capRings);
    addRing(c - r * std::sin(a) * tan, n1, n2, r * std::cos(a));
  }
  for (int s = 0; s <= along; ++s) {
    frame(t0 + (t1 - t0) * s / along, c, n1, n2, tan);
    addRing(c, n1, n2, r);
  }
  for (int q = capRings - 1; q >= 1; --q) {
    const double a = M_PI / 2 * (1.0 - static_cast<double>(q) / capRings);
    addRing(c + r * std::sin(a) * tan, n1, n2, r * std::cos(a));
  }
  const int endTip = static_cast<int>(verts.size());
  verts.push_back(c + r * tan);
  for (int k = 0; k < around; ++k) {
    const int k1 = (k + 1) % around;
    tris.emplace_back(startTip, ringStart.front() + k1, ringStart.front() + k);
    tris.emplace_back(endTip, ringStart.back() + k, ringStart.back() + k1);
  }
  for (std::size_t q = 0; q + 1 < ringStart.size(); ++q)
    for (int k = 0; k < around; ++k) {
      const int k1 = (k + 1) % around;
      const int a = ringStart[q] + k, b = ringStart[q] + k1, cc = ringStart[q + 1] + k, d = ringStart[q + 1] + k1;
      tris.emplace_back(a, b, d);
      tris.emplace_back(a, d, cc);
    }
  mesh.vertices.resize(static_cast<Eigen::Index>(verts.size()), 3);
  for (std::size_t i = 0; i < verts.size(); ++i) mesh.vertices.row(static_cast<Eigen::Index>(i)) = verts[i];
  mesh.triangles.resize(static_cast<Eigen::Index>(tris.size()), 3);
  for (std::size_t i = 0; i < tris.size(); ++i) mesh.triangles.row(static_cast<Eigen::Index>(i)) = tris[i];
  Scene s;
  s.name = "demo: C-shaped tube whose ends nearly touch";
  s.data = std::move(mesh);
  return s;
}

}  // namespace topomask
