// Tokens for attention over the nodes of a graph (SPEC section 6): per-node features X, seeded
// Gaussian projections Q = X W_Q, K = X W_K, V = X W_V, and the feature maps phi of linear attention.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <Eigen/Core>

#include "topomask/core/enum_table.h"
#include "topomask/core/error.h"
#include "topomask/graph/graph.h"

namespace topomask {

enum class NodeFeature { Position, Color, Normal, Intensity };

struct TokenOptions {
  // Node features concatenated into X, in this order; empty = every feature the graph carries
  // (position, colour, normal, intensity). Position is normalised: centred on the bounding-box
  // centre and scaled to unit bounding-box diagonal. A constant 1 column is always appended (bias),
  // so no token is zero.
  std::vector<NodeFeature> features;
  // Per-node feature file (.npy 2-D float32/float64/int array, or .csv with one row of numbers per
  // node, '#' comments and one optional header line); when set it replaces `features`.
  std::string featureFile;
  int headDim = 16;        // d, the columns of Q, K and V
  std::uint64_t seed = 0;  // seed of the projections W_Q, W_K, W_V
};

// Q, K, V: N x d each.
struct Tokens {
  Eigen::MatrixXd queries;
  Eigen::MatrixXd keys;
  Eigen::MatrixXd values;
};

// The features X (N x F, last column = 1) of the graph's nodes. Throws usage Error when a requested
// feature is absent from the graph, and Error (Input) on a bad feature file. O(N F).
Eigen::MatrixXd nodeFeatures(const Graph& graph, const TokenOptions& options);

// Reads a per-node feature file (.npy or .csv) as an N x F matrix of finite values. Throws Error
// naming the file (and the line for .csv) when it cannot be read, holds non-finite values, or when
// expectedRows >= 0 and its row count differs ("feature file has 10 rows, the graph has 12 nodes").
Eigen::MatrixXd readFeatureFile(const std::string& path, std::int64_t expectedRows = -1);

// Q = X W_Q, K = X W_K, V = X W_V with W entries i.i.d. N(0, 1/F) drawn from Rng(seed, 0..2).
// O(N F d). Throws usage Error when headDim < 1.
Tokens makeTokens(const Eigen::MatrixXd& features, int headDim, std::uint64_t seed);
// nodeFeatures followed by the projections.
Tokens makeTokens(const Graph& graph, const TokenOptions& options);

// ---- Tokens given by the user (a model's own Q, K, V) --------------------------------------------

// Tokens from arrays: q (N x d), k (N x d), v (N x d_v). Checks, naming `where` (a file, or
// "tokens"), the array and the cause: no array empty; q, k and v the same number of rows N (one per
// node) and N == expectedRows when expectedRows >= 0; q and k the same d; d and d_v at most
// kMaxHeadDimension (core/budget.h); every value finite. Throws Error of `kind` (Input: a file the
// user gave, CLI exit 3; Usage: arguments of a call).
Tokens tokensFromArrays(Eigen::MatrixXd q, Eigen::MatrixXd k, Eigen::MatrixXd v, const std::string& where = "tokens",
                        std::int64_t expectedRows = -1, Error::Kind kind = Error::Kind::Input);

// What a token file holds.
struct TokenFileInfo {
  std::int64_t heads = 1;     // H (1 for N x d arrays)
  bool stacked = false;       // the arrays are H x N x d
  std::int64_t nodes = 0;     // N
  std::int64_t dim = 0;       // d of q and k
  std::int64_t valueDim = 0;  // d_v of v
};

// A token file: a NumPy .npz (numpy.savez or savez_compressed) with arrays q, k and v, each N x d
// (v: N x d_v), or each H x N x d for H heads; float32, float64 or integers. Reads the arrays' headers
// only and checks their shapes as readTokenFile does. Throws Error (Input) naming the file, the array
// and the cause.
TokenFileInfo inspectTokenFile(const std::string& path);

// Reads q, k, v of head `head` (0 for N x d arrays) from a token file and checks them as
// tokensFromArrays (Input errors naming the file). A head outside 0..H-1 is a usage Error. O(H N d).
Tokens readTokenFile(const std::string& path, int head = 0, std::int64_t expectedRows = -1, TokenFileInfo* info = nullptr);

// Feature maps phi of linear attention, kappa(q, k) = phi(q) . phi(k):
//   Relu:  phi(x) = max(x, 0) + 1e-6            (m = d)
//   Elu:   phi(x) = ELU(x) + 1                  (m = d)
//   Favor: Performer's positive random features for the softmax kernel exp(q.k / sqrt(d)):
//          phi(x) = exp(w_r . x' - |x'|^2 / 2) / sqrt(m), x' = x / d^(1/4), w_r ~ N(0, I_d),
//          r = 1..m, drawn from Rng(seed, 3, r). Each call divides its whole matrix by one constant
//          (the largest value, for overflow safety); one constant per matrix cancels in normalised
//          attention, so outputs and attention rows do not depend on it.
enum class FeatureMapKind { Relu, Elu, Favor };

struct FeatureMap {
  FeatureMapKind kind = FeatureMapKind::Relu;
  int features = 16;  // m for Favor (Relu and Elu have m = d)
  std::uint64_t seed = 0;
};

const EnumTable<FeatureMapKind>& featureMapTable();  // core/enum_table.h
const EnumTable<NodeFeature>& nodeFeatureTable();
const char* featureMapName(FeatureMapKind kind);       // "relu", "elu", "favor"
FeatureMapKind parseFeatureMapKind(const std::string& text);  // throws usage Error
NodeFeature parseNodeFeature(const std::string& text);        // "position", "color", "normal", "intensity"

// Number of features m that phi produces for head dimension d.
int featureCount(const FeatureMap& map, int headDim);

// phi applied to each row of x (N x d): N x m, entries >= 0 (positive unless FAVOR+ underflows).
// O(N m d). Multithreaded.
Eigen::MatrixXd applyFeatureMap(const FeatureMap& map, const Eigen::MatrixXd& x, int threads = 0);

}  // namespace topomask
