// Graph statistics: degrees, connected components and the spectral radius of W.
#pragma once

#include <cstdint>

#include "topomask/graph/graph.h"

namespace topomask {

struct DegreeStats {
  std::int64_t min = 0;
  double mean = 0.0;
  std::int64_t max = 0;
};

// Unweighted degrees (neighbour counts). O(N).
DegreeStats degreeStats(const Graph& graph);

// Number of connected components (isolated nodes count as one each). O(N + |E|).
std::int64_t connectedComponents(const Graph& graph);
// Component label of every node (0-based, in order of first node).
std::vector<std::int32_t> componentLabels(const Graph& graph);

struct SpectralRadius {
  double value = 0.0;        // estimate of rho(W) = max |lambda|
  double upperBound = 0.0;   // a guaranteed bound: min(max row sum |W|, max column sum |W|)
  int iterations = 0;
};

// rho(W) by Lanczos on the symmetric form of W (W itself, or D^1/2 W_rw D^-1/2), which has the
// same spectrum. Deterministic (fixed start vector). O(iterations |E|).
SpectralRadius spectralRadius(const Graph& graph, int maxIterations = 60, double tolerance = 1e-10);

}  // namespace topomask
