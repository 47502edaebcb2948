// Node features, seeded projections to Q, K, V, and the feature maps of linear attention.
#include "topomask/attention/tokens.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/core/npy.h"
#include "topomask/core/npz.h"
#include "topomask/core/parallel.h"
#include "topomask/core/rng.h"

namespace topomask {

namespace {

bool endsWith(const std::string& s, const std::string& suffix) {
  if (s.size() < suffix.size()) return false;
  return std::equal(suffix.rbegin(), suffix.rend(), s.rbegin(),
                    [](char a, char b) { return std::tolower(static_cast<unsigned char>(a)) == b; });
}

// Splits a CSV line on commas, semicolons, tabs or spaces.
std::vector<std::string> splitFields(const std::string& line) {
  std::vector<std::string> fields;
  std::string cur;
  bool any = false;
  for (char ch : line) {
    if (ch == ',' || ch == ';' || ch == '\t' || ch == ' ' || ch == '\r') {
      if (any || ch == ',' || ch == ';') fields.push_back(cur);
      cur.clear();
      any = false;
      if (ch == ' ' || ch == '\t' || ch == '\r') continue;
    } else {
      cur.push_back(ch);
      any = true;
    }
  }
  if (any) fields.push_back(cur);
  // Drop empty fields produced by separators followed by spaces.
  fields.erase(std::remove_if(fields.begin(), fields.end(), [](const std::string& f) { return f.empty(); }),
               fields.end());
  return fields;
}

bool parseDouble(const std::string& text, double& value) {
  try {
    std::size_t used = 0;
    value = std::stod(text, &used);
    return used == text.size();
  } catch (...) {
    return false;
  }
}

Eigen::MatrixXd readCsv(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw Error("cannot open the feature file", path);
  std::vector<std::vector<double>> rows;
  std::string line;
  std::int64_t lineNo = 0;
  bool headerAllowed = true;
  while (std::getline(in, line)) {
    ++lineNo;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    const auto fields = splitFields(line);
    std::vector<double> row;
    row.reserve(fields.size());
    bool numeric = true;
    for (const auto& f : fields) {
      double v = 0;
      if (!parseDouble(f, v)) {
        numeric = false;
        break;
      }
      if (!std::isfinite(v))
        throw Error("line " + std::to_string(lineNo) + ": non-finite value '" + f + "'", path);
      row.push_back(v);
    }
    if (!numeric) {
      if (headerAllowed && rows.empty()) {
        headerAllowed = false;  // one header line of column names
        continue;
      }
      throw Error("line " + std::to_string(lineNo) + ": expected numbers separated by commas", path);
    }
    headerAllowed = false;
    if (!rows.empty() && row.size() != rows.front().size())
      throw Error("line " + std::to_string(lineNo) + ": " + std::to_string(row.size()) + " values, expected " +
                      std::to_string(rows.front().size()) + " like the first row",
                  path);
    rows.push_back(std::move(row));
  }
  if (rows.empty() || rows.front().empty()) throw Error("the feature file holds no rows of numbers", path);
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), static_cast<Eigen::Index>(rows.front().size()));
  for (std::size_t i = 0; i < rows.size(); ++i)
    for (std::size_t c = 0; c < rows[i].size(); ++c) x(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(c)) = rows[i][c];
  return x;
}

void appendColumns(Eigen::MatrixXd& x, const Eigen::MatrixXd& block) {
  const Eigen::Index old = x.cols();
  x.conservativeResize(block.rows(), old + block.cols());
  x.rightCols(block.cols()) = block;
}

// Centred on the bounding-box centre, scaled to unit bounding-box diagonal (unchanged scale when the
// box is a single point).
Eigen::MatrixXd normalisedPositions(const Eigen::MatrixX3d& p) {
  const Eigen::RowVector3d lo = p.colwise().minCoeff();
  const Eigen::RowVector3d hi = p.colwise().maxCoeff();
  const Eigen::RowVector3d centre = 0.5 * (lo + hi);
  const double diagonal = (hi - lo).norm();
  Eigen::MatrixXd out = p.rowwise() - centre;
  if (diagonal > 0) out /= diagonal;
  return out;
}

}  // namespace

namespace {
constexpr EnumEntry<FeatureMapKind> kFeatureMaps[] = {
    {FeatureMapKind::Relu, "relu", "ReLU + 1e-6"},
    {FeatureMapKind::Elu, "elu", "ELU + 1"},
    {FeatureMapKind::Favor, "favor", "FAVOR+ (softmax)"},
    {FeatureMapKind::Favor, "favor+", "FAVOR+ (softmax)", false},
};
constexpr EnumEntry<NodeFeature> kNodeFeatures[] = {
    {NodeFeature::Position, "position", "position"},
    {NodeFeature::Color, "color", "colour"},
    {NodeFeature::Color, "colour", "colour", false},
    {NodeFeature::Normal, "normal", "normal"},
    {NodeFeature::Intensity, "intensity", "intensity"},
};
}  // namespace

const EnumTable<FeatureMapKind>& featureMapTable() {
  static const EnumTable<FeatureMapKind> table{"feature map", kFeatureMaps};
  return table;
}
const EnumTable<NodeFeature>& nodeFeatureTable() {
  static const EnumTable<NodeFeature> table{"node feature", kNodeFeatures};
  return table;
}
const char* featureMapName(FeatureMapKind kind) { return featureMapTable().name(kind); }
FeatureMapKind parseFeatureMapKind(const std::string& text) { return featureMapTable().parse(text); }
NodeFeature parseNodeFeature(const std::string& text) { return nodeFeatureTable().parse(text); }

Eigen::MatrixXd readFeatureFile(const std::string& path, std::int64_t expectedRows) {
  Eigen::MatrixXd x;
  if (endsWith(path, ".npy")) {
    x = readNpy(path);
  } else if (endsWith(path, ".csv") || endsWith(path, ".txt")) {
    x = readCsv(path);
  } else {
    throw Error("unknown feature file format (expected .npy or .csv)", path);
  }
  if (x.rows() == 0 || x.cols() == 0) throw Error("the feature file is empty", path);
  for (Eigen::Index i = 0; i < x.rows(); ++i)
    for (Eigen::Index c = 0; c < x.cols(); ++c)
      if (!std::isfinite(x(i, c)))
        throw Error("row " + std::to_string(i) + ", column " + std::to_string(c) + " is not finite", path);
  if (expectedRows >= 0 && x.rows() != expectedRows)
    throw Error("the feature file has " + std::to_string(x.rows()) + " rows, the graph has " +
                    std::to_string(expectedRows) + " nodes (one row per node is needed)",
                path);
  return x;
}

Eigen::MatrixXd nodeFeatures(const Graph& graph, const TokenOptions& options) {
  const std::int64_t n = graph.nodeCount();
  Eigen::MatrixXd x(n, 0);
  if (!options.featureFile.empty()) {
    x = readFeatureFile(options.featureFile, n);
  } else {
    auto has = [&](NodeFeature f) {
      switch (f) {
        case NodeFeature::Position: return graph.positions.rows() == n;
        case NodeFeature::Color: return graph.colors.rows() == n;
        case NodeFeature::Normal: return graph.normals.rows() == n;
        case NodeFeature::Intensity: return graph.intensity.size() == n;
      }
      return false;
    };
    std::vector<NodeFeature> wanted = options.features;
    const bool automatic = wanted.empty();
    if (automatic)
      wanted = {NodeFeature::Position, NodeFeature::Color, NodeFeature::Normal, NodeFeature::Intensity};
    for (NodeFeature f : wanted) {
      if (!has(f)) {
        if (automatic) continue;
        static const char* names[] = {"position", "color", "normal", "intensity"};
        throw usageError(std::string("the graph has no per-node ") + names[static_cast<int>(f)] +
                         " to build tokens from");
      }
      switch (f) {
        case NodeFeature::Position: appendColumns(x, normalisedPositions(graph.positions)); break;
        case NodeFeature::Color: appendColumns(x, graph.colors); break;
        case NodeFeature::Normal: appendColumns(x, graph.normals); break;
        case NodeFeature::Intensity: appendColumns(x, graph.intensity); break;
      }
    }
  }
  appendColumns(x, Eigen::MatrixXd::Ones(n, 1));
  return x;
}

namespace {
void checkHeadDim(int headDim) {
  if (headDim < 1 || headDim > kMaxHeadDimension)
    throw usageError("the head dimension d must be between 1 and " + std::to_string(kMaxHeadDimension) + " (got " +
                     std::to_string(headDim) + ")");
}
}  // namespace

Tokens makeTokens(const Eigen::MatrixXd& features, int headDim, std::uint64_t seed) {
  checkHeadDim(headDim);
  const Eigen::Index f = features.cols();
  const double scale = f > 0 ? 1.0 / std::sqrt(static_cast<double>(f)) : 1.0;
  auto projection = [&](std::uint64_t stream) {
    Rng rng(seed, stream);
    Eigen::MatrixXd w(f, headDim);
    for (Eigen::Index r = 0; r < f; ++r)
      for (int c = 0; c < headDim; ++c) w(r, c) = scale * rng.normal();
    return w;
  };
  Tokens t;
  t.queries = features * projection(0);
  t.keys = features * projection(1);
  t.values = features * projection(2);
  return t;
}

Tokens makeTokens(const Graph& graph, const TokenOptions& options) {
  checkHeadDim(options.headDim);
  return makeTokens(nodeFeatures(graph, options), options.headDim, options.seed);
}

namespace {

const char* const kTokenArrays[3] = {"q", "k", "v"};

std::string shapeOf(const std::vector<std::int64_t>& shape) {
  NpyArray a;
  a.shape = shape;
  return a.shapeText();
}

// Checks the shapes of q, k, v as a token file holds them.
TokenFileInfo checkTokenShapes(const std::map<std::string, NpyArray>& arrays, const std::string& path) {
  for (const char* name : kTokenArrays)
    if (arrays.count(name) == 0) {
      std::string held;
      for (const auto& [key, value] : arrays) held += (held.empty() ? "" : ", ") + key;
      throw Error(std::string("no array '") + name + "' (a token file holds q, k and v, each N x d or H x N x d" +
                      (held.empty() ? std::string(")") : "; this one holds " + held + ")"),
                  path);
    }
  const NpyArray& q = arrays.at("q");
  for (const char* name : kTokenArrays) {
    const NpyArray& a = arrays.at(name);
    if (a.shape.size() != 2 && a.shape.size() != 3)
      throw Error(std::string("array '") + name + "' has shape " + a.shapeText() +
                      ": expected N x d, or H x N x d for H heads",
                  path);
    if (a.shape.size() != q.shape.size())
      throw Error(std::string("array '") + name + "' has shape " + a.shapeText() + ", array 'q' " + q.shapeText() +
                      ": q, k and v are all N x d or all H x N x d",
                  path);
    for (std::int64_t dim : a.shape)
      if (dim == 0) throw Error(std::string("array '") + name + "' is empty (shape " + a.shapeText() + ")", path);
  }
  TokenFileInfo info;
  info.stacked = q.shape.size() == 3;
  const std::size_t o = info.stacked ? 1 : 0;
  info.heads = info.stacked ? q.shape[0] : 1;
  info.nodes = q.shape[o];
  info.dim = q.shape[o + 1];
  const NpyArray& k = arrays.at("k");
  const NpyArray& v = arrays.at("v");
  info.valueDim = v.shape[o + 1];
  for (const char* name : {"k", "v"}) {
    const NpyArray& a = arrays.at(name);
    if (info.stacked && a.shape[0] != info.heads)
      throw Error(std::string("array '") + name + "' has " + std::to_string(a.shape[0]) + " heads (shape " + a.shapeText() +
                      "), array 'q' " + std::to_string(info.heads) + " (shape " + q.shapeText() + ")",
                  path);
    if (a.shape[o] != info.nodes)
      throw Error(std::string("array '") + name + "' has " + std::to_string(a.shape[o]) + " rows (shape " + a.shapeText() +
                      "), array 'q' " + std::to_string(info.nodes) + " (shape " + q.shapeText() +
                      "): q, k and v need one row per node",
                  path);
  }
  if (k.shape[o + 1] != info.dim)
    throw Error("array 'k' has d = " + std::to_string(k.shape[o + 1]) + " columns (shape " + k.shapeText() + "), array 'q' d = " +
                    std::to_string(info.dim) + " (shape " + q.shapeText() + "): q and k need the same head dimension",
                path);
  for (const char* name : kTokenArrays) {
    const std::int64_t d = arrays.at(name).shape[o + 1];
    if (d > kMaxHeadDimension)
      throw Error(std::string("array '") + name + "' has " + std::to_string(d) + " columns, more than the limit of " +
                      std::to_string(kMaxHeadDimension) + " for the head dimension",
                  path);
  }
  return info;
}

Eigen::MatrixXd headOf(const NpyArray& a, const TokenFileInfo& info, std::int64_t head) {
  const std::int64_t rows = info.nodes;
  const std::int64_t cols = a.shape.back();
  Eigen::MatrixXd m(rows, cols);
  const double* base = a.values.data() + static_cast<std::size_t>(head * rows * cols);
  for (std::int64_t r = 0; r < rows; ++r)
    for (std::int64_t c = 0; c < cols; ++c) m(r, c) = base[r * cols + c];
  return m;
}

}  // namespace

Tokens tokensFromArrays(Eigen::MatrixXd q, Eigen::MatrixXd k, Eigen::MatrixXd v, const std::string& where,
                        std::int64_t expectedRows, Error::Kind kind) {
  const Eigen::MatrixXd* arrays[3] = {&q, &k, &v};
  for (int a = 0; a < 3; ++a) {
    const Eigen::MatrixXd& m = *arrays[a];
    std::string name = "array '";
    name += kTokenArrays[a];
    name += '\'';
    const std::string shape = shapeOf({static_cast<std::int64_t>(m.rows()), static_cast<std::int64_t>(m.cols())});
    if (m.rows() == 0 || m.cols() == 0) throw Error(name + " is empty (shape " + shape + ")", where, kind);
    if (m.cols() > kMaxHeadDimension)
      throw Error(name + " has " + std::to_string(m.cols()) + " columns, more than the limit of " +
                      std::to_string(kMaxHeadDimension) + " for the head dimension",
                  where, kind);
    if (m.rows() != q.rows())
      throw Error(name + " has " + std::to_string(m.rows()) + " rows, array 'q' " + std::to_string(q.rows()) +
                      ": q, k and v need one row per node",
                  where, kind);
  }
  if (k.cols() != q.cols())
    throw Error("array 'k' has d = " + std::to_string(k.cols()) + " columns, array 'q' d = " + std::to_string(q.cols()) +
                    ": q and k need the same head dimension",
                where, kind);
  if (expectedRows >= 0 && q.rows() != expectedRows)
    throw Error("q, k and v have " + std::to_string(q.rows()) + " rows, the graph has " + std::to_string(expectedRows) +
                    " nodes (one row per node is needed)",
                where, kind);
  for (int a = 0; a < 3; ++a) {
    const Eigen::MatrixXd& m = *arrays[a];
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      for (Eigen::Index r = 0; r < m.rows(); ++r)
        if (!std::isfinite(m(r, c)))
          throw Error(std::string("array '") + kTokenArrays[a] + "' holds a non-finite value (" + std::to_string(m(r, c)) +
                          ") at row " + std::to_string(r) + ", column " + std::to_string(c),
                      where, kind);
  }
  Tokens t;
  t.queries = std::move(q);
  t.keys = std::move(k);
  t.values = std::move(v);
  return t;
}

TokenFileInfo inspectTokenFile(const std::string& path) {
  return checkTokenShapes(readNpz(path, {"q", "k", "v"}, true), path);
}

Tokens readTokenFile(const std::string& path, int head, std::int64_t expectedRows, TokenFileInfo* infoOut) {
  // The headers first: a bad shape or head is refused before any data are read.
  const TokenFileInfo info = inspectTokenFile(path);
  if (head < 0 || head >= info.heads)
    throw usageError("head " + std::to_string(head) + " is out of range: " + path + " holds " +
                     (info.stacked ? std::to_string(info.heads) + " heads (0.." + std::to_string(info.heads - 1) + ")"
                                   : std::string("one head (N x d arrays)")));
  if (expectedRows >= 0 && info.nodes != expectedRows)
    throw Error("the arrays have " + std::to_string(info.nodes) + " rows (array 'q' has shape " +
                    shapeOf(info.stacked ? std::vector<std::int64_t>{info.heads, info.nodes, info.dim}
                                         : std::vector<std::int64_t>{info.nodes, info.dim}) +
                    "), the graph has " + std::to_string(expectedRows) + " nodes (one row per node is needed)",
                path);
  const auto arrays = readNpz(path, {"q", "k", "v"});
  const TokenFileInfo again = checkTokenShapes(arrays, path);  // the same file, unless it changed meanwhile
  if (infoOut) *infoOut = again;
  if (head >= again.heads) throw Error("the file changed while it was read", path);
  return tokensFromArrays(headOf(arrays.at("q"), again, head), headOf(arrays.at("k"), again, head),
                          headOf(arrays.at("v"), again, head), path, expectedRows, Error::Kind::Input);
}

int featureCount(const FeatureMap& map, int headDim) {
  return map.kind == FeatureMapKind::Favor ? map.features : headDim;
}

Eigen::MatrixXd applyFeatureMap(const FeatureMap& map, const Eigen::MatrixXd& x, int threads) {
  const Eigen::Index n = x.rows();
  const Eigen::Index d = x.cols();
  if (map.kind == FeatureMapKind::Relu) return (x.array().max(0.0) + 1e-6).matrix();
  if (map.kind == FeatureMapKind::Elu) {
    Eigen::MatrixXd out(n, d);
    parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
      for (std::int64_t i = lo; i < hi; ++i)
        for (Eigen::Index c = 0; c < d; ++c) {
          const double v = x(i, c);
          out(i, c) = v > 0 ? v + 1.0 : std::exp(v);  // ELU(v) + 1 = exp(v) for v <= 0
        }
    }, threads, 4096);
    return out;
  }
  if (map.features < 1 || map.features > kMaxFeatureMapSize)
    throw usageError("FAVOR+ needs between 1 and " + std::to_string(kMaxFeatureMapSize) + " random features m (got " +
                     std::to_string(map.features) + ")");
  const int m = map.features;
  Eigen::MatrixXd omega(d, m);  // columns w_r
  for (int r = 0; r < m; ++r) {
    Rng rng(map.seed, 3, static_cast<std::uint64_t>(r));
    for (Eigen::Index c = 0; c < d; ++c) omega(c, r) = rng.normal();
  }
  const double inv4 = 1.0 / std::pow(static_cast<double>(std::max<Eigen::Index>(d, 1)), 0.25);
  Eigen::MatrixXd logits = (x * inv4) * omega;  // N x m
  const Eigen::VectorXd halfNorm = 0.5 * (x * inv4).rowwise().squaredNorm();
  logits.colwise() -= halfNorm;
  const double shift = n > 0 ? logits.maxCoeff() : 0.0;
  const double norm = 1.0 / std::sqrt(static_cast<double>(m));
  parallelFor(0, n, [&](std::int64_t lo, std::int64_t hi) {
    for (std::int64_t i = lo; i < hi; ++i)
      for (int r = 0; r < m; ++r) logits(i, r) = norm * std::exp(logits(i, r) - shift);
  }, threads, 4096);
  return logits;
}

}  // namespace topomask
