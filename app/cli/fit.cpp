// topomask fit FILE --target T --terms K: learns the modulation f_0..f_{K-1} so that the mask
// M(f) = sum_k (f * f)_k W^k approximates a target (engine: topomask/mask/fit.h).
//
// Targets: a kernel (heat, reglap1, reglap2, pstep, cosine with --target-beta / --target-p, which
// default to --beta / --p; custom with --alpha or --f), file:T.npy (a dense N x N array), or distance
// (exp(-d(i,j) / tau); d is the shortest-path length over Euclidean edge lengths on meshes and point
// clouds, the hop distance otherwise, or as --distance says).
//
// --for-grf then fits f again for the estimator: the expected squared error of the independent-
// ensemble GRF estimate at --walkers and --p-halt (bias^2 + variance, closed form in fit.h), from the
// mask fit's f; the JSON gains "grf_fit", and --out-f writes that f.
//
// --out-f F.txt writes f as one comma-separated line, which `--kernel custom --f` reads either as
// text (--f "$(cat F.txt)") or as the file itself (--f F.txt).
#include <cmath>
#include <iomanip>
#include <iostream>
#include <limits>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "topomask/core/error.h"
#include "topomask/core/npy.h"
#include "topomask/core/output_file.h"
#include "topomask/mask/fit.h"

namespace topomask::cli {
namespace {

struct FitCommandOptions {
  CommonOptions common;
  std::string file;
  FitTargetOptions t;
  std::string method = "auto";
  std::int64_t exactCap = 4096;
  std::int64_t rows = 256;
  int restarts = 6;
  int maxIterations = 300;
  std::string outF;
  bool forGrf = false;
};

const char* kTargetNames = "heat, reglap1, reglap2, pstep, cosine, custom, file:T.npy or distance";

}  // namespace

FitTarget parseFitTarget(const FitTargetOptions& o, const CommonOptions& common) {
  FitTarget t;
  const std::string& name = o.target;
  if (name.rfind("file:", 0) == 0) {
    t.kind = FitTargetKind::Dense;
    t.source = name.substr(5);
    if (t.source.empty()) throw usageError("--target file:PATH needs a path to an N x N .npy array");
    return t;
  }
  if (name == "distance") {
    t.kind = FitTargetKind::Distance;
    if (!(o.tau > 0.0) || !std::isfinite(o.tau)) throw usageError("--tau must be a finite positive number");
    t.tau = o.tau;
    if (o.distance != "auto" && o.distance != "hops" && o.distance != "length")
      throw usageError("--distance must be auto, hops or length (got '" + o.distance + "')");
    return t;
  }
  if (name == "custom") {
    CommonOptions c = common;
    c.kernel = "custom";
    t.kernel = toMaskSpec(c);
    return t;
  }
  if (name == "heat" || name == "diffusion" || name == "reglap1" || name == "reglap2" || name == "pstep" ||
      name == "cosine") {
    t.kernel.preset = parseMaskPreset(name);
    t.kernel.beta = o.targetBetaOption && o.targetBetaOption->count() ? o.targetBeta : common.beta;
    t.kernel.p = o.targetPOption && o.targetPOption->count() ? o.targetP : common.p;
    if (!std::isfinite(t.kernel.beta)) throw usageError("--target-beta must be finite");
    (void)MaskFunction(t.kernel);  // p range
    return t;
  }
  throw usageError("unknown --target '" + name + "' (expected " + kTargetNames + ")");
}

void completeFitTarget(FitTarget& target, const FitTargetOptions& o, const Graph& g, const Scene& scene,
                       const std::string& file) {
  if (target.kind == FitTargetKind::Dense) {
    target.dense = readNpy(target.source);
    if (target.dense.rows() != g.nodeCount() || target.dense.cols() != g.nodeCount())
      throw usageError("--target " + o.target + ": the array is " + std::to_string(target.dense.rows()) + " x " +
                       std::to_string(target.dense.cols()) + " (a 1-D array reads as N x 1) but the graph of " + file +
                       " has " + std::to_string(g.nodeCount()) + " nodes (expected " + std::to_string(g.nodeCount()) +
                       " x " + std::to_string(g.nodeCount()) + ")");
  }
  if (target.kind == FitTargetKind::Distance) {
    const SceneKind kind = scene.kind();
    const bool geometric = kind == SceneKind::Mesh || kind == SceneKind::Points;
    if (o.distance == "length" && g.positions.rows() != g.nodeCount())
      throw usageError("--distance length: the graph of " + file + " has no node positions");
    target.metric = o.distance == "length" || (o.distance == "auto" && geometric) ? DistanceMetric::Length
                                                                                  : DistanceMetric::Hops;
  }
}

void checkFitTerms(int terms) {
  if (terms < 1 || terms > kMaxFitTerms)
    throw usageError("--terms must be between 1 and " + std::to_string(kMaxFitTerms) + " (got " + std::to_string(terms) + ")");
}

void addFitTargetOptions(CLI::App& sub, FitTargetOptions& o, bool required) {
  CLI::Option* target = sub.add_option("--target", o.target,
                                       std::string("target: ") + kTargetNames + (required ? "" : " (default: the mask of --kernel)"));
  if (required) target->required();
  sub.add_option("--terms", o.terms, "K: coefficients f_0..f_{K-1} (alpha has 2K - 1)")->capture_default_str();
  o.targetBetaOption = sub.add_option("--target-beta", o.targetBeta, "beta of a kernel target (default: --beta)");
  o.targetPOption = sub.add_option("--target-p", o.targetP, "p of a pstep target (default: --p)");
  sub.add_option("--tau", o.tau, "length scale of the distance target exp(-d / tau)")->capture_default_str();
  sub.add_option("--distance", o.distance,
                 "distance target: auto (path length on meshes and point clouds, hops otherwise), hops, length")
      ->capture_default_str();
}

namespace {

std::string coefficientLine(const std::vector<double>& f) {
  std::ostringstream s;
  s << std::setprecision(17);
  for (std::size_t k = 0; k < f.size(); ++k) s << (k ? "," : "") << f[k];
  s << "\n";
  return s.str();
}

nlohmann::json targetJson(const FitTarget& t) {
  nlohmann::json j;
  j["description"] = describeTarget(t);
  switch (t.kind) {
    case FitTargetKind::Kernel: {
      const MaskFunction fn(t.kernel);
      j["kind"] = "kernel";
      j["name"] = fn.name();
      j["formula"] = fn.formula();
      j["beta"] = t.kernel.beta;
      if (t.kernel.preset == MaskPreset::PStep) j["p"] = t.kernel.p;
      break;
    }
    case FitTargetKind::Dense:
      j["kind"] = "file";
      j["name"] = "file";
      j["file"] = t.source;
      break;
    case FitTargetKind::Distance:
      j["kind"] = "distance";
      j["name"] = "distance";
      j["tau"] = t.tau;
      j["distance"] = distanceMetricName(t.metric);
      break;
  }
  return j;
}

int runFit(const FitCommandOptions& o) {
  FitOptions fit;
  checkFitTerms(o.t.terms);
  fit.terms = o.t.terms;
  fit.method = parseFitMethod(o.method);
  checkDenseCapOption(o.exactCap, "--exact-cap");
  fit.exactCap = o.exactCap;
  if (o.rows < 1 || o.rows > 1000000) throw usageError("--rows must be between 1 and 1000000");
  fit.sampleRows = o.rows;
  if (o.restarts < 0 || o.restarts > 1000) throw usageError("--restarts must be between 0 and 1000");
  fit.restarts = o.restarts;
  if (o.maxIterations < 1 || o.maxIterations > 100000) throw usageError("--max-iter must be between 1 and 100000");
  fit.maxIterations = o.maxIterations;
  fit.seed = o.common.seed;
  fit.threads = o.common.threads;
  FitTarget target = parseFitTarget(o.t, o.common);
  refuseOutputOverInput(o.outF, {o.file, target.source}, "--out-f");

  const LoadedGraph loaded = loadGraph(o.file, o.common);
  const Graph& g = loaded.graph;
  completeFitTarget(target, o.t, g, loaded.scene, o.file);

  const FitResult r = fitModulation(g, target, fit);
  GrfFitResult grfFit;
  GrfFitOptions grfOptions;
  grfOptions.walkers = o.common.walkers;
  grfOptions.pHalt = o.common.pHalt;
  if (o.forGrf) grfFit = fitModulationForGrf(g, target, r.f, grfOptions, fit);
  const std::vector<double>& written = o.forGrf ? grfFit.f : r.f;

  nlohmann::json j;
  j["file"] = o.file;
  j["nodes"] = g.nodeCount();
  j["edges"] = g.edgeCount();
  j["graph"] = {{"normalisation", normalisationName(g.normalisation)}, {"sigma", g.sigma}};
  j["target"] = targetJson(target);
  j["terms"] = o.t.terms;
  j["method"] = r.method;
  j["method_detail"] = r.methodDetail;
  j["rows_used"] = r.rowsUsed;
  j["f"] = r.f;
  j["alpha"] = r.alpha;
  j["loss"] = r.loss;
  j["iterations"] = r.iterations;
  j["rel_error"] = r.relError;
  j["rel_frobenius"] = r.relError;  // the SPEC's name for the same number
  j["rel_frobenius_sq"] = r.relError * r.relError;
  if (std::isfinite(r.truncatedRelError)) {
    j["truncated_rel_error"] = r.truncatedRelError;
    j["improvement"] = r.relError > 0.0 ? nlohmann::json(r.truncatedRelError / r.relError) : nlohmann::json(nullptr);
  } else {
    j["truncated_rel_error"] = nullptr;
  }
  j["best_start"] = r.bestStart;
  nlohmann::json starts = nlohmann::json::array();
  for (const FitStart& s : r.starts)
    starts.push_back({{"name", s.name},
                      {"initial_rel_error", s.initialRelError},
                      {"final_rel_error", s.finalRelError},
                      {"iterations", s.iterations}});
  j["starts"] = starts;
  j["seed"] = o.common.seed;
  j["seconds"] = r.seconds;
  if (o.forGrf)
    j["grf_fit"] = {{"ensemble", "independent"},
                    {"sampling", "iid"},
                    {"walkers", grfOptions.walkers},
                    {"p_halt", grfOptions.pHalt},
                    {"f", grfFit.f},
                    {"alpha", grfFit.alpha},
                    {"loss", grfFit.loss},
                    {"iterations", grfFit.iterations},
                    {"expected_rel_error", grfFit.expectedRelError},
                    {"mask_rel_error", grfFit.maskRelError},
                    {"mask_fit_expected_rel_error", grfFit.startExpectedRelError},
                    {"seconds", grfFit.seconds}};
  j["files"] = nlohmann::json::array();
  if (!o.outF.empty()) {
    writeFileAtomically(o.outF, coefficientLine(written));
    j["files"].push_back(o.outF);
  }

  if (o.common.json) {
    printJson(j);
    return 0;
  }
  std::cout << std::setprecision(6) << "fit of f (K = " << o.t.terms << ") on " << o.file << " (" << g.nodeCount()
            << " nodes, " << g.edgeCount() << " edges)\n"
            << "  target      " << describeTarget(target) << "\n"
            << "  method      " << r.methodDetail << "\n"
            << "  rel error   " << r.relError << " (relative Frobenius, after " << r.iterations << " iterations from "
            << r.bestStart << ")\n";
  if (std::isfinite(r.truncatedRelError))
    std::cout << "  truncated   " << r.truncatedRelError << " (closed-form f cut to " << o.t.terms << " terms)\n";
  std::cout << "  f           " << std::setprecision(10);
  for (std::size_t k = 0; k < r.f.size(); ++k) std::cout << (k ? ", " : "") << r.f[k];
  std::cout << std::setprecision(6) << "\n  seconds     " << r.seconds << "\n";
  if (o.forGrf) {
    std::cout << "for the GRF estimate (independent ensembles, " << grfOptions.walkers << " walkers, p_halt " << grfOptions.pHalt
              << "): expected error sqrt(E||M_hat - T||^2) / ||T||\n"
              << "  mask fit's f   " << grfFit.startExpectedRelError << "\n"
              << "  GRF-aware f    " << grfFit.expectedRelError << " (its mask alone: " << grfFit.maskRelError << ", "
              << grfFit.iterations << " iterations)\n"
              << "  f              " << std::setprecision(10);
    for (std::size_t k = 0; k < grfFit.f.size(); ++k) std::cout << (k ? ", " : "") << grfFit.f[k];
    std::cout << std::setprecision(6) << "\n";
  }
  if (!o.outF.empty()) std::cout << "  wrote       " << o.outF << "\n";
  for (const auto& w : loaded.scene.warnings) std::cout << "  warning: " << w << "\n";
  return 0;
}

}  // namespace

void addFitCommand(CLI::App& root, Action& action) {
  auto o = std::make_shared<FitCommandOptions>();
  CLI::App* sub = root.add_subcommand("fit", "Learn the modulation f (alpha = f * f) so that the mask approximates a target");
  sub->add_option("FILE", o->file, "mesh, point cloud, image or graph")->required();
  addFitTargetOptions(*sub, o->t, true);
  sub->add_option("--method", o->method, "auto (exact when N <= --exact-cap), exact (eigendecomposition), sampled (rows)")
      ->capture_default_str();
  sub->add_option("--exact-cap", o->exactCap, "largest N of the exact method")->capture_default_str();
  sub->add_option("--rows", o->rows, "rows sampled (with --seed) by the sampled method")->capture_default_str();
  sub->add_option("--restarts", o->restarts, "seeded perturbed restarts after the deterministic starts")->capture_default_str();
  sub->add_option("--max-iter", o->maxIterations, "Levenberg-Marquardt iterations per start")->capture_default_str();
  sub->add_option("--out-f", o->outF, "write f as one comma-separated line (read by --kernel custom --f)");
  sub->add_flag("--for-grf", o->forGrf,
                "then fit f for the GRF estimate at --walkers and --p-halt (expected squared error, independent ensembles; "
                "dense, N <= --exact-cap); --out-f writes that f");
  addCommonOptions(*sub, o->common);
  sub->callback([&action, o] { action = [o] { return runFit(*o); }; });
}

}  // namespace topomask::cli
