// topomask render FILE --view V --out F.png: the application's views drawn offscreen (SPEC section 8).
// --animate F.gif|F.mp4 (views walks and learn) writes an animation instead of, or beside, the PNG:
// walkers spreading hop by hop, or the fit of f converging (--target, --terms as `topomask fit`).
#include <iostream>

#include "cli/cli.h"
#include "topomask/attention/methods.h"
#include "topomask/core/output_file.h"
#include "offscreen/insight_offscreen.h"
#include "offscreen/offscreen.h"
#include "render/animation.h"

namespace topomask::cli {

void addRenderCommand(CLI::App& root, Action& action) {
  CLI::App* sub = root.add_subcommand("render", "Draw the application's views of FILE offscreen to a PNG");
  auto options = std::make_shared<CommonOptions>();
  auto request = std::make_shared<gui::OffscreenRequest>();
  auto featureMap = std::make_shared<std::string>("elu");
  auto walkersShown = std::make_shared<int>(0);
  auto tokens = std::make_shared<TokenFileOption>();
  auto animate = std::make_shared<gui::AnimationRequest>();
  auto learn = std::make_shared<FitTargetOptions>();
  addCommonOptions(*sub, *options);
  sub->add_option("file", request->path, "mesh, point cloud, image or graph ('demo' for the built-in scene)")->required();
  sub->add_option("--view", request->view,
                  "exact, grf, diff, attention-<method> (" + attentionMethodList(/*viewsOnly=*/true) +
                      "), compare, " + gui::insightOffscreenViews() + ", learn")
      ->required();
  sub->add_option("--out", request->out, "PNG to write (needed unless --animate is given)");
  sub->add_option("--animate", animate->path, "walks, learn: write an animation (.gif with giflib, .mp4 with FFmpeg)");
  sub->add_option("--frames", animate->frames, "frames of the animation (at least 2)")->capture_default_str();
  sub->add_option("--fps", animate->fps, "frames per second of the animation")->capture_default_str();
  sub->add_option("--query", request->query, "query node (default: an end of the graph's longest path)");
  sub->add_option("--width", request->width, "image width in pixels (default 640 per view)");
  sub->add_option("--height", request->height, "image height in pixels (default 560)");
  sub->add_option("--feature-map", *featureMap, "relu, elu, favor (attention views)")->capture_default_str();
  sub->add_option("--walkers-shown", *walkersShown, "walks view: draw the first m walkers and the GRF row from them (0 = all)");
  addTokenFileOptions(*sub, *tokens);
  addFitTargetOptions(*sub, *learn, false);
  sub->callback([&action, options, request, featureMap, walkersShown, tokens, animate, learn, sub] {
    const bool queryGiven = sub->count("--query") > 0;
    const bool animated = sub->count("--animate") > 0;
    const bool learnOptionGiven = sub->count("--target") + sub->count("--terms") + sub->count("--target-beta") +
                                      sub->count("--target-p") + sub->count("--tau") + sub->count("--distance") > 0;
    const bool animateOptionGiven = sub->count("--frames") + sub->count("--fps") > 0;
    action = [options, request, featureMap, walkersShown, tokens, queryGiven, animate, animated, learn, learnOptionGiven,
              animateOptionGiven] {
      gui::OffscreenRequest r = *request;
      if (r.path == "demo") r.path.clear();
      r.graph = toGraphOptions(*options);
      r.mask = toMaskSpec(*options);
      r.grf = toGrfOptions(*options);
      r.attention.featureMap = parseFeatureMapKind(*featureMap);
      r.attention.seed = options->seed;
      validateCommonOptions(*options);
      checkTokenFileOptions(*tokens);
      if (!tokens->file.empty()) {
        if (r.view.rfind("attention-", 0) != 0) throw usageError("--tokens applies to the attention views (--view attention-<method>)");
        r.attention.tokensFromFile = true;
        r.attention.tokenFile = tokens->file;
        r.attention.head = tokens->head;
      }
      if (queryGiven && r.query < 0) throw usageError("--query " + std::to_string(r.query) + ": node indices are non-negative");
      if (r.width < 0 || r.height < 0 || r.width > 16384 || r.height > 16384)
        throw usageError("--width and --height must be between 1 and 16384 pixels");
      if (*walkersShown < 0) throw usageError("--walkers-shown must be non-negative (0 = all)");
      const bool learnView = r.view == "learn";
      if (r.out.empty() && !animated) throw usageError("render needs --out F.png (or --animate F.gif|F.mp4 for the walks and learn views)");
      if (animated && r.view != "walks" && !learnView)
        throw usageError("--animate draws the walks and learn views (got --view " + r.view + ")");
      if (!animated && animateOptionGiven) throw usageError("--frames and --fps go with --animate");
      if (learnOptionGiven && !learnView) throw usageError("--target, --terms, --tau and --distance go with --view learn");
      if (animated) {
        if (animate->frames < 2 || animate->frames > 10000) throw usageError("--frames must be between 2 and 10000");
        if (!(animate->fps > 0.0) || animate->fps > 100.0) throw usageError("--fps must be above 0 and at most 100");
        (void)render::animationFormatFor(animate->path);
        refuseOutputOverInput(animate->path, {r.path, tokens->file}, "--animate");
        if (!r.out.empty() && animate->path == r.out) throw usageError("--out and --animate name the same file");
      }
      if (!r.out.empty()) refuseOutputOverInput(r.out, {r.path, tokens->file}, "--out");
      gui::LearnRequest learnRequest;
      if (learnView) {
        checkFitTerms(learn->terms);
        learnRequest.fit.terms = learn->terms;
        learnRequest.fit.seed = options->seed;
        learnRequest.fit.threads = options->threads;
        if (learn->target.empty()) {
          learnRequest.target.kind = FitTargetKind::Kernel;
          learnRequest.target.kernel = r.mask;
        } else {
          learnRequest.target = parseFitTarget(*learn, *options);
        }
        const std::string file = r.path.empty() ? std::string("the demo scene") : r.path;
        learnRequest.complete = [learn, file](FitTarget& t, const Graph& g, const Scene& scene) {
          completeFitTarget(t, *learn, g, scene, file);
        };
      }
      const gui::AnimationRequest* animation = animated ? animate.get() : nullptr;
      gui::OffscreenResult out;
      try {
        if (learnView)
          out = gui::renderLearnOffscreen(r, learnRequest, animation);
        else if (gui::isInsightOffscreenView(r.view))
          out = gui::renderInsightOffscreen(r, *walkersShown, animation);
        else
          out = gui::renderOffscreen(r);
      } catch (const Error&) {
        throw;
      } catch (const std::runtime_error& e) {
        std::cerr << "topomask: render: " << e.what() << '\n';
        return 3;
      }
      if (options->json) {
        nlohmann::json j = {{"out", r.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.out)},
                            {"width", out.width},
                            {"height", out.height},
                            {"query", out.query},
                            {"renderer", out.renderer}};
        nlohmann::json frames = nlohmann::json::array();
        for (const gui::OffscreenResult::Frame& f : out.frameInfo) {
          nlohmann::json one = {{"rel_error", f.relError}};
          if (f.walkers >= 0) one["walkers"] = f.walkers, one["hops"] = f.hops;
          if (f.iteration >= 0) one["iteration"] = f.iteration;
          frames.push_back(one);
        }
        if (animated)
          j["animation"] = {{"file", out.animation},
                            {"frame_info", frames},
                            {"format", render::animationFormatName(render::animationFormatFor(out.animation))},
                            {"codec", out.codec},
                            {"frames", out.frames},
                            {"fps", animate->fps},
                            {"width", out.animationWidth},
                            {"height", out.animationHeight}};
        printJson(j);
      } else {
        if (!r.out.empty()) {
          std::cout << "wrote " << r.out << " (" << out.width << " x " << out.height;
          if (out.query >= 0) std::cout << ", query " << out.query;
          std::cout << ")\n";
        }
        if (animated)
          std::cout << "wrote " << out.animation << " (" << out.frames << " frames, " << out.animationWidth << " x "
                    << out.animationHeight << ", " << out.codec << ", " << animate->fps << " fps)\n";
      }
      return 0;
    };
  });
}

}  // namespace topomask::cli
