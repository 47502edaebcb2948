// GUI soak: the real application under Xvfb driven by a seeded random sequence of user actions for
// a few minutes: open files of every kind (broken ones too), change every parameter (including
// values that diverge, overflow or do not apply), click and hover anywhere, cancel, switch views.
// It must not crash, and its resident memory, measured in the same state (the same file open,
// work finished) after each round, must stay within 10 % of the level after warm-up.
// TOPOMASK_SOAK_SECONDS sets the duration (default 150) and TOPOMASK_SOAK_SEED the seed.
#include <malloc.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <random>

#include <gtest/gtest.h>

#include "gl_fixtures.h"
#include "gui/app.h"
#include "support/test_graphs.h"

using namespace topomask;
using namespace topomask::gui;

namespace {

double residentMegabytes() {
  malloc_trim(0);  // freed memory back to the system first, so the figure is what is in use
  std::ifstream statm("/proc/self/statm");
  long pages = 0, resident = 0;
  statm >> pages >> resident;
  return static_cast<double>(resident) * static_cast<double>(sysconf(_SC_PAGESIZE)) / 1e6;
}

std::uint64_t envOr(const char* name, std::uint64_t fallback) {
  const char* v = std::getenv(name);
  return v ? std::strtoull(v, nullptr, 10) : fallback;
}

TEST(Soak, RandomActionsForMinutesNoCrashFlatMemory) {
  const std::string dir = topomask::testing::tempDir("soak");
  const std::string sheet = topomask::testing::writeSheetObj(dir, 24, 24);
  std::vector<std::string> files = {
      sheet, topomask::testing::writeSphereXyz(dir, 3000), topomask::testing::writeGradientPng(dir, 80, 60),
      topomask::testing::writeRingEdges(dir), "demo", dir + "/missing.ply"};
  auto write = [&](const std::string& name, const std::string& bytes) {
    std::ofstream(dir + "/" + name, std::ios::binary) << bytes;
    files.push_back(dir + "/" + name);
  };
  write("broken.obj", "v 1 2\nf 1 2 99\n");
  write("empty.off", "");
  write("garbage.png", "\x89PNG\r\n\x1a\n garbage");
  write("truncated.ply", "ply\nformat binary_little_endian 1.0\nelement vertex 100\nproperty float x\nend_header\n\x01\x02");
  write("deep.gltf", "{\"asset\":{\"version\":\"2.0\"},\"x\":" + std::string(5000, '[') + std::string(5000, ']') + "}");
  write("nan.xyz", "0 0 0\n1 nan 0\n");
  write("same.xyz", [] { std::string s; for (int i = 0; i < 5000; ++i) s += "1 2 3\n"; return s; }());

  AppOptions o;
  o.width = 1200;
  o.height = 700;
  App app(o);
  std::mt19937_64 rng(envOr("TOPOMASK_SOAK_SEED", 20261201));
  auto uniform = [&](double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng); };
  auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };

  const auto seconds = static_cast<double>(envOr("TOPOMASK_SOAK_SECONDS", 150));
  const auto start = std::chrono::steady_clock::now();
  auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  // The memory probe: the same state every time (the sheet with default parameters, work done).
  auto probe = [&] {
    app.dispatch(SetGraphOptions{GraphOptions{}});
    app.dispatch(SetMask{MaskSpec{}});
    app.dispatch(SetGrf{GrfOptions{}});
    app.dispatch(OpenFile{sheet});
    for (int i = 0; i < 4; ++i) {
      app.frame();
      app.waitIdle();
    }
    return residentMegabytes();
  };

  std::vector<double> levels;
  std::int64_t actions = 0;
  while (elapsed() < seconds) {
    for (int step = 0; step < 60; ++step, ++actions) {
      const std::int64_t nodes = app.state().results.graph ? app.state().results.graph->nodeCount() : 10;
      switch (pick(12)) {
        case 0: app.dispatch(OpenFile{files[static_cast<std::size_t>(pick(static_cast<int>(files.size())))]}); break;
        case 1: {
          MaskSpec m;
          m.preset = static_cast<MaskPreset>(pick(5));  // heat, reglap1, reglap2, pstep, cosine
          m.beta = uniform(-3.0, 8.0);                  // diverging series included
          m.p = pick(8);
          app.dispatch(SetMask{m});
          break;
        }
        case 2: {
          GrfOptions g;
          g.walkers = 1 + pick(64);  // odd counts with antithetic: an error to show
          g.pHalt = uniform(0.0, 0.9);
          g.maxLength = pick(80);
          g.sampling = static_cast<Sampling>(pick(3));
          g.ensemble = static_cast<Ensemble>(pick(3));
          g.seed = rng();
          app.dispatch(SetGrf{g});
          break;
        }
        case 3: {
          GraphOptions g;
          g.kind = static_cast<GraphKind>(pick(8));  // most kinds do not apply to most inputs
          g.k = 1 + pick(16);
          g.patch = 1 + pick(16);
          g.weights = static_cast<EdgeWeights>(pick(4));
          g.normalisation = static_cast<Normalisation>(pick(3));
          g.sigma = uniform(0.05, 2.0);
          app.dispatch(SetGraphOptions{g});
          break;
        }
        case 4: app.dispatch(SelectQuery{static_cast<std::int64_t>(pick(static_cast<int>(nodes + 6))) - 1}); break;
        case 5: app.dispatch(ClearQuery{}); break;
        case 6: {
          ViewSettings v = app.state().view;
          v.layout = static_cast<Layout>(pick(2));
          v.viewCount = 1 + pick(3);
          v.rangeMode = static_cast<render::RangeMode>(pick(4));
          v.colormap = static_cast<render::Colormap>(pick(4));
          v.sameRange = pick(2) == 0;
          app.dispatch(SetView{v});
          break;
        }
        case 7: app.dispatch(CancelWork{}); break;
        case 8: app.clickAt(pick(o.width), pick(o.height)); break;
        case 9: app.setMouse(static_cast<float>(pick(o.width)), static_cast<float>(pick(o.height)), pick(4) == 0); break;
        case 10: {
          AttentionParams a;
          a.a = attentionMethods()[pick(static_cast<int>(attentionMethods().size()))].method;
          a.b = attentionMethods()[pick(static_cast<int>(attentionMethods().size()))].method;
          a.featureMap = static_cast<FeatureMapKind>(pick(3));
          a.headDim = 1 + pick(32);
          a.favorFeatures = 1 + pick(64);
          app.dispatch(SetAttention{a});
          break;
        }
        default:
          app.dispatch(pick(2) ? Command{DismissError{}} : Command{ResetCamera{}});
          break;
      }
      for (int f = pick(3); f >= 0; --f) app.frame();
      if (pick(10) == 0) app.waitIdle();
    }
    app.clearMouse();
    levels.push_back(probe());
  }
  ASSERT_GE(levels.size(), 4u) << "too few rounds in " << seconds << " s";
  // Warm-up: the first third of the rounds (caches, fonts, the allocator's arenas settle).
  const std::size_t warm = levels.size() / 3;
  double baseline = 0.0;
  for (std::size_t i = warm; i < warm + 2 && i < levels.size(); ++i) baseline = std::max(baseline, levels[i]);
  double last = 0.0;
  for (std::size_t i = levels.size() - 2; i < levels.size(); ++i) last = std::max(last, levels[i]);
  std::string trace;
  for (double l : levels) trace += std::to_string(static_cast<int>(l)) + " ";
  std::printf("soak: %lld actions in %.0f s, %zu rounds; resident MB per round: %s\n", static_cast<long long>(actions),
              elapsed(), levels.size(), trace.c_str());
  EXPECT_LE(last, 1.10 * baseline) << "resident memory grew: " << trace;
}

}  // namespace
