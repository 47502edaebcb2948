#include "gui/launch.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>

#include <CLI/CLI.hpp>

#include "options/options.h"
#include "gui/app.h"
#include "render/plot/screenshot.h"
#include "topomask/core/error.h"

namespace topomask::gui {

namespace {

std::string configDir() {
  if (const char* xdg = std::getenv("XDG_CONFIG_HOME"); xdg && *xdg) return std::string(xdg) + "/topomask";
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home) + "/.config/topomask";
  return {};
}

}  // namespace

int runApplication(const std::vector<std::string>& args) {
  CLI::App parser{"TopoMask: open FILE (or the demo) in the window"};
  opt::CommonOptions common;
  opt::addCommonOptions(parser, common);
  std::string file, screenshotPath, windowShotPath, layout = "mask";
  std::int64_t query = -1;
  int views = 3;
  float uiScale = 0.0f;
  bool hidePanel = false;
  bool present = false;
  bool fullResolution = false;
  parser.add_option("file", file, "mesh, point cloud, image or graph ('demo' or nothing: the built-in demo scene)");
  parser.add_option("--query", query, "node to make the query");
  parser.add_option("--layout", layout, "mask or attention")->check(CLI::IsMember({"mask", "attention"}));
  parser.add_option("--views", views, "1, 2 or 3 views")->check(CLI::Range(1, 3));
  parser.add_option("--ui-scale", uiScale, "size of text and controls (0.75 to 3; default: the last one chosen)")
      ->check(CLI::Range(static_cast<double>(kMinUiScale), static_cast<double>(kMaxUiScale)));
  parser.add_flag("--hide-panel", hidePanel, "start with the side panel hidden (Tab shows it)");
  parser.add_flag("--present", present,
                  "presentation mode: large text, no side panel, the guided tour with arrow keys (F5 toggles, Esc leaves)");
  parser.add_flag("--full-resolution", fullResolution,
                  "every vertex and point of a large mesh or cloud (default: about 10,000 clustered vertices or 20,000 voxel tokens)");
  opt::TokenFileOption tokens;
  opt::addTokenFileOptions(parser, tokens);
  parser.add_option("--screenshot", screenshotPath, "write a screenshot of the views when the work is done, then quit");
  parser.add_option("--window-shot", windowShotPath,
                    "write a picture of the whole window (panels included) when the work is done, then quit");
  std::vector<std::string> reversed(args.rbegin(), args.rend());
  try {
    parser.parse(reversed);
  } catch (const CLI::CallForHelp& e) {
    return parser.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "topomask: " << e.what() << '\n';
    return 2;
  }
  try {
    AppOptions options;
    options.configDir = configDir();
    App app(options);
    const bool demo = file.empty() || file == "demo";
    // The demo sets its own mask and walkers (README); options given on the command line win.
    // The scene first, then the command line's options: they are meant for this file (opening a file
    // sets walkers above kCarriedWalkers back, which must not undo an explicit --walkers).
    if (fullResolution) app.dispatch(SetLargeAsTokens{false});
    if (demo) app.dispatch(OpenDemo{});
    else app.dispatch(OpenFile{std::filesystem::absolute(file).string()});
    app.dispatch(SetGraphOptions{opt::toGraphOptions(common)});
    auto given = [&](std::initializer_list<const char*> names) {
      for (const char* n : names)
        if (parser.count(n) > 0) return true;
      return false;
    };
    // The app's own defaults (exp(8 W), README) apply unless the command line names mask or GRF options.
    if (given({"--kernel", "--beta", "--p", "--alpha", "--f"})) app.dispatch(SetMask{opt::toMaskSpec(common)});
    if (given({"--walkers", "--p-halt", "--max-len", "--sampling", "--ensembles", "--seed"})) {
      GrfOptions g = opt::toGrfOptions(common);
      if (demo && !given({"--walkers"})) g.walkers = kDemoWalkers;
      app.dispatch(SetGrf{g});
    }
    opt::checkTokenFileOptions(tokens);
    if (!tokens.file.empty()) {
      AttentionParams a = app.state().attention;
      a.tokensFromFile = true;
      a.tokenFile = std::filesystem::absolute(tokens.file).string();
      a.head = tokens.head;
      app.dispatch(SetAttention{a});
    }
    ViewSettings v = app.state().view;
    v.layout = layout == "attention" ? Layout::Attention : Layout::Mask;
    v.viewCount = views;
    if (uiScale > 0.0f) v.uiScale = uiScale;
    if (hidePanel) v.sidePanel = false;
    app.dispatch(SetView{v});
    if (present) app.setPresenting(true);
    if (query >= 0) {
      app.waitIdle();
      app.dispatch(SelectQuery{query});
    }
    if (!screenshotPath.empty() || !windowShotPath.empty()) {
      app.setMouse(-1000.0f, -1000.0f);  // off the window: no hover tooltip in the picture
      for (int i = 0; i < 3; ++i) {  // results arrive over a few frames (rows after the heavy stages)
        app.waitIdle();
        app.frame();
      }
      if (!app.state().error.empty()) {
        std::cerr << "topomask: " << app.state().error << '\n';
        return 3;
      }
      if (!screenshotPath.empty()) std::cout << "wrote " << app.screenshot(screenshotPath) << '\n';
      if (!windowShotPath.empty()) {
        int w = 0, h = 0;
        const std::vector<std::uint8_t> pixels = app.windowPixels(&w, &h);
        writePng(windowShotPath, pixels, w, h);
        std::cout << "wrote " << windowShotPath << " (" << w << " x " << h << ")\n";
      }
      return 0;
    }
    return app.run();
  } catch (const Error& e) {
    std::cerr << "topomask: " << e.what() << '\n';
    return e.kind() == Error::Kind::Usage ? 2 : 3;
  } catch (const std::exception& e) {
    std::cerr << "topomask: " << e.what() << '\n';
    return 3;
  }
}

}  // namespace topomask::gui
