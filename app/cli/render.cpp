// topomask render FILE --view V --out F.png: the application's views drawn offscreen (SPEC section 8).
#include <iostream>

#include "cli/cli.h"
#include "topomask/core/output_file.h"
#include "gui/insight_offscreen.h"
#include "gui/offscreen.h"

namespace topomask::cli {

void addRenderCommand(CLI::App& root, Action& action) {
  CLI::App* sub = root.add_subcommand("render", "Draw the application's views of FILE offscreen to a PNG");
  auto options = std::make_shared<CommonOptions>();
  auto request = std::make_shared<gui::OffscreenRequest>();
  auto featureMap = std::make_shared<std::string>("elu");
  auto walkersShown = std::make_shared<int>(0);
  auto tokens = std::make_shared<TokenFileOption>();
  addCommonOptions(*sub, *options);
  sub->add_option("file", request->path, "mesh, point cloud, image or graph ('demo' for the built-in scene)")->required();
  sub->add_option("--view", request->view,
                  "exact, grf, diff, attention-<method> (softmax, softmax_masked, linear, exact_masked, grf_masked, "
                  "toeplitz_fft), compare, walks, matrix, spectrum")
      ->required();
  sub->add_option("--out", request->out, "PNG to write")->required();
  sub->add_option("--query", request->query, "query node (default: an end of the graph's longest path)");
  sub->add_option("--width", request->width, "image width in pixels (default 640 per view)");
  sub->add_option("--height", request->height, "image height in pixels (default 560)");
  sub->add_option("--feature-map", *featureMap, "relu, elu, favor (attention views)")->capture_default_str();
  sub->add_option("--walkers-shown", *walkersShown, "walks view: draw the first m walkers and the GRF row from them (0 = all)");
  addTokenFileOptions(*sub, *tokens);
  sub->callback([&action, options, request, featureMap, walkersShown, tokens, sub] {
    const bool queryGiven = sub->count("--query") > 0;
    action = [options, request, featureMap, walkersShown, tokens, queryGiven] {
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
      refuseOutputOverInput(r.out, {r.path, tokens->file}, "--out");
      gui::OffscreenResult out;
      try {
        out = (r.view == "walks" || r.view == "matrix" || r.view == "spectrum") ? gui::renderInsightOffscreen(r, *walkersShown)
                                                        : gui::renderOffscreen(r);
      } catch (const Error&) {
        throw;
      } catch (const std::runtime_error& e) {
        std::cerr << "topomask: render: " << e.what() << '\n';
        return 3;
      }
      if (options->json) {
        printJson({{"out", r.out}, {"width", out.width}, {"height", out.height}, {"query", out.query}, {"renderer", out.renderer}});
      } else {
        std::cout << "wrote " << r.out << " (" << out.width << " x " << out.height << ", query " << out.query << ")\n";
      }
      return 0;
    };
  });
}

}  // namespace topomask::cli
