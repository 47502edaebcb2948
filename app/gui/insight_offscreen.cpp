#include "gui/insight_offscreen.h"

#include <algorithm>
#include <cstdio>

#include "gui/insight_model.h"
#include "gui/pipeline.h"
#include "gui/screenshot.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/drawable.h"
#include "render/scene/overlay.h"
#include "render/scene/views.h"
#include "render/scene/walks.h"
#include "topomask/core/error.h"
#include "topomask/grf/matrix_view.h"
#include "topomask/grf/walks.h"

namespace topomask::gui {

OffscreenResult renderInsightOffscreen(const OffscreenRequest& request, int walkersShown) {
  const bool walks = request.view == "walks";
  if (!walks && request.view != "matrix" && request.view != "spectrum")
    throw usageError("renderInsightOffscreen: view must be walks, matrix or spectrum");
  if (request.out.empty()) throw usageError("--out F.png is required");
  if (request.width < 0 || request.height < 0 || request.width > 16384 || request.height > 16384)
    throw usageError("--width and --height must be between 1 and 16384");

  const std::shared_ptr<const Scene> scene = loadSceneStage(request.path, nullptr);
  const GraphStage g = runGraphStage(*scene, request.graph, nullptr);
  const Graph& graph = *g.graph;
  if (request.view == "spectrum") {
    const SpectrumView view = computeSpectrumView(graph, request.mask, nullptr);
    if (view.image.rgba.empty()) throw usageError("the graph has no nodes: no spectrum to draw");
    writePng(request.out, view.image.rgba, view.image.width, view.image.height);
    OffscreenResult result;
    result.width = view.image.width;
    result.height = view.image.height;
    result.renderer = "cpu raster";
    return result;
  }
  const std::int64_t query = request.query >= 0 ? request.query : defaultQuery(graph);
  if (query >= graph.nodeCount())
    throw usageError("--query " + std::to_string(query) + " is out of range (the graph has " +
                     std::to_string(graph.nodeCount()) + " nodes)");
  const MaskStage m = runMaskStage(g.graph, request.mask);
  const std::shared_ptr<const GrfData> grf = runGrfStage(graph, request.mask, request.grf, nullptr).grf;

  OffscreenResult result;
  result.query = query;
  if (!walks) {
    const MatrixBlocks blocks = matrixBlocks(m.mask->op, grf->features.query(), grf->keyT, graph.positions, 512);
    const MatrixPicture picture = matrixPicture(blocks);
    writePng(request.out, picture.rgba, picture.width, picture.height);
    result.width = picture.width;
    result.height = picture.height;
    result.renderer = "cpu raster";
    return result;
  }

  const MaskFunction fn(request.mask);
  const WalkTrace trace = traceWalks(graph, fn, request.grf, query);
  const int shown = walkersShown > 0 ? std::min(walkersShown, static_cast<int>(trace.walks.size()))
                                     : static_cast<int>(trace.walks.size());
  const Eigen::VectorXd grfRow = traceMaskRow(trace, shown, grf->keyT);
  const Eigen::VectorXd exactRow = m.mask->op.row(query);
  const std::vector<float> left(grfRow.data(), grfRow.data() + grfRow.size());
  const std::vector<float> right(exactRow.data(), exactRow.data() + exactRow.size());
  const render::ValueRange range = render::unionRange(render::computeRange(left, render::RangeMode::Log),
                                                      render::computeRange(right, render::RangeMode::Log));
  const double err = (grfRow - exactRow).norm() / std::max(exactRow.norm(), 1e-300);

  const int width = request.width > 0 ? request.width : 1280;
  const int height = request.height > 0 ? request.height : 560;
  platform::WindowOptions wo;
  wo.visible = false;
  wo.width = 64;
  wo.height = 64;
  platform::Window window(wo);
  {
    render::GlRenderer gl(4);
    render::ViewRenderer views(gl);  // colormap textures
    render::SceneDrawable drawable(gl, *scene, graph);
    render::WalksDrawable walkLines(gl, drawable, trace);
    render::Overlay overlay(gl);
    drawable.setScalar(0, left);
    drawable.setScalar(1, right);
    const auto rects = render::layoutSlots(width, height, 2);  // its own titles: no bands
    const float aspect = static_cast<float>(rects[0].width) / static_cast<float>(rects[0].height);
    render::Camera camera = drawable.defaultCamera(aspect);
    // Frame the walks: the box of the visited nodes, doubled around its centre (never below 1/8 of
    // the scene), so that short walks on large meshes stay visible.
    Eigen::Vector3f lo = drawable.nodePosition(query), hi = lo;
    for (const TracedWalk& w : trace.walks)
      for (const std::int32_t v : w.nodes) {
        lo = lo.cwiseMin(drawable.nodePosition(v));
        hi = hi.cwiseMax(drawable.nodePosition(v));
      }
    const Eigen::Vector3f centre = (lo + hi) / 2;
    const Eigen::Vector3f half = ((hi - lo).cwiseMax((drawable.boundsHi() - drawable.boundsLo()) / 8)).cwiseMax(1e-6f);
    camera.frame(centre - half, centre + half, aspect);
    render::DrawStyle style;
    const render::TextureHandle map = views.colormapTexture(render::Colormap::Viridis);
    char line[160];
    gl.begin(render::Target::Color, width, height);
    gl.clear({0, 0, width, height}, Eigen::Vector4f(0.05f, 0.05f, 0.06f, 1.0f));
    for (int k = 0; k < 2; ++k) {
      gl.setViewport(rects[k]);
      gl.clear(rects[k], style.background);
      render::ViewQuantity q;
      q.values = k == 0 ? std::span<const float>(left) : std::span<const float>(right);
      q.range = range;
      q.colormap = render::Colormap::Viridis;
      drawable.draw(k, true, q, map, camera, rects[k], style, query, -1);
      if (k == 0) walkLines.draw(camera, rects[k], shown, 3.0f);
      const Eigen::Vector4f white(0.95f, 0.95f, 0.96f, 1.0f), grey(0.7f, 0.72f, 0.76f, 1.0f);
      overlay.rect(0, 0, static_cast<float>(rects[k].width), 40, Eigen::Vector4f(0, 0, 0, 0.45f));
      if (k == 0) {
        std::snprintf(line, sizeof line, "Random walks of node %lld: %d of %d walkers (colour = step)",
                      static_cast<long long>(query), shown, static_cast<int>(trace.walks.size()));
        overlay.text(8, 6, line, white, 2.0f);
        std::snprintf(line, sizeof line, "GRF row from these walkers, rel. error %.3g", err);
        overlay.text(8, 23, line, grey, 2.0f);
      } else {
        overlay.text(8, 6, "Exact mask row", white, 2.0f);
        overlay.text(8, 23, fn.formula(), grey, 2.0f);
      }
      overlay.flush(static_cast<float>(rects[k].width), static_cast<float>(rects[k].height), map);
    }
    gl.end();
    writePng(request.out, gl.readColor(), width, height);
    result.renderer = render::GlRenderer::versionString();
  }
  result.width = width;
  result.height = height;
  return result;
}

}  // namespace topomask::gui
