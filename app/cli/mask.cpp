// topomask mask FILE: the exact topological mask (rows of queried nodes, or the dense matrix),
// and (added by the GRF part) its graph-random-feature estimate and the error between them.
//
// Files under --out-prefix P: P_exact.npy holds the requested rows as a Q x N float64 array in the
// order of --query, or the dense N x N matrix with --dense. Without --query and without --dense the
// query is defaultQuery: the centre of a pixel grid, else an end of the graph's longest path (cheap
// at any size: two breadth-first searches; the command always writes a Q x N array).
#include <chrono>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "topomask/core/error.h"
#include "topomask/core/output_file.h"
#include "topomask/core/npy.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace topomask::cli {
namespace {

struct MaskCommandOptions {
  CommonOptions common;
  std::string file;
  std::vector<std::int64_t> queries;  // empty: defaultQuery(graph)
  bool dense = false;
  std::string outPrefix;
  double tolerance = 1e-9;
  std::int64_t denseCap = 4096;
};

// The exact part of `topomask mask`.
struct ExactMaskResult {
  std::string method;                 // "dense" or "propagation"
  std::vector<std::int64_t> queries;  // the rows asked for (defaultQuery(graph) by default)
  Eigen::MatrixXd values;             // Q x N rows of M, or N x N with --dense
  int terms = 0;                      // series terms K (dense: what propagation would use; -1 if unknown)
  double tailBound = 0.0;             // bound of the truncated tail (0 for dense: no truncation)
  SeriesRadius radius;
  double seconds = 0.0;
};

double secondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::vector<std::int64_t> checkedQueries(const MaskCommandOptions& o, const Graph& graph) {
  const std::int64_t n = graph.nodeCount();
  std::vector<std::int64_t> q = o.queries.empty() ? std::vector<std::int64_t>{defaultQuery(graph)} : o.queries;
  for (std::int64_t i : q)
    if (i < 0 || i >= n)
      throw usageError("--query " + std::to_string(i) + ": node index out of range (the graph has " + std::to_string(n) +
                       " nodes, 0.." + std::to_string(n - 1) + ")");
  return q;
}

ExactMaskResult computeExactMask(const Graph& graph, const MaskFunction& fn, const MaskCommandOptions& o) {
  ExactMaskResult r;
  r.queries = checkedQueries(o, graph);
  const auto t0 = std::chrono::steady_clock::now();
  if (o.dense) {
    DenseMaskOptions dense;
    dense.maxNodes = o.denseCap;
    r.method = "dense";
    r.values = denseMask(graph, fn, dense);
    r.seconds = secondsSince(t0);
    r.radius = seriesRadius(graph, fn);
    try {
      r.terms = fn.termsFor(r.radius.value, o.tolerance);
    } catch (const Error&) {
      r.terms = -1;  // the eigen method does not truncate; the series count is only informative
    }
    return r;
  }
  MaskOperatorOptions options;
  options.relTolerance = o.tolerance;
  options.threads = o.common.threads;
  const MaskOperator op(graph, fn, options);
  r.method = "propagation";
  r.values = op.rows(r.queries);
  r.seconds = secondsSince(t0);
  r.terms = op.terms();
  r.tailBound = op.tailBound();
  r.radius = op.radius();
  return r;
}

nlohmann::json maskJson(const MaskFunction& fn, int terms) {
  nlohmann::json j;
  j["kernel"] = fn.name();
  j["formula"] = fn.formula();
  j["beta"] = fn.spec().beta;
  if (fn.spec().preset == MaskPreset::PStep) j["p"] = fn.spec().p;
  const int shown = std::min(std::max(terms, 1), 32);
  j["alpha"] = fn.alpha(shown);
  try {
    j["modulation"] = fn.modulation(shown);
  } catch (const Error&) {
    j["modulation"] = nullptr;  // alpha_0 <= 0: no real f (only the GRF part needs it)
  }
  return j;
}

// The `exact` object of SPEC section 8 (method, terms, seconds) and what else explains it.
nlohmann::json exactJson(const ExactMaskResult& r, double tolerance) {
  nlohmann::json j;
  j["method"] = r.method;
  j["terms"] = r.terms;
  j["seconds"] = r.seconds;
  j["tolerance"] = tolerance;
  j["tail_bound"] = r.tailBound;
  j["rho"] = r.radius.value;
  j["rho_source"] = r.radius.source;
  j["shape"] = {r.values.rows(), r.values.cols()};
  nlohmann::json rows = nlohmann::json::array();
  for (std::size_t q = 0; q < r.queries.size(); ++q) {
    const std::int64_t i = r.queries[q];
    const auto row = r.method == "dense" ? r.values.row(i) : r.values.row(static_cast<Eigen::Index>(q));
    Eigen::Index argmax = 0;
    const double maxValue = row.maxCoeff(&argmax);
    rows.push_back({{"node", i},
                    {"sum", row.sum()},
                    {"diagonal", row(i)},
                    {"max", maxValue},
                    {"argmax", argmax},
                    {"nonzeros", (row.array() != 0.0).count()}});
  }
  j["rows"] = rows;
  return j;
}

void printExactText(const std::string& file, const Graph& g, const MaskFunction& fn, const ExactMaskResult& r) {
  std::cout << "exact mask " << fn.formula() << " on " << file << " (" << g.nodeCount() << " nodes, " << g.edgeCount()
            << " edges)\n"
            << std::setprecision(6) << "  method      " << r.method;
  if (r.method == "propagation") std::cout << ", " << r.terms << " terms (tail <= " << r.tailBound << ")";
  std::cout << "\n  rho(W)      " << r.radius.value << " (" << r.radius.source << ")\n"
            << "  seconds     " << r.seconds << "\n";
  for (std::size_t q = 0; q < r.queries.size(); ++q) {
    const std::int64_t i = r.queries[q];
    const Eigen::VectorXd row =
        r.method == "dense" ? Eigen::VectorXd(r.values.row(i)) : Eigen::VectorXd(r.values.row(static_cast<Eigen::Index>(q)));
    std::cout << "  row " << i << ": M_ii " << row(i) << ", sum " << row.sum() << ", max " << row.maxCoeff() << ", "
              << (row.array() != 0.0).count() << " non-zero entries\n";
  }
}

}  // namespace

void addMaskCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<MaskCommandOptions>();
  CLI::App* sub = root.add_subcommand("mask", "Compute the exact topological mask (rows or dense) of a file's graph");
  sub->add_option("FILE", o->file, "mesh, point cloud, image or graph")->required();
  sub->add_option("--query", o->queries,
                  "node whose exact mask row is computed (repeatable or comma-separated; default: the centre of a pixel grid, else an end of the graph's longest path)")
      ->delimiter(',');
  sub->add_flag("--dense", o->dense, "compute the dense N x N mask by eigendecomposition (N <= --dense-cap)");
  sub->add_option("--out-prefix", o->outPrefix, "write P_exact.npy (rows Q x N, or N x N with --dense)");
  sub->add_option("--tolerance", o->tolerance, "relative tail tolerance of the series")->capture_default_str();
  sub->add_option("--dense-cap", o->denseCap, "largest N for --dense")->capture_default_str();
  addCommonOptions(*sub, o->common);
  sub->callback([&action, o] {
    action = [o] {
      if (!(o->tolerance > 0.0 && o->tolerance < 1.0)) throw usageError("--tolerance must be in (0, 1)");
      checkDenseCapOption(o->denseCap, "--dense-cap");
      if (!o->outPrefix.empty())
        for (const char* suffix : {"_exact.npy", "_grf.npy"})
          refuseOutputOverInput(o->outPrefix + suffix, {o->file}, "--out-prefix");
      const MaskFunction fn(toMaskSpec(o->common));  // usage errors before any IO
      const LoadedGraph loaded = loadGraph(o->file, o->common);
      const Graph& g = loaded.graph;

      const ExactMaskResult exact = computeExactMask(g, fn, *o);
      nlohmann::json j;
      j["file"] = o->file;
      j["nodes"] = g.nodeCount();
      j["edges"] = g.edgeCount();
      j["graph"] = {{"normalisation", normalisationName(g.normalisation)}, {"sigma", g.sigma}};
      j["mask"] = maskJson(fn, exact.terms);
      j["queries"] = exact.queries;
      j["exact"] = exactJson(exact, o->tolerance);
      j["files"] = nlohmann::json::array();
      if (!o->outPrefix.empty()) {
        const std::string path = o->outPrefix + "_exact.npy";
        writeNpy(path, exact.values);
        j["files"].push_back(path);
      }

      // ---- GRF part: features, the estimate of the same rows (or dense), and its error ------------
      const GrfOptions grfOptions = toGrfOptions(o->common);
      const GrfFeatures phi = sampleFeatures(g, fn, grfOptions);
      const Eigen::MatrixXd grfValues = exact.method == "dense"
                                            ? estimateDense(phi.query(), phi.key(), o->denseCap)
                                            : estimateRows(phi, exact.queries);
      std::vector<std::int64_t> errorRows = exact.queries;
      if (exact.method == "dense") errorRows = sampleNodes(g.nodeCount(), g.nodeCount(), 0);  // all rows
      const FrobeniusError err = frobeniusError(errorRows, exact.values, grfValues, g.nodeCount());
      j["grf"] = {{"walkers", grfOptions.walkers},
                  {"p_halt", grfOptions.pHalt},
                  {"max_len", grfOptions.maxLength},
                  {"sampling", samplingName(grfOptions.sampling)},
                  {"ensemble", ensembleName(grfOptions.ensemble)},
                  {"seed", grfOptions.seed},
                  {"nnz_per_row", phi.query().meanNonZerosPerRow()},
                  {"nnz_max", phi.query().maxNonZerosPerRow()},
                  {"feature_bytes", phi.query().bytes() + (phi.keyIsQuery() ? 0 : phi.key().bytes())},
                  {"hops", phi.hops},
                  {"seconds", phi.seconds}};
      j["error"] = {{"rel_frobenius", err.relFrobenius},
                    {"rel_frobenius_sq", err.relFrobeniusSq},
                    {"rows_used", err.rowsUsed}};
      if (!o->outPrefix.empty()) {
        const std::string path = o->outPrefix + "_grf.npy";
        writeNpy(path, grfValues);
        j["files"].push_back(path);
      }
      // ----------------------------------------------------------------------------------------

      if (o->common.json) {
        printJson(j);
      } else {
        printExactText(o->file, g, fn, exact);
        std::cout << std::setprecision(6) << "GRF estimate: " << grfOptions.walkers << " "
                  << samplingName(grfOptions.sampling) << " walkers, p_halt " << grfOptions.pHalt << ", "
                  << ensembleName(grfOptions.ensemble) << " ensemble\n"
                  << "  nnz/row     " << phi.query().meanNonZerosPerRow() << "\n"
                  << "  seconds     " << phi.seconds << "\n"
                  << "  error       rel Frobenius " << err.relFrobenius << " (squared " << err.relFrobeniusSq
                  << ") over " << err.rowsUsed << (err.allRows ? " rows (all)" : " rows") << "\n";
        for (const auto& f : j["files"]) std::cout << "  wrote       " << f.get<std::string>() << "\n";
        for (const auto& w : loaded.scene.warnings) std::cout << "  warning: " << w << "\n";
      }
      return 0;
    };
  });
}

}  // namespace topomask::cli
