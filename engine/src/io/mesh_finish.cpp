// Common last step of every mesh reader: weld coincident vertices, drop degenerate
// triangles, and pack the result into Eigen arrays.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <unordered_map>

#include "io_internal.h"

namespace topomask::io_detail {
namespace {

std::int64_t bitsOf(double v) {
  if (v == 0.0) v = 0.0;  // -0 and +0 weld
  std::int64_t b;
  std::memcpy(&b, &v, sizeof b);
  return b;
}

// Returns for every vertex its representative's new index; `count` receives the number of
// distinct vertices. Representatives keep the order of first appearance.
std::vector<std::int64_t> weldMap(const std::vector<double>& p, double tol, std::int64_t& count) {
  const std::int64_t n = static_cast<std::int64_t>(p.size() / 3);
  std::vector<std::int64_t> map(static_cast<std::size_t>(n));
  count = 0;
  if (!(tol > 0.0)) {
    std::unordered_map<CellKey, std::int64_t, CellHash> seen;
    seen.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const CellKey k{bitsOf(p[3 * i]), bitsOf(p[3 * i + 1]), bitsOf(p[3 * i + 2])};
      auto [it, inserted] = seen.try_emplace(k, count);
      if (inserted) ++count;
      map[static_cast<std::size_t>(i)] = it->second;
    }
    return map;
  }
  // Grid of cells much larger than tol: a match lies in the vertex's own cell, or in a
  // neighbouring cell only along axes where the vertex is within tol of the cell's face,
  // so almost every vertex costs one lookup.
  double lo[3] = {p[0], p[1], p[2]};
  for (std::int64_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d) lo[d] = std::min(lo[d], p[3 * i + d]);
  const double cell = tol * 1024.0;
  std::unordered_map<CellKey, std::int64_t, CellHash> head;  // cell -> last representative (old id)
  head.reserve(static_cast<std::size_t>(n));
  std::vector<std::int64_t> nextInCell(static_cast<std::size_t>(n), -1);
  const double tol2 = tol * tol;
  for (std::int64_t i = 0; i < n; ++i) {
    const double* q = &p[3 * i];
    std::int64_t c[3];
    int lowSide[3], highSide[3];
    for (int d = 0; d < 3; ++d) {
      const double u = (q[d] - lo[d]) / cell;
      c[d] = static_cast<std::int64_t>(std::floor(u));
      const double f = (u - static_cast<double>(c[d])) * cell;  // offset inside the cell
      lowSide[d] = f <= tol ? -1 : 0;
      highSide[d] = f >= cell - tol ? 1 : 0;
    }
    std::int64_t found = -1;
    for (int dx = lowSide[0]; dx <= highSide[0] && found < 0; ++dx)
      for (int dy = lowSide[1]; dy <= highSide[1] && found < 0; ++dy)
        for (int dz = lowSide[2]; dz <= highSide[2] && found < 0; ++dz) {
          const auto it = head.find(CellKey{c[0] + dx, c[1] + dy, c[2] + dz});
          if (it == head.end()) continue;
          for (std::int64_t r = it->second; r >= 0; r = nextInCell[static_cast<std::size_t>(r)]) {
            const double* s = &p[3 * r];
            const double d2 = (q[0] - s[0]) * (q[0] - s[0]) + (q[1] - s[1]) * (q[1] - s[1]) +
                              (q[2] - s[2]) * (q[2] - s[2]);
            if (d2 <= tol2) {
              found = r;
              break;
            }
          }
        }
    if (found >= 0) {
      map[static_cast<std::size_t>(i)] = map[static_cast<std::size_t>(found)];
    } else {
      map[static_cast<std::size_t>(i)] = count++;
      auto [it, inserted] = head.try_emplace(CellKey{c[0], c[1], c[2]}, i);
      if (!inserted) {
        nextInCell[static_cast<std::size_t>(i)] = it->second;
        it->second = i;
      }
    }
  }
  return map;
}

std::string baseName(const std::string& path) {
  const std::size_t s = path.find_last_of("/\\");
  return s == std::string::npos ? path : path.substr(s + 1);
}

}  // namespace

Scene finishMesh(RawMesh&& raw, const std::string& path, const LoadOptions& options,
                 std::vector<std::string> warnings, bool allowPointCloud) {
  const std::int64_t n = raw.vertexCount();
  if (n == 0) fail(path, "", "no vertices (zero nodes)");
  if (raw.triangles.empty()) {
    if (!allowPointCloud) fail(path, "", "no triangles");
    return finishPoints(std::move(raw.positions), std::move(raw.normals), std::move(raw.colors), path,
                        std::move(warnings));
  }
  // Tolerance relative to the bounding-box diagonal.
  double lo[3], hi[3];
  for (int d = 0; d < 3; ++d) lo[d] = hi[d] = raw.positions[d];
  for (std::int64_t i = 0; i < n; ++i)
    for (int d = 0; d < 3; ++d) {
      lo[d] = std::min(lo[d], raw.positions[3 * i + d]);
      hi[d] = std::max(hi[d], raw.positions[3 * i + d]);
    }
  const double diag = std::sqrt((hi[0] - lo[0]) * (hi[0] - lo[0]) + (hi[1] - lo[1]) * (hi[1] - lo[1]) +
                                (hi[2] - lo[2]) * (hi[2] - lo[2]));
  double tol = options.weldTolerance > 1e-12 ? options.weldTolerance * diag : 0.0;
  if (!std::isfinite(tol)) tol = 0.0;
  std::int64_t m = 0;
  const std::vector<std::int64_t> map = weldMap(raw.positions, tol, m);
  if (m > std::numeric_limits<int>::max()) fail(path, "", "more than 2^31-1 distinct vertices");

  Scene scene;
  scene.path = path;
  scene.name = baseName(path);
  Mesh mesh;
  mesh.vertices.resize(m, 3);
  std::vector<int> members(static_cast<std::size_t>(m), 0);
  const bool hasN = raw.normals.size() == raw.positions.size();
  const bool hasC = raw.colors.size() == raw.positions.size();
  if (hasN) mesh.normals.setZero(m, 3);
  if (hasC) mesh.colors.setZero(m, 3);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t r = map[static_cast<std::size_t>(i)];
    if (members[static_cast<std::size_t>(r)]++ == 0)
      for (int d = 0; d < 3; ++d) mesh.vertices(r, d) = raw.positions[3 * i + d];
    for (int d = 0; d < 3; ++d) {
      if (hasN) mesh.normals(r, d) += raw.normals[3 * i + d];
      if (hasC) mesh.colors(r, d) += raw.colors[3 * i + d];
    }
  }
  for (std::int64_t r = 0; r < m; ++r) {
    if (hasC) mesh.colors.row(r) /= members[static_cast<std::size_t>(r)];
    if (hasN) {
      const double len = mesh.normals.row(r).norm();
      if (len > 0.0 && std::isfinite(len)) mesh.normals.row(r) /= len;
    }
  }
  if (m < n) warnings.push_back(std::to_string(n - m) + " coincident vertices welded (" + std::to_string(n) +
                                " -> " + std::to_string(m) + ")");

  const std::size_t f = raw.triangles.size() / 3;
  std::vector<int> tri;
  tri.reserve(raw.triangles.size());
  std::size_t degenerate = 0;
  for (std::size_t t = 0; t < f; ++t) {
    const auto a = static_cast<int>(map[static_cast<std::size_t>(raw.triangles[3 * t])]);
    const auto b = static_cast<int>(map[static_cast<std::size_t>(raw.triangles[3 * t + 1])]);
    const auto c = static_cast<int>(map[static_cast<std::size_t>(raw.triangles[3 * t + 2])]);
    if (a == b || b == c || a == c) {
      ++degenerate;
      continue;
    }
    tri.push_back(a);
    tri.push_back(b);
    tri.push_back(c);
  }
  if (tri.empty()) fail(path, "", "all " + std::to_string(f) + " triangles are degenerate (repeated vertices)");
  if (degenerate > 0)
    warnings.push_back(std::to_string(degenerate) + " of " + std::to_string(f) +
                       " triangles dropped as degenerate (a repeated vertex after welding)");
  mesh.triangles.resize(static_cast<Eigen::Index>(tri.size() / 3), 3);
  for (std::size_t t = 0; t < tri.size() / 3; ++t)
    for (int d = 0; d < 3; ++d) mesh.triangles(static_cast<Eigen::Index>(t), d) = tri[3 * t + d];
  scene.data = std::move(mesh);
  scene.warnings = std::move(warnings);
  return scene;
}

Scene finishPoints(std::vector<double>&& positions, std::vector<double>&& normals,
                   std::vector<double>&& colors, const std::string& path,
                   std::vector<std::string> warnings) {
  if (positions.empty()) fail(path, "", "no points (zero nodes)");
  // Coincident points are merged (first point's normal and colour kept): a nearest-neighbour search
  // degenerates on many identical points (100k copies took minutes), and as graph nodes they would
  // be indistinguishable anyway.
  {
    std::int64_t distinct = 0;
    const std::vector<std::int64_t> map = weldMap(positions, 0.0, distinct);
    const auto total = static_cast<std::int64_t>(map.size());
    if (distinct < total) {
      const bool hasN = normals.size() == positions.size(), hasC = colors.size() == positions.size();
      std::vector<char> placed(static_cast<std::size_t>(distinct), 0);
      for (std::int64_t i = 0; i < total; ++i) {
        const auto r = static_cast<std::size_t>(map[static_cast<std::size_t>(i)]);
        if (placed[r]) continue;
        placed[r] = 1;
        for (std::size_t d = 0; d < 3; ++d) {  // r <= i: moving down in place is safe
          positions[3 * r + d] = positions[3 * static_cast<std::size_t>(i) + d];
          if (hasN) normals[3 * r + d] = normals[3 * static_cast<std::size_t>(i) + d];
          if (hasC) colors[3 * r + d] = colors[3 * static_cast<std::size_t>(i) + d];
        }
      }
      positions.resize(3 * static_cast<std::size_t>(distinct));
      if (hasN) normals.resize(positions.size());
      if (hasC) colors.resize(positions.size());
      warnings.push_back(std::to_string(total - distinct) + " coincident points merged (" + std::to_string(total) +
                         " read, " + std::to_string(distinct) + " distinct)");
    }
  }
  const auto n = static_cast<Eigen::Index>(positions.size() / 3);
  PointCloud pc;
  pc.points = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>>(positions.data(), n, 3);
  if (normals.size() == positions.size())
    pc.normals = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>>(normals.data(), n, 3);
  if (colors.size() == positions.size())
    pc.colors = Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, 3, Eigen::RowMajor>>(colors.data(), n, 3);
  Scene scene;
  scene.path = path;
  scene.name = baseName(path);
  scene.data = std::move(pc);
  scene.warnings = std::move(warnings);
  return scene;
}

}  // namespace topomask::io_detail
