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

struct Row {
  int walkers = 0;
  double meanSq = 0.0;
  double stderrSq = 0.0;
  double mean = 0.0;
  double nnzPerRow = 0.0;
  double seconds = 0.0;
};

int runConvergence(const ConvergenceOptions& o) {
  using Clock = std::chrono::steady_clock;
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
  AccuracyOptions acc;
  acc.denseCap = o.denseCap;
  acc.sampleRows = o.rows;
  acc.seed = o.common.seed;
  acc.threads = o.common.threads;

  const auto t0 = Clock::now();
  const bool dense = n <= o.denseCap;
  const std::vector<std::int64_t> rows = dense ? sampleNodes(n, n, 0) : sampleNodes(n, o.rows, o.common.seed);
  const Eigen::MatrixXd exact = exactMaskRows(g, mask, rows, acc);
  const double exactSeconds = std::chrono::duration<double>(Clock::now() - t0).count();

  std::vector<Row> table;
  for (std::size_t k = 0; k < walkerCounts.size(); ++k) {
    Row row;
    row.walkers = walkerCounts[k];
    std::vector<double> sq;
    const auto s0 = Clock::now();
    for (int t = 0; t < o.trials; ++t) {
      GrfOptions opt = grf[k];
      opt.seed = mix64(o.common.seed ^ mix64(static_cast<std::uint64_t>(t) + 1));
      const GrfFeatures phi = sampleFeatures(g, mask, opt);
      row.nnzPerRow += phi.query().meanNonZerosPerRow() / o.trials;
      const Eigen::MatrixXd estimate =
          dense ? estimateDense(phi.query(), phi.key(), o.denseCap) : estimateRows(phi, rows);
      const FrobeniusError e = frobeniusError(rows, exact, estimate, n);
      sq.push_back(e.relFrobeniusSq);
      row.mean += e.relFrobenius / o.trials;
    }
    row.seconds = std::chrono::duration<double>(Clock::now() - s0).count();
    for (const double v : sq) row.meanSq += v / o.trials;
    double ss = 0.0;
    for (const double v : sq) ss += (v - row.meanSq) * (v - row.meanSq);
    row.stderrSq = o.trials > 1 ? std::sqrt(ss / (o.trials - 1.0) / o.trials) : 0.0;
    table.push_back(row);
  }

  // Least-squares slope of log(mean squared error) against log(n): -1 for the 1/n law.
  double slope = 0.0;
  {
    double sx = 0, sy = 0, sxx = 0, sxy = 0, m = 0;
    for (const Row& r : table)
      if (r.meanSq > 0) {
        const double x = std::log(r.walkers), y = std::log(r.meanSq);
        sx += x, sy += y, sxx += x * x, sxy += x * y, m += 1;
      }
    if (m >= 2 && m * sxx - sx * sx > 0) slope = (m * sxy - sx * sy) / (m * sxx - sx * sx);
  }

  if (!o.csv.empty()) {
    writeFileAtomically(o.csv, [&](std::ostream& out) {
      out << "walkers,mean_rel_frobenius_sq,stderr,mean_rel_frobenius\n" << std::setprecision(10);
      for (const Row& r : table) out << r.walkers << ',' << r.meanSq << ',' << r.stderrSq << ',' << r.mean << '\n';
    });
  }

  // The concentration bound on the same quantity (gui::concentrationCurve: from the engine's tail
  // bound, E e_ij^2 <= int P_bound(sqrt u) du, times the entries used over ||M||_F^2 on those rows).
  std::vector<double> w;
  for (const Row& r : table) w.push_back(r.walkers);
  const ConcentrationConstant constant = concentrationConstant(g, mask, grf.front());
  const gui::BoundCurve bound = gui::concentrationCurve(constant, grf.front().ensemble, w,
                                                        static_cast<double>(rows.size()) * static_cast<double>(n),
                                                        exact.squaredNorm());

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
