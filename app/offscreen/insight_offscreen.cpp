#include "offscreen/insight_offscreen.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "model/insight_model.h"
#include "model/insight_views.h"
#include "model/learn_model.h"
#include "model/pipeline.h"
#include "render/plot/screenshot.h"
#include "platform/window.h"
#include "render/animation.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/drawable.h"
#include "render/scene/overlay.h"
#include "render/scene/views.h"
#include "render/scene/walks.h"
#include "topomask/core/error.h"
#include "topomask/grf/matrix_view.h"
#include "topomask/grf/walks.h"

namespace topomask::gui {

namespace {

// At most 2^30 pixels in all the frames of one animation (about 1,500 frames of 1280 x 560): every
// frame is drawn and encoded, and a GIF is assembled in memory before it is written.
constexpr double kMaxAnimationPixels = 1073741824.0;

// The checks an animation request needs before any work: at least 2 frames, a .gif or .mp4 name,
// and frames x width x height within kMaxAnimationPixels.
void checkAnimation(const AnimationRequest* animate, int width, int height) {
  if (!animate) return;
  if (animate->frames < 2) throw usageError("--frames must be at least 2");
  (void)render::animationFormatFor(animate->path);
  const double pixels = static_cast<double>(animate->frames) * width * height;
  if (pixels > kMaxAnimationPixels)
    throw usageError("--animate: " + std::to_string(animate->frames) + " frames of " + std::to_string(width) + " x " +
                     std::to_string(height) + " pixels are more than the 2^30 pixels an animation may have; use fewer "
                     "--frames or a smaller --width / --height");
}

// Writes animate.frames frames, frame(j) giving frame j (width x height RGBA), and records the file,
// its frame count, size and codec in `result`.
template <class DrawFrame>
void writeAnimation(const AnimationRequest& animate, int width, int height, OffscreenResult& result, DrawFrame&& frame) {
  render::AnimationWriter writer(animate.path, width, height, animate.fps);
  for (int j = 0; j < animate.frames; ++j) writer.add(frame(j));
  writer.finish();
  result.animation = animate.path;
  result.frames = writer.frames();
  result.animationWidth = writer.width();
  result.animationHeight = writer.height();
  result.codec = writer.codec();
}

}  // namespace

std::string insightOffscreenViews() { return "walks, " + renderableInsightViews(); }

bool isInsightOffscreenView(const std::string& view) {
  const InsightView* row = findInsightView(view);
  return view == "walks" || (row && row->drawnAsPicture());
}

OffscreenResult renderInsightOffscreen(const OffscreenRequest& request, int walkersShown, const AnimationRequest* animate) {
  if (!isInsightOffscreenView(request.view))
    throw usageError("renderInsightOffscreen: view must be one of " + insightOffscreenViews());
  const bool walks = request.view == "walks";
  const InsightView* view = findInsightView(request.view);
  if (animate && !walks) throw usageError("--animate draws the walks and learn views (got --view " + request.view + ")");
  checkAnimation(animate, request.width > 0 ? request.width : 1280, request.height > 0 ? request.height : 560);
  if (request.out.empty() && !animate) throw usageError("--out F.png is required");
  checkPictureSize(request);

  // The engine, synchronously, in the window's order (runStagesNow): the graph first, the mask and
  // features only for the views that show them.
  AppState state;
  state.graph = request.graph;
  state.mask = request.mask;
  state.grf = request.grf;
  state.query = request.query;
  if (!walks) {
    // A view drawn from its row (insight_views.h): the stages it reads, its computation, its picture.
    runStagesNow(state, request.path, view->stages | StageLoad | StageGraph);
    if (state.results.graph->nodeCount() == 0) throw usageError("the graph has no nodes: no " + view->name + " to draw");
    const std::optional<InsightKey> key = view->key(state);
    if (!key) throw usageError("the " + view->name + " view has nothing to show for these options");
    Progress progress;
    const std::shared_ptr<const void> shown = view->job(state)(progress);
    const InsightPicture picture = view->picture(shown.get());
    if (!picture.rgba || picture.rgba->empty()) throw usageError("the " + view->name + " view drew no picture");
    writePng(request.out, *picture.rgba, picture.width, picture.height);
    OffscreenResult result;
    if (view->stages & ~(StageLoad | StageGraph)) result.query = state.query;
    result.width = picture.width;
    result.height = picture.height;
    result.renderer = "cpu raster";
    return result;
  }
  runStagesNow(state, request.path, StageLoad | StageGraph | StageMask | StageGrf);
  const std::shared_ptr<const Scene> scene = state.results.scene;
  const Graph& graph = *state.results.graph;
  const std::int64_t query = state.query;
  const std::shared_ptr<const MaskData> mask = state.results.mask;
  const std::shared_ptr<const GrfData> grf = state.results.grf;

  OffscreenResult result;
  result.query = query;

  const MaskFunction fn(request.mask);
  const WalkTrace trace = traceWalks(graph, fn, request.grf, query);
  const int shown = walkersShown > 0 ? std::min(walkersShown, static_cast<int>(trace.walks.size()))
                                     : static_cast<int>(trace.walks.size());
  const Eigen::VectorXd grfRow = traceMaskRow(trace, shown, grf->keyT);
  const Eigen::VectorXd exactRow = mask->op.row(query);
  const std::vector<float> finalLeft(grfRow.data(), grfRow.data() + grfRow.size());
  const std::vector<float> right(exactRow.data(), exactRow.data() + exactRow.size());
  const render::ValueRange range = render::unionRange(render::computeRange(finalLeft, render::RangeMode::Log),
                                                      render::computeRange(right, render::RangeMode::Log));

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
    render::Overlay overlay(gl);
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

    // One picture: walkers 1..m released one after another, the m-th after `hops` of its hops, and
    // the GRF row they give (m = shown and hops past its end: finished).
    double lastError = 0.0;
    auto drawFrame = [&](int m, int hops) {
      const int ownHops = trace.walks[static_cast<std::size_t>(m - 1)].hops();
      const bool finished = m == shown && hops >= ownHops;
      const WalkTrace cut = finished ? trace : firstWalks(trace, m, hops);
      const Eigen::VectorXd row = finished ? grfRow : traceMaskRow(cut, m, grf->keyT);
      const std::vector<float> left(row.data(), row.data() + row.size());
      const double err = (row - exactRow).norm() / std::max(exactRow.norm(), 1e-300);
      lastError = err;
      drawable.setScalar(0, left);
      render::WalksDrawable walkLines(gl, drawable, cut);
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
        if (k == 0) walkLines.draw(camera, rects[k], m, 3.0f);
        const Eigen::Vector4f white(0.95f, 0.95f, 0.96f, 1.0f), grey(0.7f, 0.72f, 0.76f, 1.0f);
        overlay.rect(0, 0, static_cast<float>(rects[k].width), 40, Eigen::Vector4f(0, 0, 0, 0.45f));
        if (k == 0) {
          if (finished)
            std::snprintf(line, sizeof line, "Random walks of node %lld: %d of %d walkers (colour = step)",
                          static_cast<long long>(query), shown, static_cast<int>(trace.walks.size()));
          else
            std::snprintf(line, sizeof line, "Walks of node %lld: walker %d/%d, hop %d/%d",
                          static_cast<long long>(query), m, shown, std::min(hops, ownHops), ownHops);
          overlay.text(8, 6, line, white, 2.0f);
          std::snprintf(line, sizeof line, "GRF row, %d walker%s: rel. error %.3g", m, m == 1 ? "" : "s", err);
          overlay.text(8, 23, line, grey, 2.0f);
        } else {
          overlay.text(8, 6, "Exact mask row", white, 2.0f);
          overlay.text(8, 23, fn.formula(), grey, 2.0f);
        }
        overlay.flush(static_cast<float>(rects[k].width), static_cast<float>(rects[k].height), map);
      }
      gl.end();
      return gl.readColor();
    };

    if (animate) {
      // The timeline: each walker an equal share of the frames, its hops revealed across its share;
      // frame j is at t = j n / (frames - 1) in [0, n]: walker floor(t) + 1, the fraction t - floor(t)
      // of its hops (the last frame: every walker, all hops).
      writeAnimation(*animate, width, height, result, [&](int j) {
        const double t = static_cast<double>(j) * shown / (animate->frames - 1);
        const int m = std::min(shown, static_cast<int>(std::floor(t)) + 1);
        const int ownHops = trace.walks[static_cast<std::size_t>(m - 1)].hops();
        const int hops = static_cast<int>(std::lround(std::min(1.0, t - (m - 1)) * ownHops));
        std::vector<std::uint8_t> rgba = drawFrame(m, hops);
        result.frameInfo.push_back({m, hops, -1, lastError});
        return rgba;
      });
    }
    if (!request.out.empty())
      writePng(request.out, drawFrame(shown, trace.walks[static_cast<std::size_t>(shown - 1)].hops()), width, height);
    result.renderer = render::GlRenderer::versionString();
  }
  result.width = width;
  result.height = height;
  return result;
}

OffscreenResult renderLearnOffscreen(const OffscreenRequest& request, const LearnRequest& learn,
                                     const AnimationRequest* animate) {
  if (request.out.empty() && !animate) throw usageError("--out F.png or --animate F.gif|F.mp4 is required");
  checkPictureSize(request);
  const int width = request.width > 0 ? request.width : 1440;
  const int height = request.height > 0 ? request.height : 480;
  checkAnimation(animate, width, height);
  if (width < 300 || height < 200) throw usageError("the learn view needs at least 300 x 200 pixels (--width, --height)");

  AppState state;
  state.graph = request.graph;
  runStagesNow(state, request.path, StageLoad | StageGraph);
  const Graph& graph = *state.results.graph;
  FitTarget target = learn.target;
  if (learn.complete) learn.complete(target, graph, *state.results.scene);
  const LearnModel model = computeLearnModel(graph, target, learn.fit);

  OffscreenResult result;
  result.width = width;
  result.height = height;
  result.renderer = "cpu raster";
  const std::size_t last = model.iterations() - 1;
  if (animate)
    writeAnimation(*animate, width, height, result, [&](int j) {
      const auto i = static_cast<std::size_t>(std::lround(static_cast<double>(j) * static_cast<double>(last) / (animate->frames - 1)));
      result.frameInfo.push_back({-1, -1, static_cast<int>(i), std::sqrt(std::max(model.loss[i], 0.0))});
      return learnPicture(model, i, width, height).rgba;
    });
  if (!request.out.empty()) writePng(request.out, learnPicture(model, last, width, height).rgba, width, height);
  return result;
}

}  // namespace topomask::gui
