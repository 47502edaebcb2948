// The first triangle a ray hits, on the CPU: a bounding-volume hierarchy over a triangle mesh,
// built once (a balanced tree over the triangles in Morton order of their centroids, up to 4
// triangles per leaf, one O(T log T) sort), then each ray in O(log T) boxes and a few triangles.
// The window picks the node under the pointer with it, in microseconds on meshes of millions of
// triangles and without a GPU pass. (Open3D's RaycastingScene would do this through Embree, but
// Debian's Embree build masks rays by default and the scene never hits anything there.)
// Triangles are two-sided (as the views draw them). The ray-triangle test is not watertight in
// float: a ray exactly along an edge shared by two triangles may miss both (one pixel, rarely).
#pragma once

#include <cstdint>
#include <limits>
#include <span>
#include <vector>

#include <Eigen/Core>
#include <Eigen/Geometry>

namespace topomask {

class TriangleBvh {
 public:
  struct Hit {
    std::int64_t triangle = -1;  // -1: nothing hit
    float t = std::numeric_limits<float>::infinity();  // origin + t * direction is the hit point
    float u = 0.0f, v = 0.0f;    // barycentric weights of the triangle's second and third corners
  };

  // positions: x, y, z per vertex; triangles: three vertex indices each (all below the vertex count).
  TriangleBvh(std::span<const float> positions, std::span<const std::uint32_t> triangles);

  // The nearest hit with t > 0 (direction need not be unit length).
  Hit intersect(const Eigen::Vector3f& origin, const Eigen::Vector3f& direction) const;
  // The vertex of the hit triangle nearest the hit point (the largest barycentric weight), or -1.
  std::int64_t nearestVertex(const Eigen::Vector3f& origin, const Eigen::Vector3f& direction) const;
  // The same for a hit intersect returned (-1 when it hit nothing).
  std::int64_t nearestVertex(const Hit& hit) const;

  std::int64_t triangleCount() const { return static_cast<std::int64_t>(order_.size()); }
  std::int64_t nodeCount() const { return static_cast<std::int64_t>(nodes_.size()); }

 private:
  struct Node {
    Eigen::Vector3f lo = Eigen::Vector3f::Zero(), hi = Eigen::Vector3f::Zero();  // bounds of every triangle below
    std::uint32_t first = 0;  // leaf: first entry of order_; inner: index of the left child (right = left + 1)
    std::uint32_t count = 0;  // leaf: number of triangles; 0 for an inner node
  };
  std::vector<float> positions_;
  std::vector<std::uint32_t> triangles_;
  std::vector<std::uint32_t> order_;  // triangle ids, grouped by leaf
  std::vector<Node> nodes_;           // nodes_[0] is the root
};

}  // namespace topomask
