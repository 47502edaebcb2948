// GRF sampling speed and memory: features of a 1024 x 1024 pixel grid (grid4, symmetric
// normalisation), n = 16 walkers, p_halt = 0.1, heat kernel beta = 1 (target >= 150 M walk steps/s
// on the 2-core machine). A straightforward per-node sampler (collect visits, sort, merge) runs
// beside it as the baseline. Counters: steps_per_s (hops per wall second), steps_per_cpu_s (per
// process CPU second, all threads), seconds, cold_seconds and cold_steps_per_s (the first, untimed
// call, paying first-touch page faults), nnz_per_row, bytes_per_nnz, peak_rss_mb (getrusage, the
// whole process so far).
#include <benchmark/benchmark.h>

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <utility>
#include <vector>

#include "topomask/core/parallel.h"
#include "topomask/core/rng.h"
#include "topomask/graph/build.h"
#include "topomask/grf/sampler.h"

namespace {

using namespace topomask;

const Graph& imageGraph() {
  static const Graph g = [] {
    const Scene scene = makeImageScene(1024, 1024);
    return buildGraph(scene, GraphOptions{});
  }();
  return g;
}

// User + system CPU seconds of the whole process (all threads): on a shared, loaded machine
// steps per CPU second x cores estimates what an idle machine does.
double processCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
         1e-6 * static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec);
}

double peakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // ru_maxrss is in KiB on Linux
}

GrfOptions benchOptions(Sampling s = Sampling::Iid) {
  GrfOptions o;
  o.walkers = 16;
  o.pHalt = 0.1;
  o.maxLength = 64;
  o.sampling = s;
  o.seed = 1;
  o.threads = 0;
  return o;
}

void BM_GrfFeatures(benchmark::State& state) {
  const Graph& g = imageGraph();
  const MaskFunction heat;
  GrfOptions o = benchOptions(static_cast<Sampling>(state.range(0)));
  o.threads = static_cast<int>(state.range(1));  // 0: all cores
  std::int64_t hops = 0, nnz = 0, bytes = 0;
  double seconds = 0.0, cpu = 0.0;
  // One untimed call first: the first sampling in a process writes ~400 MB of fresh memory, and on a
  // virtual machine whose host reclaims free guest memory the first touch of each page costs more than
  // the walks (~2 ms per MB measured here). Its time is reported as cold_seconds / cold_steps_per_s;
  // the timed calls reuse memory the previous call just freed, as repeated sampling in a session does.
  {
    const auto t0 = std::chrono::steady_clock::now();
    const GrfFeatures cold = sampleFeatures(g, heat, o);
    const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    state.counters["cold_seconds"] = s;
    state.counters["cold_steps_per_s"] = static_cast<double>(cold.hops) / s;
  }
  for (auto _ : state) {
    const double c0 = processCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    GrfFeatures f = sampleFeatures(g, heat, o);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu += processCpuSeconds() - c0;
    hops += f.hops;
    nnz = f.query().nonZeros();
    bytes = f.query().bytes();
    benchmark::DoNotOptimize(f);
  }
  state.counters["steps_per_s"] = static_cast<double>(hops) / seconds;
  state.counters["steps_per_cpu_s"] = static_cast<double>(hops) / cpu;
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  state.counters["nnz_per_row"] = static_cast<double>(nnz) / static_cast<double>(g.nodeCount());
  state.counters["bytes_per_nnz"] = static_cast<double>(bytes) / static_cast<double>(nnz);
  state.counters["feature_mb"] = static_cast<double>(bytes) / (1024.0 * 1024.0);
  state.counters["peak_rss_mb"] = peakRssMb();
  state.counters["threads"] = resolveThreads(o.threads);
  state.SetLabel(samplingName(o.sampling));
}
// Arguments: sampling scheme (0 iid, 1 antithetic, 2 repelling), threads (0 = all cores).
BENCHMARK(BM_GrfFeatures)
    ->Args({static_cast<int>(Sampling::Iid), 0})
    ->Args({static_cast<int>(Sampling::Iid), 1})
    ->Args({static_cast<int>(Sampling::Antithetic), 0})
    ->Args({static_cast<int>(Sampling::Repelling), 0})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(3)
    ->UseRealTime();

// The baseline: per node, collect (node, value) visits in a vector, sort and merge them.
void BM_GrfFeaturesSortMergeBaseline(benchmark::State& state) {
  const Graph& g = imageGraph();
  const MaskFunction heat;
  const GrfOptions o = benchOptions();
  const std::vector<double> f = heat.modulation(o.maxLength + 1);
  const std::int64_t n = g.nodeCount();
  std::int64_t hops = 0;
  double seconds = 0.0, cpu = 0.0;
  for (auto _ : state) {
    const double c0 = processCpuSeconds();
    const auto t0 = std::chrono::steady_clock::now();
    std::vector<std::vector<std::pair<std::int32_t, float>>> rows(static_cast<std::size_t>(n));
    std::atomic<std::int64_t> totalHops{0};
    parallelFor(
        0, n,
        [&](std::int64_t lo, std::int64_t hi) {
          std::int64_t local = 0;
          std::vector<std::pair<std::int32_t, double>> visits;
          for (std::int64_t i = lo; i < hi; ++i) {
            Rng rng(o.seed, static_cast<std::uint64_t>(i), 0);
            visits.clear();
            for (int w = 0; w < o.walkers; ++w) {
              std::int64_t v = i;
              double load = 1.0;
              for (int t = 0;; ++t) {
                visits.emplace_back(static_cast<std::int32_t>(v), load * f[static_cast<std::size_t>(t)]);
                if (t == o.maxLength || rng.uniform() < o.pHalt) break;
                const std::int64_t d = g.degree(v);
                if (d == 0) break;
                const std::int64_t e = g.offsets[v] + static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(d)));
                load *= g.weights[e] * static_cast<double>(d) / (1.0 - o.pHalt);
                v = g.neighbours[e];
                ++local;
              }
            }
            std::sort(visits.begin(), visits.end(),
                      [](const auto& a, const auto& b) { return a.first < b.first; });
            auto& row = rows[static_cast<std::size_t>(i)];
            for (const auto& [v, x] : visits) {
              if (!row.empty() && row.back().first == v)
                row.back().second += static_cast<float>(x / o.walkers);
              else
                row.emplace_back(v, static_cast<float>(x / o.walkers));
            }
          }
          totalHops += local;
        },
        o.threads, 4096);
    seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    cpu += processCpuSeconds() - c0;
    hops += totalHops.load();
    benchmark::DoNotOptimize(rows);
  }
  state.counters["steps_per_s"] = static_cast<double>(hops) / seconds;
  state.counters["steps_per_cpu_s"] = static_cast<double>(hops) / cpu;
  state.counters["seconds"] = seconds / static_cast<double>(state.iterations());
  state.counters["peak_rss_mb"] = peakRssMb();
}
BENCHMARK(BM_GrfFeaturesSortMergeBaseline)->Unit(benchmark::kMillisecond)->Iterations(2)->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
