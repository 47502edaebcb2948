// Small graphs with known answers and matrix assertions shared by the tests.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include <Eigen/Core>
#include <gtest/gtest.h>

#include "topomask/graph/build.h"
#include "topomask/graph/graph.h"

namespace topomask::testing {

// Graph on n nodes from undirected (i, j, w) edges, with the given normalisation and scale.
Graph graphFromEdges(std::int64_t n, const std::vector<WeightedEdge>& edges,
                     Normalisation norm = Normalisation::Symmetric, double sigma = 1.0);
Graph pathGraph(std::int64_t n, Normalisation norm = Normalisation::Symmetric, double sigma = 1.0);
Graph cycleGraph(std::int64_t n, Normalisation norm = Normalisation::Symmetric, double sigma = 1.0);
// width x height pixel grid, 4-connected, unit weights.
Graph gridGraph(int width, int height, Normalisation norm = Normalisation::Symmetric, double sigma = 1.0);
// A small irregular weighted graph with two components and an isolated node (9 nodes).
Graph irregularGraph(Normalisation norm = Normalisation::Symmetric, double sigma = 1.0);

// Directory of the source tree and of the built executables.
std::string sourceDir();
std::string binDir();
// A fresh empty temporary directory for one test (removed by the OS, not by the test).
std::string tempDir(const std::string& tag);

}  // namespace topomask::testing

// EXPECT that two matrices agree entry-wise to an absolute tolerance, reporting the worst entry.
#define EXPECT_MATRIX_NEAR(a, b, tol)                                                            \
  do {                                                                                           \
    const Eigen::MatrixXd ea_ = (a), eb_ = (b);                                                  \
    ASSERT_EQ(ea_.rows(), eb_.rows());                                                           \
    ASSERT_EQ(ea_.cols(), eb_.cols());                                                           \
    Eigen::Index r_ = 0, c_ = 0;                                                                 \
    const double worst_ = ea_.rows() ? (ea_ - eb_).cwiseAbs().maxCoeff(&r_, &c_) : 0.0;          \
    EXPECT_LE(worst_, (tol)) << "at (" << r_ << ", " << c_ << "): " << ea_(r_, c_) << " vs "     \
                             << eb_(r_, c_);                                                     \
  } while (false)
