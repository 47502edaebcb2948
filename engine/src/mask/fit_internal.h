// Private to the mask module: the pieces of fit.cpp that the GRF-aware fit (fit_grf.cpp) shares.
#pragma once

#include <vector>

#include <Eigen/Core>

#include "topomask/graph/graph.h"
#include "topomask/mask/fit.h"

namespace topomask::fit_detail {

// Validates options and target against the graph as fitModulation does (usage or input Error).
void validateFit(const Graph& graph, const FitTarget& target, const FitOptions& options);
// Dense W when it is symmetric; empty otherwise.
Eigen::MatrixXd symmetricW(const Graph& graph);
// f with its first non-zero coefficient positive (f and -f give the same alpha).
std::vector<double> canonicalSign(const Eigen::VectorXd& f);

}  // namespace topomask::fit_detail
