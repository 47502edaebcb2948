// Exact mask speed (SPEC section 4, issue targets): one exact heat row (beta = 1, symmetric W) and
// a 16-column block product M X on a 1024 x 1024 pixel grid (grid4) and on a 1000 x 1000 sheet mesh.
// Counters: terms = K series terms used, nodes = N.
#include <memory>
#include <string>

#include <benchmark/benchmark.h>

#include "topomask/core/rng.h"
#include "topomask/graph/build.h"
#include "topomask/mask/exact.h"

namespace topomask {
namespace {

// Graphs are built once per process (setup is not what these benchmarks time).
const Graph& gridGraph1024() {
  static const Graph g = buildGraph(makeImageScene(1024, 1024), GraphOptions{});
  return g;
}

const Graph& sheetMesh1000() {
  static const Graph g = buildGraph(makeSheetMeshScene(1000, 1000), GraphOptions{});
  return g;
}

MaskFunction heat() {
  MaskSpec spec;
  spec.preset = MaskPreset::Heat;
  spec.beta = 1.0;
  return MaskFunction(spec);
}

void setCounters(benchmark::State& state, const MaskOperator& op) {
  state.counters["terms"] = op.terms();
  state.counters["nodes"] = static_cast<double>(op.graph().nodeCount());
}

// One exact row of M at a node in the middle of the graph (the local propagation path).
void exactRow(benchmark::State& state, const Graph& g) {
  const MaskOperator op(g, heat());
  const std::int64_t n = g.nodeCount();
  std::int64_t i = n / 2 + 512, support = 0;
  for (auto _ : state) {
    const Eigen::VectorXd row = op.row(i);
    benchmark::DoNotOptimize(row.data());
    support = (row.array() != 0.0).count();
    i = (i + 7919) % n;
  }
  setCounters(state, op);
  state.counters["support"] = static_cast<double>(support);
}

// M X for an N x 16 row-major block (Horner on sparse W, row-parallel); argument: threads (0 = all).
void exactBlock(benchmark::State& state, const Graph& g) {
  MaskOperatorOptions options;
  options.threads = static_cast<int>(state.range(0));
  const MaskOperator op(g, heat(), options);
  RowMajorMatrix x(g.nodeCount(), 16);
  Rng rng(1);
  for (Eigen::Index t = 0; t < x.size(); ++t) x.data()[t] = rng.normal();
  for (auto _ : state) {
    const RowMajorMatrix y = op.apply(x);
    benchmark::DoNotOptimize(y.data());
  }
  setCounters(state, op);
}

// Building the operator: the spectral radius and K (cheap for normalised W, whose rho is known).
void operatorSetup(benchmark::State& state, const Graph& g) {
  int terms = 0;
  for (auto _ : state) {
    const MaskOperator op(g, heat());
    terms = op.terms();
  }
  state.counters["terms"] = terms;
}

void BM_ExactRow_Grid1024(benchmark::State& state) { exactRow(state, gridGraph1024()); }
void BM_ExactBlock16_Grid1024(benchmark::State& state) { exactBlock(state, gridGraph1024()); }
void BM_ExactRow_Mesh1000(benchmark::State& state) { exactRow(state, sheetMesh1000()); }
void BM_ExactBlock16_Mesh1000(benchmark::State& state) { exactBlock(state, sheetMesh1000()); }
void BM_OperatorSetup_Grid1024(benchmark::State& state) { operatorSetup(state, gridGraph1024()); }

BENCHMARK(BM_ExactRow_Grid1024)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExactBlock16_Grid1024)->Unit(benchmark::kMillisecond)->MinTime(2.0)->Arg(0)->Arg(1)->UseRealTime();
BENCHMARK(BM_ExactRow_Mesh1000)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ExactBlock16_Mesh1000)->Unit(benchmark::kMillisecond)->MinTime(2.0)->Arg(0)->UseRealTime();
BENCHMARK(BM_OperatorSetup_Grid1024)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace topomask

BENCHMARK_MAIN();
