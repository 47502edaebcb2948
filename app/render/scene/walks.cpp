#include "render/scene/walks.h"

#include <algorithm>

#include "render/colormap.h"

namespace topomask::render {

Eigen::Vector4f WalksDrawable::stepColor(int t, int longest) {
  const double u = longest > 1 ? static_cast<double>(t) / (longest - 1) : 0.0;
  const std::array<float, 3> c = colormapColor(Colormap::Turbo, 0.1 + 0.85 * u);
  return {c[0], c[1], c[2], 0.85f};
}

WalksDrawable::WalksDrawable(Renderer& renderer, const SceneDrawable& scene, const WalkTrace& trace)
    : renderer_(renderer) {
  for (const TracedWalk& w : trace.walks) longest_ = std::max(longest_, w.hops());
  std::vector<float> pos, col;
  firstVertex_.push_back(0);
  for (const TracedWalk& w : trace.walks) {
    for (int t = 0; t < w.hops(); ++t) {
      const Eigen::Vector4f c = stepColor(t, longest_);
      for (int e = 0; e < 2; ++e) {
        const Eigen::Vector3f p = scene.nodePosition(w.nodes[static_cast<std::size_t>(t + e)]);
        pos.insert(pos.end(), {p.x(), p.y(), p.z()});
        col.insert(col.end(), {c.x(), c.y(), c.z(), c.w()});
      }
    }
    firstVertex_.push_back(static_cast<std::int64_t>(pos.size() / 3));
  }
  if (!pos.empty()) {
    positions_ = renderer_.createVertexBuffer(pos, 3);
    colors_ = renderer_.createVertexBuffer(col, 4);
  }
}

WalksDrawable::~WalksDrawable() {
  if (positions_) renderer_.destroy(positions_);
  if (colors_) renderer_.destroy(colors_);
}

std::int64_t WalksDrawable::vertexCount(int walkersShown) const {
  const int m = std::clamp(walkersShown, 0, walkers());
  return firstVertex_[static_cast<std::size_t>(m)];
}

void WalksDrawable::draw(const Camera& camera, const Rect& viewport, int walkersShown, float lineWidth) {
  const std::int64_t count = vertexCount(walkersShown);
  if (count == 0 || !positions_) return;
  const float aspect = static_cast<float>(viewport.width) / static_cast<float>(std::max(1, viewport.height));
  DrawCall call;
  call.program = "walks";
  call.primitive = Primitive::Lines;
  call.attributes = {{"aPosition", positions_, 3}, {"aColor", colors_, 4}};
  call.count = count;
  call.uniforms = {{"uModelView", Eigen::Matrix4f(camera.view())}, {"uProjection", Eigen::Matrix4f(camera.projection(aspect))}};
  call.depthTest = false;
  call.depthWrite = false;
  call.blend = true;
  call.lineWidth = lineWidth;
  renderer_.draw(call);
}

}  // namespace topomask::render
