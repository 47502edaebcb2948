// Speed of GRF-masked linear attention against N on pixel grids (n = 16 walkers, p_halt = 0.1,
// d = m = 16, heat mask, ReLU feature map), and of dense masked softmax with the same estimate M_hat
// materialised as an N x N float matrix. At the end a summary prints the ratios of the targets
// measured in this run: t(2^20) / t(2^16) for GRF-masked (target <= 18), t_dense / t_grf at 2^14
// (target >= 10), and the crossover N below which dense is faster (aim <= 256).
// peak_rss_mb is the process's peak so far (getrusage); `topomask bench` measures each method in its
// own process and is the reference for memory.
#include <sys/resource.h>

#include <cmath>
#include <iostream>
#include <map>
#include <memory>

#include <benchmark/benchmark.h>

#include "topomask/attention/attention.h"
#include "topomask/graph/build.h"
#include "topomask/grf/sampler.h"

namespace {

using namespace topomask;

// Inputs of one grid size (only the latest size is kept, to bound memory).
struct Problem {
  std::int64_t n = 0;
  Graph graph;
  AttentionInputs inputs;
  GrfFeatures features;
};

Problem& problem(std::int64_t n) {
  static std::unique_ptr<Problem> current;
  if (current && current->n == n) return *current;
  current.reset();
  auto p = std::make_unique<Problem>();
  p->n = n;
  const int h = static_cast<int>(std::floor(std::sqrt(static_cast<double>(n))));
  const int w = static_cast<int>(n / h);
  GraphOptions go;
  go.kind = GraphKind::Grid4;
  p->graph = buildGraph(makeImageScene(w, h, 0), go);
  TokenOptions to;
  to.headDim = 16;
  FeatureMap map;  // ReLU, m = d = 16
  p->inputs = makeAttentionInputs(makeTokens(p->graph, to), map);
  GrfOptions grf;
  grf.walkers = 16;
  grf.pHalt = 0.1;
  p->features = sampleFeatures(p->graph, MaskFunction(), grf);
  current = std::move(p);
  return *current;
}

double peakRssMb() {
  struct rusage u {};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

void BM_GrfMasked(benchmark::State& state) {
  Problem& p = problem(state.range(0));
  AttentionOptions o;
  o.received = false;
  o.gridWidth = p.graph.gridWidth;
  for (auto _ : state) benchmark::DoNotOptimize(grfMaskedAttention(p.inputs, p.features, o).out.data());
  state.counters["nnz_per_row"] = p.features.query().meanNonZerosPerRow();
  state.counters["peak_rss_mb"] = peakRssMb();
}

void BM_DenseSoftmaxMhat(benchmark::State& state) {
  Problem& p = problem(state.range(0));
  const Eigen::MatrixXf mhat = grfDenseEstimateFloat(viewOf(p.features.query()), viewOf(p.features.key()));
  AttentionOptions o;
  o.received = false;
  for (auto _ : state) benchmark::DoNotOptimize(denseAttention(p.inputs, DenseKernel::Softmax, mhat, o).out.data());
  state.counters["peak_rss_mb"] = peakRssMb();
}

void BM_ExactMasked(benchmark::State& state) {
  Problem& p = problem(state.range(0));
  const MaskOperator op(p.graph, MaskFunction());
  AttentionOptions o;
  o.received = false;
  for (auto _ : state) benchmark::DoNotOptimize(exactMaskedAttention(p.inputs, op, o).out.data());
}

void BM_Linear(benchmark::State& state) {
  Problem& p = problem(state.range(0));
  AttentionOptions o;
  o.received = false;
  for (auto _ : state) benchmark::DoNotOptimize(linearAttention(p.inputs, o).out.data());
}

// Interleaved per size so that one Problem serves all methods of a size.
void registerAll() {
  for (int e = 6; e <= 20; e += 2) {
    const std::int64_t n = std::int64_t{1} << e;
    const int iters = e >= 18 ? 1 : (e >= 14 ? 3 : 20);
    benchmark::RegisterBenchmark("BM_GrfMasked", BM_GrfMasked)->Arg(n)->Iterations(iters)->Unit(benchmark::kMillisecond);
    if (e <= 14)
      benchmark::RegisterBenchmark("BM_DenseSoftmaxMhat", BM_DenseSoftmaxMhat)
          ->Arg(n)->Iterations(e >= 14 ? 1 : iters)->Unit(benchmark::kMillisecond);
    if (e <= 16) {
      benchmark::RegisterBenchmark("BM_ExactMasked", BM_ExactMasked)->Arg(n)->Iterations(iters)->Unit(benchmark::kMillisecond);
      benchmark::RegisterBenchmark("BM_Linear", BM_Linear)->Arg(n)->Iterations(iters)->Unit(benchmark::kMillisecond);
    }
  }
}

// Console output plus the summary of the targets.
class SummaryReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const auto& r : runs) {
      const std::string name = r.benchmark_name();
      seconds_[name.substr(0, name.find("/iterations"))] = r.GetAdjustedRealTime() / 1e3;  // ms -> s
    }
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    auto t = [&](const std::string& name, int e) {
      const auto it = seconds_.find(name + "/" + std::to_string(std::int64_t{1} << e));
      return it == seconds_.end() ? -1.0 : it->second;
    };
    std::cout << "summary:\n";
    const double g16 = t("BM_GrfMasked", 16), g20 = t("BM_GrfMasked", 20);
    if (g16 > 0 && g20 > 0) std::cout << "  grf_masked t(2^20) / t(2^16) = " << g20 / g16 << " (target <= 18)\n";
    const double d14 = t("BM_DenseSoftmaxMhat", 14), g14 = t("BM_GrfMasked", 14);
    if (d14 > 0 && g14 > 0) std::cout << "  dense / grf_masked at 2^14 = " << d14 / g14 << " (target >= 10)\n";
    int crossover = -1;
    for (int e = 6; e <= 14; e += 2) {
      const double d = t("BM_DenseSoftmaxMhat", e), g = t("BM_GrfMasked", e);
      if (d < 0 || g < 0) continue;
      std::cout << "  N = 2^" << e << ": dense " << d << " s, grf_masked " << g << " s\n";
      if (d < g)
        crossover = -1;
      else if (crossover < 0)
        crossover = e;
    }
    if (crossover >= 0) std::cout << "  crossover: grf_masked faster from N = " << (1 << crossover) << " on\n";
  }

 private:
  std::map<std::string, double> seconds_;
};

}  // namespace

int main(int argc, char** argv) {
  registerAll();
  benchmark::Initialize(&argc, argv);
  SummaryReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
