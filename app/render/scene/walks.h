// WalksDrawable: the traced random walks of one query node (grf/walks.h) as line segments on the
// scene's geometry, coloured by step (turbo: first hop blue, last red), drawn walker by walker so
// that a prefix of the walkers can be shown while the GRF row converges.
#pragma once

#include <cstdint>
#include <vector>

#include "render/camera.h"
#include "render/renderer.h"
#include "render/scene/drawable.h"
#include "topomask/grf/walks.h"

namespace topomask::render {

class WalksDrawable {
 public:
  // Segment (v_t, v_{t+1}) of every walker at the drawable's node positions.
  WalksDrawable(Renderer& renderer, const SceneDrawable& scene, const WalkTrace& trace);
  ~WalksDrawable();
  WalksDrawable(const WalksDrawable&) = delete;
  WalksDrawable& operator=(const WalksDrawable&) = delete;

  int walkers() const { return static_cast<int>(firstVertex_.size()) - 1; }
  int longestWalk() const { return longest_; }
  // Line vertices of the first m walkers (2 per hop).
  std::int64_t vertexCount(int walkersShown) const;
  // RGBA of hop t (t = 0: the hop leaving the source), alpha included.
  static Eigen::Vector4f stepColor(int t, int longest);

  // Draws the first `walkersShown` walkers over the current viewport (no depth test).
  void draw(const Camera& camera, const Rect& viewport, int walkersShown, float lineWidth = 2.0f);

 private:
  Renderer& renderer_;
  BufferHandle positions_, colors_;
  std::vector<std::int64_t> firstVertex_;  // walker k's vertices start at firstVertex_[k]; walkers + 1
  int longest_ = 0;
};

}  // namespace topomask::render
