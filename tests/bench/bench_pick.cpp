// Picking on the CPU (TriangleBvh): building the hierarchy and one ray (a hover or click pick) on a
// wavy sheet of side x side quads (2 side^2 triangles), side 160 (26k vertices), 316 (100k) and
// 1000 (1M). Rays go from above through random points of the sheet.
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

#include <benchmark/benchmark.h>

#include "topomask/graph/bvh.h"

namespace {

void sheet(int side, std::vector<float>& p, std::vector<std::uint32_t>& tri) {
  for (int y = 0; y <= side; ++y)
    for (int x = 0; x <= side; ++x)
      p.insert(p.end(), {static_cast<float>(x) / side, static_cast<float>(y) / side, 0.05f * std::sin(0.3f * x) * std::cos(0.2f * y)});
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const auto a = static_cast<std::uint32_t>(y * (side + 1) + x), b = a + 1, c = a + static_cast<std::uint32_t>(side) + 1, d = c + 1;
      tri.insert(tri.end(), {a, b, c, b, d, c});
    }
}

void BM_BvhBuild(benchmark::State& state) {
  std::vector<float> p;
  std::vector<std::uint32_t> tri;
  sheet(static_cast<int>(state.range(0)), p, tri);
  for (auto _ : state) benchmark::DoNotOptimize(topomask::TriangleBvh(p, tri).nodeCount());
  state.counters["triangles"] = static_cast<double>(tri.size() / 3);
}
BENCHMARK(BM_BvhBuild)->Arg(160)->Arg(316)->Arg(1000)->Unit(benchmark::kMillisecond);

void BM_BvhPick(benchmark::State& state) {
  std::vector<float> p;
  std::vector<std::uint32_t> tri;
  sheet(static_cast<int>(state.range(0)), p, tri);
  const topomask::TriangleBvh bvh(p, tri);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(0.0f, 1.0f);
  std::int64_t hits = 0;
  for (auto _ : state) {
    // A slightly oblique ray from a camera above the sheet, as a perspective view casts.
    const Eigen::Vector3f target(u(rng), u(rng), 0.0f), eye(0.5f, -0.5f, 2.0f);
    hits += bvh.nearestVertex(eye, target - eye) >= 0;
  }
  state.counters["hit_fraction"] = static_cast<double>(hits) / static_cast<double>(state.iterations());
}
BENCHMARK(BM_BvhPick)->Arg(160)->Arg(316)->Arg(1000)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
