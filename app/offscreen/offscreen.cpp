#include "offscreen/offscreen.h"

#include "model/pipeline.h"
#include "offscreen/insight_offscreen.h"
#include "render/plot/screenshot.h"
#include "model/views_model.h"
#include "platform/window.h"
#include "render/gl/gl_renderer.h"
#include "render/scene/views.h"
#include "topomask/core/error.h"

namespace topomask::gui {

void checkPictureSize(const OffscreenRequest& request) {
  if (request.width < 0 || request.height < 0 || request.width > 16384 || request.height > 16384)
    throw usageError("--width and --height must be between 1 and 16384");
}

OffscreenResult renderOffscreen(const OffscreenRequest& request) {
  // Which views: indices into buildViews' [first, second, difference].
  AppState state;
  std::vector<int> which;
  const std::string& v = request.view;
  if (v == "compare") which = {0, 1, 2};
  else if (v == "exact") which = {0};
  else if (v == "grf") which = {1};
  else if (v == "diff") which = {2};
  else if (v.rfind("attention-", 0) == 0) {
    state.view.layout = Layout::Attention;
    state.attention = request.attention;
    state.attention.a = parseAttentionMethod(v.substr(10), /*viewsOnly=*/true);
    which = {0};
  } else {
    throw usageError("unknown --view '" + v + "' (exact, grf, diff, attention-<method>, compare, " +
                     insightOffscreenViews() + ", learn)");
  }
  if (request.out.empty()) throw usageError("--out F.png is required");
  checkPictureSize(request);

  // The engine, synchronously: the window's stages in the window's order (runStagesNow).
  state.graph = request.graph;
  state.mask = request.mask;
  state.grf = request.grf;
  state.query = request.query;
  const bool attention = state.view.layout == Layout::Attention;
  runStagesNow(state, request.path,
               StageLoad | StageGraph | StageMask | StageGrf | StageRows | (attention ? StageTokens : StageNone));
  const Results& r = state.results;
  if (attention && r.attentionA.size() == 0)
    throw Error(r.rowsNote.empty() ? "the attention row could not be computed" : r.rowsNote, v, Error::Kind::Usage);

  const std::vector<ViewContent> all = buildViews(state);
  std::vector<ViewContent> content;
  for (int k : which) content.push_back(all[k]);
  const int width = request.width > 0 ? request.width : 640 * static_cast<int>(content.size());
  const int height = request.height > 0 ? request.height : 560;

  platform::WindowOptions wo;
  wo.visible = false;
  wo.width = 64;
  wo.height = 64;
  platform::Window window(wo);
  OffscreenResult result;
  {
    render::GlRenderer gl(4);
    render::ViewRenderer views(gl);
    render::SceneDrawable drawable(gl, *r.scene, *r.graph);
    for (std::size_t k = 0; k < content.size(); ++k) drawable.setScalar(static_cast<int>(k), content[k].values);
    render::FrameSpec frame = frameSpec(state, content);
    const auto rects = render::layoutViews(width, height, static_cast<int>(content.size()), frame.textScale, frame.colourBars);
    state.camera = drawable.defaultCamera(static_cast<float>(rects[0].width) / static_cast<float>(rects[0].height));
    frame = frameSpec(state, content);  // with the framed camera
    frame.hover = -1;
    views.render(drawable, frame, width, height);
    writePng(request.out, gl.readColor(), width, height);
    result.renderer = render::GlRenderer::versionString();
  }
  result.width = width;
  result.height = height;
  result.query = state.query;
  return result;
}

}  // namespace topomask::gui
