#include "topomask/graph/bvh.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numeric>
#include <utility>

#include "topomask/core/error.h"

namespace topomask {

namespace {

constexpr std::uint32_t kLeafSize = 4;

Eigen::Vector3f vertex(const std::vector<float>& p, std::uint32_t i) {
  return Eigen::Vector3f(p[3 * std::size_t{i}], p[3 * std::size_t{i} + 1], p[3 * std::size_t{i} + 2]);
}

// Entry distance of the ray into the box, or +infinity when it misses the box or enters it only
// beyond `limit` (slab test; inv holds 1 / direction per axis, infinite for a zero component).
float enter(const Eigen::Vector3f& lo, const Eigen::Vector3f& hi, const Eigen::Vector3f& origin, const Eigen::Vector3f& inv,
            float limit) {
  float near = 0.0f, far = limit;
  for (int a = 0; a < 3; ++a) {
    float t0 = (lo[a] - origin[a]) * inv[a], t1 = (hi[a] - origin[a]) * inv[a];
    if (t0 > t1) std::swap(t0, t1);
    // NaN (origin on a slab plane of a ray parallel to it) compares false: the slab is not limiting.
    if (t0 > near) near = t0;
    if (t1 < far) far = t1;
    if (near > far) return std::numeric_limits<float>::infinity();
  }
  return near;
}

}  // namespace

TriangleBvh::TriangleBvh(std::span<const float> positions, std::span<const std::uint32_t> triangles)
    : positions_(positions.begin(), positions.end()), triangles_(triangles.begin(), triangles.end()) {
  if (positions.size() % 3 != 0 || triangles.size() % 3 != 0)
    throw Error("positions and triangles must come in threes", "TriangleBvh", Error::Kind::Usage);
  const std::size_t vertices = positions.size() / 3, count = triangles.size() / 3;
  if (count >= std::numeric_limits<std::uint32_t>::max() / 2)
    throw Error("more than 2^31 triangles", "TriangleBvh", Error::Kind::Usage);
  for (std::uint32_t i : triangles_)
    if (i >= vertices) throw Error("a triangle names a vertex that does not exist", "TriangleBvh", Error::Kind::Usage);
  order_.resize(count);
  std::iota(order_.begin(), order_.end(), 0u);
  if (count == 0) return;
  // Triangles in Morton order of their centroids (10 bits per axis in a cube around the vertices:
  // one scale for all axes, so that a flat object is not split across its thin side first), then a
  // balanced tree over that order: each node splits its range at the middle. Nearby triangles share
  // leaves, the depth is ceil(log2(T / kLeafSize)) + 1 whatever the geometry, and the build is one
  // sort (a top-down median split per level costs a pass of cache misses per level instead).
  Eigen::Vector3f cLo = vertex(positions_, 0), cHi = cLo;
  for (std::size_t v = 1; v < vertices; ++v) {
    cLo = cLo.cwiseMin(vertex(positions_, static_cast<std::uint32_t>(v)));
    cHi = cHi.cwiseMax(vertex(positions_, static_cast<std::uint32_t>(v)));
  }
  const float scale = 1023.0f / std::max((cHi - cLo).maxCoeff(), 1e-30f);
  auto spread = [](std::uint32_t x) {  // the 10 bits of x to every third bit
    x = (x | (x << 16)) & 0x030000FFu;
    x = (x | (x << 8)) & 0x0300F00Fu;
    x = (x | (x << 4)) & 0x030C30C3u;
    x = (x | (x << 2)) & 0x09249249u;
    return x;
  };
  std::vector<std::uint64_t> keyed(count);  // Morton code << 32 | triangle id
  for (std::size_t t = 0; t < count; ++t) {
    const Eigen::Vector3f centroid = (vertex(positions_, triangles_[3 * t]) + vertex(positions_, triangles_[3 * t + 1]) +
                                      vertex(positions_, triangles_[3 * t + 2])) / 3.0f;
    const Eigen::Vector3f q = ((centroid - cLo) * scale).cwiseMax(0.0f).cwiseMin(1023.0f);
    const std::uint32_t code = (spread(static_cast<std::uint32_t>(q.x())) << 2) | (spread(static_cast<std::uint32_t>(q.y())) << 1) |
                               spread(static_cast<std::uint32_t>(q.z()));
    keyed[t] = (std::uint64_t{code} << 32) | t;
  }
  std::sort(keyed.begin(), keyed.end());
  for (std::size_t k = 0; k < count; ++k) order_[k] = static_cast<std::uint32_t>(keyed[k]);
  nodes_.reserve(4 * (count / kLeafSize + 1));  // a balanced tree: under 2 * (2 T / kLeafSize) nodes
  nodes_.push_back(Node{});
  struct Task {
    std::uint32_t node, begin, end;
  };
  std::vector<Task> tasks{{0, 0, static_cast<std::uint32_t>(count)}};
  while (!tasks.empty()) {
    const Task task = tasks.back();
    tasks.pop_back();
    if (task.end - task.begin <= kLeafSize) {
      nodes_[task.node].first = task.begin;
      nodes_[task.node].count = task.end - task.begin;
      continue;
    }
    const std::uint32_t mid = task.begin + (task.end - task.begin) / 2;
    const auto left = static_cast<std::uint32_t>(nodes_.size());
    nodes_.push_back(Node{});
    nodes_.push_back(Node{});
    nodes_[task.node].first = left;
    nodes_[task.node].count = 0;
    tasks.push_back({left, task.begin, mid});
    tasks.push_back({left + 1, mid, task.end});
  }
  // Bottom-up bounds: children come after their parent in nodes_.
  for (std::size_t n = nodes_.size(); n-- > 0;) {
    Node& node = nodes_[n];
    if (node.count > 0) {
      node.lo = Eigen::Vector3f::Constant(std::numeric_limits<float>::infinity());
      node.hi = -node.lo;
      for (std::uint32_t k = node.first; k < node.first + node.count; ++k)
        for (int c = 0; c < 3; ++c) {
          const Eigen::Vector3f x = vertex(positions_, triangles_[3 * std::size_t{order_[k]} + c]);
          node.lo = node.lo.cwiseMin(x);
          node.hi = node.hi.cwiseMax(x);
        }
    } else {
      node.lo = nodes_[node.first].lo.cwiseMin(nodes_[node.first + 1].lo);
      node.hi = nodes_[node.first].hi.cwiseMax(nodes_[node.first + 1].hi);
    }
  }
}

TriangleBvh::Hit TriangleBvh::intersect(const Eigen::Vector3f& origin, const Eigen::Vector3f& direction) const {
  Hit best;
  if (nodes_.empty()) return best;
  const Eigen::Vector3f inv = direction.cwiseInverse();
  if (!std::isfinite(enter(nodes_[0].lo, nodes_[0].hi, origin, inv, best.t))) return best;
  // Depth is at most about log2(T / 4) + 1 for median splits; 64 covers any 32-bit count.
  std::array<std::uint32_t, 64> stack{};
  int top = 0;
  stack[top++] = 0;
  while (top > 0) {
    const Node& node = nodes_[stack[--top]];
    if (node.count > 0) {
      for (std::uint32_t k = node.first; k < node.first + node.count; ++k) {
        // Moller-Trumbore, both sides.
        const std::uint32_t t = order_[k];
        const Eigen::Vector3f a = vertex(positions_, triangles_[3 * std::size_t{t}]);
        const Eigen::Vector3f e1 = vertex(positions_, triangles_[3 * std::size_t{t} + 1]) - a;
        const Eigen::Vector3f e2 = vertex(positions_, triangles_[3 * std::size_t{t} + 2]) - a;
        const Eigen::Vector3f p = direction.cross(e2);
        const float det = e1.dot(p);
        if (det == 0.0f) continue;
        const float invDet = 1.0f / det;
        const Eigen::Vector3f s = origin - a;
        const float u = s.dot(p) * invDet;
        if (u < 0.0f || u > 1.0f) continue;
        const Eigen::Vector3f q = s.cross(e1);
        const float v = direction.dot(q) * invDet;
        if (v < 0.0f || u + v > 1.0f) continue;
        const float dist = e2.dot(q) * invDet;
        if (dist > 0.0f && dist < best.t) best = Hit{static_cast<std::int64_t>(t), dist, u, v};
      }
      continue;
    }
    // The nearer child is searched first, so that the farther one is often skipped.
    const std::uint32_t l = node.first, r = node.first + 1;
    const float tl = enter(nodes_[l].lo, nodes_[l].hi, origin, inv, best.t);
    const float tr = enter(nodes_[r].lo, nodes_[r].hi, origin, inv, best.t);
    const bool hitL = std::isfinite(tl) && tl < best.t, hitR = std::isfinite(tr) && tr < best.t;
    if (hitL && hitR) {
      stack[top++] = tl <= tr ? r : l;
      stack[top++] = tl <= tr ? l : r;
    } else if (hitL) {
      stack[top++] = l;
    } else if (hitR) {
      stack[top++] = r;
    }
  }
  return best;
}

std::int64_t TriangleBvh::nearestVertex(const Eigen::Vector3f& origin, const Eigen::Vector3f& direction) const {
  return nearestVertex(intersect(origin, direction));
}

std::int64_t TriangleBvh::nearestVertex(const Hit& hit) const {
  if (hit.triangle < 0) return -1;
  const float w[3] = {1.0f - hit.u - hit.v, hit.u, hit.v};
  const int corner = static_cast<int>(std::max_element(w, w + 3) - w);
  return triangles_[3 * static_cast<std::size_t>(hit.triangle) + static_cast<std::size_t>(corner)];
}

}  // namespace topomask
