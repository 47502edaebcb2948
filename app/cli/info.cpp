// topomask info FILE: what was loaded and the graph built on it.
#include <iomanip>
#include <iostream>

#include "cli/cli.h"
#include "topomask/graph/spectral.h"

namespace topomask::cli {

void addInfoCommand(CLI::App& root, Action& action) {
  auto options = std::make_shared<CommonOptions>();
  auto file = std::make_shared<std::string>();
  CLI::App* sub = root.add_subcommand("info", "Load a file, build its graph and print statistics");
  sub->add_option("FILE", *file, "mesh, point cloud, image or graph")->required();
  addCommonOptions(*sub, *options);
  sub->callback([&action, options, file] {
    action = [options, file] {
      const LoadedGraph loaded = loadGraph(*file, *options);
      const Graph& g = loaded.graph;
      const DegreeStats deg = degreeStats(g);
      const SpectralRadius rho = spectralRadius(g);
      const std::int64_t components = connectedComponents(g);
      nlohmann::json j;
      j["file"] = *file;
      j["kind"] = sceneKindName(loaded.scene.kind());
      j["nodes"] = g.nodeCount();
      j["edges"] = g.edgeCount();
      j["components"] = components;
      j["degree"] = {{"min", deg.min}, {"mean", deg.mean}, {"max", deg.max}};
      j["spectral_radius"] = rho.value;
      j["spectral_radius_bound"] = rho.upperBound;
      j["graph"] = {{"normalisation", normalisationName(g.normalisation)}, {"sigma", g.sigma}};
      j["warnings"] = loaded.scene.warnings;
      j["seconds"] = {{"load", loaded.loadSeconds}, {"graph", loaded.graphSeconds}};
      if (options->json) {
        printJson(j);
      } else {
        std::cout << *file << " (" << j["kind"].get<std::string>() << ")\n"
                  << "  nodes       " << g.nodeCount() << "\n"
                  << "  edges       " << g.edgeCount() << "\n"
                  << "  components  " << components << "\n"
                  << "  degree      min " << deg.min << ", mean " << std::setprecision(4) << deg.mean << ", max "
                  << deg.max << "\n"
                  << "  rho(W)      " << std::setprecision(6) << rho.value << "  (W = " << g.sigma << " * "
                  << normalisationName(g.normalisation) << "-normalised A)\n";
        for (const auto& w : loaded.scene.warnings) std::cout << "  warning: " << w << "\n";
      }
      return 0;
    };
  });
}

}  // namespace topomask::cli
