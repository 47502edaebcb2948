// topomask convergence FILE --walkers 2,4,8,16 --trials T: the mean squared relative Frobenius
// error of the GRF mask estimate against the exact mask, for each number of walkers (SPEC 5, 8).
//
// --plot F.png draws the table with the 1/n slope and the concentration bound where it is not vacuous;
// the JSON gives the bound at every walker count (bound_mean_rel_frobenius_sq, null where none).
//
// Exact reference: the dense mask when N <= --dense-cap, otherwise exact rows (by propagation) of
// --rows nodes drawn with --seed, the same rows for every trial. Trial t of every walker count uses
// the sampler seed mix64(seed ^ mix64(t + 1)) (common random numbers across walker counts).
#include <chrono>
#include <cmath>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "topomask/core/budget.h"
#include "render/plot/insight_plot.h"
#include "render/plot/screenshot.h"
#include "topomask/core/error.h"
#include "topomask/core/output_file.h"
#include "topomask/core/rng.h"
#include "topomask/grf/accuracy.h"
#include "topomask/grf/features.h"
#include "topomask/grf/sampler.h"

namespace topomask::cli {
namespace {

struct ConvergenceOptions {
  CommonOptions common;
  std::string file;
  std::string walkers = "2,4,8,16";
  int trials = 10;
  std::string csv;
  std::string plot;  // --plot F.png
  std::int64_t rows = 256;
  std::int64_t denseCap = 4096;
};

int runConvergence(const ConvergenceOptions& o) {
  if (o.trials < 1 || o.trials > 100000) throw usageError("--trials must be between 1 and 100000");
  if (o.rows < 1 || o.rows > 1000000) throw usageError("--rows must be between 1 and 1000000");
  checkDenseCapOption(o.denseCap, "--dense-cap");
  refuseOutputOverInput(o.csv, {o.file}, "--csv");
  refuseOutputOverInput(o.plot, {o.file}, "--plot");
  std::vector<int> walkerCounts;
  for (const std::int64_t n : parseIntegerList(o.walkers, "--walkers")) {
    if (n < 1 || n > kMaxWalkers) throw usageError("--walkers: each count must be in [1, " + std::to_string(kMaxWalkers) + "]");
    walkerCounts.push_back(static_cast<int>(n));
  }
  // Validate every walker count against the other GRF options before any work (antithetic: even).
  std::vector<GrfOptions> grf;
  for (const int n : walkerCounts) {
    CommonOptions c = o.common;
    c.walkers = n;
    grf.push_back(toGrfOptions(c));
  }
  const MaskFunction mask(toMaskSpec(o.common));

  const LoadedGraph loaded = loadGraph(o.file, o.common);
  const Graph& g = loaded.graph;
  const std::int64_t n = g.nodeCount();
  {  // the whole experiment's walks, before any: trials x every walker count
    double hops = 0.0;
    for (const GrfOptions& opt : grf) {
      checkGrfCost(n, mask, opt);
      hops += o.trials * estimateGrfCost(n, mask, opt).hops;
    }
    if (!(hops <= kMaxWalkSteps))
      throw usageError("convergence would take about " + std::to_string(static_cast<long long>(std::min(hops, 9e18))) +
                       " walk steps in all, more than the limit of " +
                       std::to_string(static_cast<long long>(kMaxWalkSteps)) + ": lower --trials or the --walkers counts");
  }
  // The experiment and its bound: the engine's (grf/accuracy.h), as the app's error-against-walkers view.
  ConvergenceRequest request;
  request.walkers = walkerCounts;
  request.trials = o.trials;
  request.denseCap = o.denseCap;
  request.sampleRows = o.rows;
  GrfOptions base = grf.front();
  base.seed = o.common.seed;
  const ConvergenceResult result = convergenceExperiment(g, mask, base, request);
  const std::vector<std::int64_t>& rows = result.rows;
  const bool dense = result.allRows;
  const double exactSeconds = result.exactSeconds;
  const double slope = result.loglogSlope;
  const std::vector<ConvergencePoint>& table = result.points;
  using Row = ConvergencePoint;

  if (!o.csv.empty()) {
    writeFileAtomically(o.csv, [&](std::ostream& out) {
      out << "walkers,mean_rel_frobenius_sq,stderr,mean_rel_frobenius\n" << std::setprecision(10);
      for (const Row& r : table) out << r.walkers << ',' << r.meanSq << ',' << r.stderrSq << ',' << r.mean << '\n';
    });
  }

  std::vector<double> w;
  for (const Row& r : table) w.push_back(r.walkers);
  const ConcentrationConstant& constant = result.constant;
  const BoundCurve& bound = result.bound;

  if (!o.plot.empty()) {
    // The plotted values are the table's values (the JSON's mean_rel_frobenius_sq and stderr).
    std::vector<double> msq, se;
    for (const Row& r : table) {
      msq.push_back(r.meanSq);
      se.push_back(r.stderrSq);
    }
    const gui::PlotImage img = gui::rasterisePlot(gui::convergencePlot(
        w, msq, se, mask.formula() + ", " + std::to_string(n) + " nodes, " + std::to_string(o.trials) + " trials", &bound));
    gui::writePng(o.plot, img.rgba, img.width, img.height);
  }

  if (o.common.json) {
    nlohmann::json j;
    j["file"] = o.file;
    j["nodes"] = n;
    j["kernel"] = mask.name();
    j["sampling"] = samplingName(grf.front().sampling);
    j["ensemble"] = ensembleName(grf.front().ensemble);
    j["p_halt"] = grf.front().pHalt;
    j["max_len"] = grf.front().maxLength;
    j["trials"] = o.trials;
    j["rows_used"] = static_cast<std::int64_t>(rows.size());
    j["exact_method"] = dense ? "dense" : "propagation";
    j["exact_seconds"] = exactSeconds;
    std::vector<int> counts;
    std::vector<double> msq, se, m, nnz, sec;
    for (const Row& r : table) {
      counts.push_back(r.walkers);
      msq.push_back(r.meanSq);
      se.push_back(r.stderrSq);
      m.push_back(r.mean);
      nnz.push_back(r.nnzPerRow);
      sec.push_back(r.seconds);
    }
    j["walkers"] = counts;
    j["mean_rel_frobenius_sq"] = msq;
    j["stderr"] = se;
    j["mean_rel_frobenius"] = m;
    j["nnz_per_row"] = nnz;
    j["seconds"] = sec;
    j["loglog_slope"] = slope;
    // Upper bound on mean_rel_frobenius_sq from the concentration bound (null where there is none).
    nlohmann::json b = nlohmann::json::array();
    for (const double v : bound.allValues) b.push_back(std::isfinite(v) ? nlohmann::json(v) : nlohmann::json(nullptr));
    j["bound_mean_rel_frobenius_sq"] = b;
    j["concentration_c"] = constant.finite ? nlohmann::json(constant.c) : nlohmann::json(nullptr);
    printJson(j);
  } else {
    std::cout << o.file << ": " << n << " nodes, " << mask.formula() << ", " << samplingName(grf.front().sampling)
              << " walks, " << ensembleName(grf.front().ensemble) << " ensemble, p_halt " << grf.front().pHalt
              << ", " << o.trials << " trials, error over " << rows.size() << (dense ? " rows (all)" : " sampled rows")
              << "\n";
    std::cout << "  walkers  mean rel Frobenius^2   stderr       mean rel Frobenius\n";
    for (const Row& r : table)
      std::cout << "  " << std::setw(7) << r.walkers << "  " << std::setw(20) << std::setprecision(6) << r.meanSq
                << "  " << std::setw(11) << std::setprecision(3) << r.stderrSq << "  " << std::setw(18)
                << std::setprecision(6) << r.mean << "\n";
    std::cout << "  log-log slope " << std::setprecision(3) << slope << " (1/n law: -1)\n";
    if (!bound.note.empty()) std::cout << "  " << bound.note << "\n";
    for (std::size_t k = 0; k < bound.walkers.size(); ++k)
      std::cout << "  concentration bound at n = " << static_cast<long long>(bound.walkers[k]) << ": " << std::setprecision(4) << bound.value[k] << "\n";
  }
  return 0;
}

}  // namespace

void addConvergenceCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<ConvergenceOptions>();
  CLI::App* sub = root.add_subcommand(
      "convergence", "Mean squared relative Frobenius error of the GRF mask against the number of walkers");
  sub->add_option("FILE", o->file, "mesh, point cloud, image or graph")->required();
  addCommonOptions(*sub, o->common);
  // Here --walkers is a list: replace the common integer option.
  sub->remove_option(sub->get_option("--walkers"));
  sub->add_option("--walkers", o->walkers, "comma-separated walker counts")->capture_default_str();
  sub->add_option("--trials", o->trials, "independent samplings per walker count")->capture_default_str();
  sub->add_option("--csv", o->csv, "write the table (walkers, mean_rel_frobenius_sq, stderr, mean_rel_frobenius)");
  sub->add_option("--plot", o->plot, "write the log-log plot of the error against walkers (with the 1/n slope) as a PNG");
  sub->add_option("--rows", o->rows, "exact rows sampled when N exceeds --dense-cap")->capture_default_str();
  sub->add_option("--dense-cap", o->denseCap, "largest N evaluated densely (all rows)")->capture_default_str();
  sub->callback([&action, o] { action = [o] { return runConvergence(*o); }; });
}

}  // namespace topomask::cli
