// Offscreen rendering of the application's views to a PNG (`topomask render`, scripts/run
// without a display): the same pipeline and renderer as the window, in a hidden GL context.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/state.h"

namespace topomask::gui {

struct OffscreenRequest {
  std::string path;         // "" = the demo scene
  std::string view;         // exact, grf, diff, attention-<method>, compare
  std::string out;          // PNG path
  std::int64_t query = -1;  // -1: the default query (an end of the graph's longest path)
  int width = 0;            // 0: 640 per view
  int height = 0;           // 0: 560
  GraphOptions graph;
  MaskSpec mask;
  GrfOptions grf;
  AttentionParams attention;
};


struct OffscreenResult {
  int width = 0;
  int height = 0;
  std::int64_t query = -1;
  std::string renderer;  // GL version and renderer
  // With an animation: its file, frame count, size (may differ from width x height: an MP4 pads odd
  // sizes) and codec.
  std::string animation;
  int frames = 0;
  // What each frame shows: walks (walkers released, hops of the last, relative error of the GRF row)
  // or learn (iteration, relative error of the mask against the target); -1 where not applicable.
  struct Frame {
    int walkers = -1, hops = -1, iteration = -1;
    double relError = 0.0;
  };
  std::vector<Frame> frameInfo;
  int animationWidth = 0, animationHeight = 0;
  std::string codec;
};

// `render --animate`: an animation beside (or instead of) the PNG.
struct AnimationRequest {
  std::string path;       // .gif or .mp4
  int frames = 30;        // >= 2
  double fps = 10.0;      // frames per second
};

// Throws usage Error for an unknown view (walks and matrix: "not available yet"), Error (Input)
// for unreadable files, std::runtime_error when no GL context can be made (no display).
OffscreenResult renderOffscreen(const OffscreenRequest& request);
// The one size rule of every offscreen picture: width and height 0 (the view's default) to 16384.
void checkPictureSize(const OffscreenRequest& request);

}  // namespace topomask::gui
