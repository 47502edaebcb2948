#include "support/test_graphs.h"

#include <atomic>
#include <filesystem>

#include <unistd.h>

namespace topomask::testing {

Graph graphFromEdges(std::int64_t n, const std::vector<WeightedEdge>& edges, Normalisation norm, double sigma) {
  Scene scene;
  EdgeListGraph g;
  g.nodes = n;
  g.edges = edges;
  g.weighted = true;
  scene.data = g;
  GraphOptions options;
  options.normalisation = norm;
  options.sigma = sigma;
  return buildGraph(scene, options);
}

Graph pathGraph(std::int64_t n, Normalisation norm, double sigma) {
  std::vector<WeightedEdge> e;
  for (std::int64_t i = 0; i + 1 < n; ++i) e.push_back({i, i + 1, 1.0});
  return graphFromEdges(n, e, norm, sigma);
}

Graph cycleGraph(std::int64_t n, Normalisation norm, double sigma) {
  std::vector<WeightedEdge> e;
  for (std::int64_t i = 0; i < n; ++i) e.push_back({i, (i + 1) % n, 1.0});
  return graphFromEdges(n, e, norm, sigma);
}

Graph gridGraph(int width, int height, Normalisation norm, double sigma) {
  std::vector<WeightedEdge> e;
  for (int y = 0; y < height; ++y)
    for (int x = 0; x < width; ++x) {
      const std::int64_t i = static_cast<std::int64_t>(y) * width + x;
      if (x + 1 < width) e.push_back({i, i + 1, 1.0});
      if (y + 1 < height) e.push_back({i, i + width, 1.0});
    }
  return graphFromEdges(static_cast<std::int64_t>(width) * height, e, norm, sigma);
}

Graph irregularGraph(Normalisation norm, double sigma) {
  // Component {0..5}: a triangle 0-1-2 with a tail 2-3-4 and a chord 1-5, weighted.
  // Component {6, 7}: one edge. Node 8: isolated.
  const std::vector<WeightedEdge> e = {{0, 1, 1.0}, {1, 2, 2.0}, {0, 2, 0.5}, {2, 3, 1.5},
                                       {3, 4, 1.0}, {1, 5, 0.7}, {6, 7, 3.0}};
  return graphFromEdges(9, e, norm, sigma);
}

std::string sourceDir() { return TOPOMASK_SOURCE_DIR; }
std::string binDir() { return TOPOMASK_BIN_DIR; }

std::string tempDir(const std::string& tag) {
  static std::atomic<int> counter{0};
  const auto dir = std::filesystem::temp_directory_path() /
                   ("topomask-test-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir.string();
}

}  // namespace topomask::testing
