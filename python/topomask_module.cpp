// The Python module `topomask`: graph random features, exact mask rows and attention from Python,
// bit for bit what the command line computes with the same options (SPEC section 8).
//
//   grf_features(path, **options) -> scipy.sparse.csr_matrix   (export --what grf)
//   grf_keys(path, **options)     -> scipy.sparse.csr_matrix   (export --what grf_keys)
//   exact_rows(path, rows, **options) -> numpy.ndarray          (export --what mask --query ...)
//   attention(path, method, q=None, k=None, v=None, **options) -> numpy.ndarray
//                                                               (export --what attention --method M;
//                     q, k, v or tokens='F.npz' as --tokens, head=H as --head)
//
// `path` (positional only, so that the option graph='knn' keeps its command-line name) is a file path (any format the command line reads, or "demo"), an edge list (E x 2 integer
// array, or E x 3 with weights in the last column), a pair (edges, weights), or a SciPy sparse matrix
// (its stored entries are the edges, its values the weights). Options are the command line's shared
// options spelt with underscores (walkers, p_halt, max_len, seed, threads, kernel, beta, graph, k,
// ...), mapped by the command line's own functions (app/options/options.cpp). The engine runs with the
// GIL released; feature arrays are handed to numpy without a copy.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <cmath>
#include <cstdio>
#include <limits>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "options/options.h"
#include "topomask/attention/attention.h"
#include "topomask/attention/methods.h"
#include "topomask/attention/tokens.h"
#include "topomask/core/budget.h"
#include "topomask/core/error.h"
#include "topomask/graph/build.h"
#include "topomask/grf/sampler.h"
#include "topomask/mask/exact.h"

namespace py = pybind11;

namespace topomask::python {
namespace {

// ---- options ------------------------------------------------------------------------------------

// Options of one call: the shared ones (opt::CommonOptions) and those of the functions.
struct CallOptions {
  opt::CommonOptions common;
  std::string nodes;  // "A:B"
  std::string kernelMap = "relu";
  int d = 16;
  int m = 16;
  std::string featureFile;
  std::int64_t denseCap = 4096;
  std::string tokens;  // a token file (.npz with q, k, v), as --tokens
  int head = 0;        // as --head
  bool headGiven = false;
};

const std::set<std::string> kSharedNames = {"graph", "k", "radius", "patch", "weights", "norm", "sigma", "kernel", "beta",
                                            "p", "alpha", "f", "walkers", "p_halt", "max_len", "sampling", "ensembles",
                                            "seed", "threads", "memory_limit"};

std::string joined(const std::set<std::string>& names) {
  std::string out;
  for (const std::string& n : names) out += (out.empty() ? "" : ", ") + n;
  return out;
}

[[noreturn]] void badValue(const std::string& name, const std::string& expected, py::handle value) {
  throw py::type_error("topomask option " + name + ": expected " + expected + ", got " +
                       std::string(py::str(py::type::of(value).attr("__name__"))) + " " + std::string(py::repr(value)));
}

long long toInteger(const std::string& name, py::handle value) {
  if (py::isinstance<py::bool_>(value) || !py::isinstance(value, py::module_::import("numbers").attr("Integral")))
    badValue(name, "an integer", value);
  try {
    return py::int_(py::reinterpret_borrow<py::object>(value)).cast<long long>();
  } catch (const py::cast_error&) {
    throw py::value_error("topomask option " + name + ": " + std::string(py::repr(value)) + " is out of range");
  }
}

int toInt(const std::string& name, py::handle value) {
  const long long v = toInteger(name, value);
  if (v < std::numeric_limits<int>::min() || v > std::numeric_limits<int>::max())
    throw py::value_error("topomask option " + name + ": " + std::to_string(v) + " is out of range");
  return static_cast<int>(v);
}

double toDouble(const std::string& name, py::handle value) {
  if (py::isinstance<py::bool_>(value) || !py::isinstance(value, py::module_::import("numbers").attr("Real")))
    badValue(name, "a number", value);
  return py::float_(py::reinterpret_borrow<py::object>(value)).cast<double>();
}

std::string toText(const std::string& name, py::handle value) {
  if (!py::isinstance<py::str>(value)) badValue(name, "a string", value);
  return value.cast<std::string>();
}

// A list of numbers as the command line's comma-separated text, exactly (17 significant digits
// round-trip a double), so that opt::parseNumberList reads back the same values.
std::string numberList(const std::string& name, py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (!py::isinstance<py::sequence>(value) && !py::isinstance<py::array>(value))
    badValue(name, "a sequence of numbers or a comma-separated string", value);
  std::string out;
  for (py::handle item : py::iter(value)) {
    char text[40];
    std::snprintf(text, sizeof text, "%.17g", toDouble(name, item));
    out += (out.empty() ? "" : ",") + std::string(text);
  }
  return out;
}

// nodes: "A:B" or a pair (A, B).
std::string nodeRange(py::handle value) {
  if (py::isinstance<py::str>(value)) return value.cast<std::string>();
  if (py::isinstance<py::sequence>(value) && py::len(value) == 2) {
    const py::sequence pair = py::reinterpret_borrow<py::sequence>(value);
    const long long a = toInteger("nodes", pair[0]), b = toInteger("nodes", pair[1]);
    return std::to_string(a) + ":" + std::to_string(b);
  }
  badValue("nodes", "'A:B' or a pair (A, B)", value);
}

CallOptions parseOptions(const py::kwargs& kwargs, const std::set<std::string>& extra) {
  CallOptions o;
  opt::CommonOptions& c = o.common;
  for (const auto& [key, value] : kwargs) {
    const std::string name = key.cast<std::string>();
    if (name == "graph") c.graph = toText(name, value);
    else if (name == "k") c.k = toInt(name, value);
    else if (name == "radius") c.radius = toDouble(name, value);
    else if (name == "patch") c.patch = toInt(name, value);
    else if (name == "weights") c.weights = toText(name, value);
    else if (name == "norm") c.norm = toText(name, value);
    else if (name == "sigma") c.sigma = toDouble(name, value);
    else if (name == "kernel") c.kernel = toText(name, value);
    else if (name == "beta") c.beta = toDouble(name, value);
    else if (name == "p") c.p = toInt(name, value);
    else if (name == "alpha") c.alpha = numberList(name, value);
    else if (name == "f") c.f = numberList(name, value);
    else if (name == "walkers") c.walkers = toInt(name, value);
    else if (name == "p_halt") c.pHalt = toDouble(name, value);
    else if (name == "max_len") c.maxLen = toInt(name, value);
    else if (name == "sampling") c.sampling = toText(name, value);
    else if (name == "ensembles") c.ensembles = toText(name, value);
    else if (name == "seed") {
      const long long s = toInteger(name, value);
      if (s < 0) throw py::value_error("topomask option seed: must be a non-negative integer (got " + std::to_string(s) + ")");
      c.seed = static_cast<std::uint64_t>(s);
    } else if (name == "threads") c.threads = toInt(name, value);
    else if (name == "memory_limit") c.memoryLimit = toText(name, value);
    else if (extra.count(name) == 0) {
      std::set<std::string> all = kSharedNames;
      all.insert(extra.begin(), extra.end());
      throw py::type_error("topomask: unknown option '" + name + "' (options: " + joined(all) + ")");
    } else if (name == "nodes") o.nodes = nodeRange(value);
    else if (name == "kernel_map") o.kernelMap = toText(name, value);
    else if (name == "d") o.d = toInt(name, value);
    else if (name == "m") o.m = toInt(name, value);
    else if (name == "feature_file") o.featureFile = toText(name, value);
    else if (name == "dense_cap") o.denseCap = toInteger(name, value);
    else if (name == "tokens") o.tokens = toText(name, value);
    else if (name == "head") {
      o.head = toInt(name, value);
      o.headGiven = true;
    }
  }
  // Every shared option is checked before any work, as on the command line.
  opt::validateCommonOptions(c, opt::Wording::Keywords);
  return o;
}

// ---- graphs -------------------------------------------------------------------------------------

// A graph argument: a path, or a Scene built from arrays (with the GIL held; the graph itself is
// built later without it).
struct GraphSource {
  std::string path;
  bool fromArrays = false;
  Scene scene;
};

GraphSource edgeScene(const py::array_t<std::int64_t, py::array::forcecast>& ij, const double* weights,
                      std::int64_t nodes) {
  GraphSource src;
  src.fromArrays = true;
  EdgeListGraph g;
  const auto e = static_cast<std::int64_t>(ij.shape(0));
  const auto view = ij.unchecked<2>();
  g.edges.resize(static_cast<std::size_t>(e));
  std::int64_t maxIndex = -1;
  for (std::int64_t r = 0; r < e; ++r) {
    WeightedEdge& edge = g.edges[static_cast<std::size_t>(r)];
    edge.i = view(r, 0);
    edge.j = view(r, 1);
    if (edge.i < 0 || edge.j < 0)
      throw py::value_error("topomask graph: edge " + std::to_string(r) + " has a negative node index");
    if (weights != nullptr) {
      edge.w = weights[r];
      if (!std::isfinite(edge.w) || edge.w < 0)
        throw py::value_error("topomask graph: edge " + std::to_string(r) + " has weight " + std::to_string(edge.w) +
                              " (weights must be finite and non-negative)");
    }
    maxIndex = std::max({maxIndex, edge.i, edge.j});
  }
  if (nodes < 0) nodes = maxIndex + 1;
  if (maxIndex >= nodes)
    throw py::value_error("topomask graph: node index " + std::to_string(maxIndex) + " is outside the matrix of " +
                          std::to_string(nodes) + " nodes");
  if (nodes <= 0) throw py::value_error("topomask graph: no edges (zero nodes)");
  if (nodes > 0x7fffffffLL) throw py::value_error("topomask graph: more than 2^31 - 1 nodes");
  g.nodes = nodes;
  g.weighted = weights != nullptr;
  src.scene.name = "arrays";
  src.scene.data = std::move(g);
  return src;
}

GraphSource graphSource(py::handle graph) {
  if (py::isinstance<py::str>(graph) || py::hasattr(graph, "__fspath__")) {
    GraphSource src;
    src.path = py::str(py::module_::import("os").attr("fspath")(graph)).cast<std::string>();
    return src;
  }
  const py::module_ sparse = py::module_::import("scipy.sparse");
  if (sparse.attr("issparse")(graph).cast<bool>()) {
    // Stored entries are edges (both directions usually; duplicates are merged by the graph builder).
    const py::object coo = graph.attr("tocoo")();
    const py::tuple shape = coo.attr("shape");
    const auto rows = shape[0].cast<std::int64_t>(), cols = shape[1].cast<std::int64_t>();
    if (rows != cols)
      throw py::value_error("topomask graph: a sparse adjacency matrix must be square (got " + std::to_string(rows) +
                            " x " + std::to_string(cols) + ")");
    const py::module_ np = py::module_::import("numpy");
    const py::array_t<std::int64_t, py::array::forcecast> ij = np.attr("stack")(py::make_tuple(coo.attr("row"), coo.attr("col")), 1);
    const auto w = py::array_t<double, py::array::forcecast | py::array::c_style>::ensure(coo.attr("data"));
    if (!w) throw py::type_error("topomask graph: the sparse matrix's values must be numbers (convertible to float64)");
    return edgeScene(ij, w.data(), rows);
  }
  py::object edges = py::reinterpret_borrow<py::object>(graph);
  py::object weights = py::none();
  if (py::isinstance<py::tuple>(graph) && py::len(graph) == 2) {
    const py::tuple pair = py::reinterpret_borrow<py::tuple>(graph);
    edges = pair[0];
    weights = pair[1];
  }
  const py::array arr = py::array::ensure(edges);
  if (!arr || arr.ndim() != 2 || (arr.shape(1) != 2 && arr.shape(1) != 3))
    throw py::type_error("topomask graph: expected a path, an E x 2 (or E x 3 with weights) edge array, a pair "
                         "(edges, weights) or a scipy.sparse matrix");
  const py::module_ np = py::module_::import("numpy");
  py::array_t<double, py::array::forcecast | py::array::c_style> w;  // empty: no weights
  bool weighted = true;
  if (arr.shape(1) == 3) {
    if (!weights.is_none()) throw py::value_error("topomask graph: weights given twice (third column and pair)");
    w = np.attr("ascontiguousarray")(arr[py::make_tuple(py::slice(py::none(), py::none(), py::none()), 2)], "float64");
  } else if (!weights.is_none()) {
    w = py::array_t<double, py::array::forcecast | py::array::c_style>::ensure(weights);
    if (!w || w.ndim() != 1 || w.shape(0) != arr.shape(0))
      throw py::value_error("topomask graph: weights must be a 1-D array with one value per edge");
  } else {
    weighted = false;
  }
  const py::object ijFloat = arr[py::make_tuple(py::slice(py::none(), py::none(), py::none()), py::slice(0, 2, 1))];
  const py::object rounded = np.attr("asarray")(ijFloat);
  if (!np.attr("all")(np.attr("equal")(rounded, np.attr("floor")(rounded))).cast<bool>())
    throw py::value_error("topomask graph: edge node indices must be integers");
  const py::array_t<std::int64_t, py::array::forcecast> ij = np.attr("ascontiguousarray")(rounded, "int64");
  return edgeScene(ij, weighted ? w.data() : nullptr, -1);
}

// Loads (path) or builds (arrays) the graph, as opt::loadGraph does; call without the GIL.
Graph loadGraph(const GraphSource& src, const opt::CommonOptions& common) {
  if (!src.fromArrays) return opt::loadGraph(src.path, common).graph;
  return buildGraph(src.scene, opt::toGraphOptions(common, opt::Wording::Keywords));
}

// ---- results ------------------------------------------------------------------------------------

// A numpy array over memory owned by `owner` (moved to the heap, freed with the last view).
template <class T, class Owner>
py::array_t<T> adopt(std::shared_ptr<Owner> owner, T* data, std::vector<py::ssize_t> shape, std::vector<py::ssize_t> strides) {
  auto* keep = new std::shared_ptr<Owner>(std::move(owner));
  py::capsule base(keep, [](void* p) { delete static_cast<std::shared_ptr<Owner>*>(p); });
  return py::array_t<T>(std::move(shape), std::move(strides), data, base);
}

py::object csrMatrix(SparseFeatures&& phi) {
  auto owner = std::make_shared<SparseFeatures>(std::move(phi));
  const auto nnz = static_cast<py::ssize_t>(owner->nonZeros());
  const auto rows = static_cast<py::ssize_t>(owner->rows);
  py::array_t<float> data = adopt(owner, owner->values.data(), {nnz}, {sizeof(float)});
  py::array_t<std::int32_t> indices = adopt(owner, owner->indices.data(), {nnz}, {sizeof(std::int32_t)});
  py::array_t<std::int64_t> indptr = adopt(owner, owner->offsets.data(), {rows + 1}, {sizeof(std::int64_t)});
  const py::module_ sparse = py::module_::import("scipy.sparse");
  return sparse.attr("csr_matrix")(py::make_tuple(data, indices, indptr),
                                   py::arg("shape") = py::make_tuple(owner->rows, owner->cols));
}

py::array_t<double> matrixArray(Eigen::MatrixXd&& m) {
  auto owner = std::make_shared<Eigen::MatrixXd>(std::move(m));
  const auto r = static_cast<py::ssize_t>(owner->rows()), c = static_cast<py::ssize_t>(owner->cols());
  // Column-major: a Fortran-ordered numpy view.
  return adopt(owner, owner->data(), {r, c}, {static_cast<py::ssize_t>(sizeof(double)), static_cast<py::ssize_t>(sizeof(double)) * r});
}

// ---- functions ----------------------------------------------------------------------------------

py::object features(py::handle graph, GrfSide side, const py::kwargs& kwargs) {
  const CallOptions o = parseOptions(kwargs, {"nodes"});
  const GraphSource src = graphSource(graph);
  SparseFeatures phi;
  {
    py::gil_scoped_release release;
    const MaskSpec spec = opt::toMaskSpec(o.common, opt::Wording::Keywords);
    const GrfOptions grfOptions = opt::toGrfOptions(o.common, opt::Wording::Keywords);
    const Graph g = loadGraph(src, o.common);
    const opt::NodeRange range =
        o.nodes.empty() ? opt::NodeRange{0, g.nodeCount()} : opt::parseNodeRange(o.nodes, g.nodeCount(), "nodes");
    phi = sampleFeatureRows(g, MaskFunction(spec), grfOptions, side, range.begin, range.end);
  }
  return csrMatrix(std::move(phi));
}

py::array_t<double> exactRows(py::handle graph, const std::vector<std::int64_t>& rows, const py::kwargs& kwargs) {
  const CallOptions o = parseOptions(kwargs, {});
  const GraphSource src = graphSource(graph);
  Eigen::MatrixXd result;
  {
    py::gil_scoped_release release;
    const MaskFunction fn(opt::toMaskSpec(o.common, opt::Wording::Keywords));
    const Graph g = loadGraph(src, o.common);
    for (std::int64_t q : rows)
      if (q < 0 || q >= g.nodeCount())
        throw usageError("rows: node index " + std::to_string(q) + " out of range (the graph has " +
                         std::to_string(g.nodeCount()) + " nodes)");
    MaskOperatorOptions mo;
    mo.threads = o.common.threads;
    result = MaskOperator(g, fn, mo).rows(rows);
  }
  return matrixArray(std::move(result));
}

// q, k or v as given: N x d, or H x N x d of which head `head` is taken (the checks of the values are
// tokensFromArrays', the engine's, as for a token file).
Eigen::MatrixXd tokenMatrix(const char* name, py::handle value, int head) {
  const auto arr = py::array_t<double, py::array::forcecast | py::array::c_style>::ensure(value);
  if (!arr || (arr.ndim() != 2 && arr.ndim() != 3))
    throw py::value_error(std::string("topomask attention: ") + name + " must be an N x d (or H x N x d) array");
  const bool stacked = arr.ndim() == 3;
  const py::ssize_t heads = stacked ? arr.shape(0) : 1;
  if (head < 0 || head >= heads)
    throw py::value_error("topomask attention: head " + std::to_string(head) + " is out of range: " + name + " has " +
                          std::to_string(heads) + (stacked ? " heads" : " head (an N x d array)"));
  const py::ssize_t rows = arr.shape(stacked ? 1 : 0), cols = arr.shape(stacked ? 2 : 1);
  Eigen::MatrixXd m(rows, cols);
  const double* base = arr.data() + static_cast<std::size_t>(head) * static_cast<std::size_t>(rows * cols);
  for (py::ssize_t i = 0; i < rows; ++i)
    for (py::ssize_t j = 0; j < cols; ++j) m(i, j) = base[i * cols + j];
  return m;
}

py::array_t<double> attention(py::handle graph, const std::string& method, py::object q, py::object k, py::object v,
                              const py::kwargs& kwargs) {
  const CallOptions o = parseOptions(kwargs, {"kernel_map", "d", "m", "feature_file", "dense_cap", "tokens", "head"});
  const GraphSource src = graphSource(graph);
  const int given = (q.is_none() ? 0 : 1) + (k.is_none() ? 0 : 1) + (v.is_none() ? 0 : 1);
  if (given != 0 && given != 3) throw py::value_error("topomask attention: give all of q, k, v or none of them");
  if (given == 3 && !o.tokens.empty()) throw py::value_error("topomask attention: give q, k, v or tokens='F.npz', not both");
  if (o.headGiven && given == 0 && o.tokens.empty())
    throw py::value_error("topomask attention: head applies with q, k, v or tokens='F.npz' only");
  const bool userGiven = given == 3 || !o.tokens.empty();
  if (userGiven && (kwargs.contains("d") || kwargs.contains("feature_file")))
    throw py::value_error("topomask attention: d and feature_file shape the projections of node features; with q, k, v "
                          "or tokens the arrays give Q, K and V (and d)");
  Eigen::MatrixXd userQ, userK, userV;
  if (given == 3) {
    userQ = tokenMatrix("q", q, o.head);
    userK = tokenMatrix("k", k, o.head);
    userV = tokenMatrix("v", v, o.head);
  }
  Eigen::MatrixXd result;
  {
    py::gil_scoped_release release;
    if (o.d < 1 || o.d > kMaxHeadDimension) throw usageError("d must be between 1 and " + std::to_string(kMaxHeadDimension));
    if (o.m < 1 || o.m > kMaxFeatureMapSize) throw usageError("m must be between 1 and " + std::to_string(kMaxFeatureMapSize));
    opt::checkDenseCapOption(o.denseCap, "dense_cap");
    const MaskSpec spec = opt::toMaskSpec(o.common, opt::Wording::Keywords);
    const GrfOptions grfOptions = opt::toGrfOptions(o.common, opt::Wording::Keywords);
    const Graph g = loadGraph(src, o.common);
    const std::int64_t n = g.nodeCount();
    TokenOptions to;
    to.headDim = o.d;
    to.seed = o.common.seed;
    to.featureFile = o.featureFile;
    // As --tokens: the engine checks the arrays (usage errors, ValueError, for arrays given here;
    // a file's are input errors, topomask.Error, exit 3 on the command line).
    Tokens tokens = given == 3 ? tokensFromArrays(std::move(userQ), std::move(userK), std::move(userV), "attention", n,
                                                  Error::Kind::Usage)
                    : !o.tokens.empty() ? readTokenFile(o.tokens, o.head, n)
                                        : Tokens{};
    const int headDim = userGiven ? static_cast<int>(tokens.queries.cols()) : o.d;
    const int valueDim = userGiven ? static_cast<int>(tokens.values.cols()) : o.d;
    const MaskFunction fn(spec);
    // As `topomask export --what attention --method M` (app/cli/export.cpp).
    FeatureMap map;
    map.kind = parseFeatureMapKind(o.kernelMap);
    map.features = o.m;
    map.seed = o.common.seed;
    checkAttentionCost(n, featureCount(map, headDim), valueDim, opt::toGraphOptions(o.common, opt::Wording::Keywords).memoryLimit);
    const AttentionInputs in = makeAttentionInputs(userGiven ? tokens : makeTokens(g, to), map, o.common.threads);
    AttentionOptions ao;
    ao.threads = o.common.threads;
    ao.received = false;
    ao.gridWidth = g.gridWidth;
    // The method and its mask from the engine's registry (topomask/attention/methods.h).
    const AttentionMethod m = parseAttentionMethod(method);
    if (attentionMethodInfo(m).gridOnly && !isTokenGrid(g))
      throw usageError("method " + method + " needs a pixel grid (an image with graph='grid4' or 'grid8')");
    PrepareMasksOptions pmo;
    pmo.denseCap = o.denseCap;
    pmo.threads = o.common.threads;
    const auto prepared = prepareAttentionMasks(m, g, fn, grfOptions, pmo);
    AttentionOutput out = runAttentionMethod(m, in, prepared->masks, ao);
    result = std::move(out.out);
  }
  return matrixArray(std::move(result));
}

}  // namespace
}  // namespace topomask::python

PYBIND11_MODULE(topomask, m) {
  using namespace topomask::python;
  namespace tm = topomask;
  m.doc() = "TopoMask: graph random features (GRFs), exact topological masks and masked attention. "
            "Options are the command line's, spelt with underscores; results are bit for bit the command line's.";
  // topomask.Error: input and numeric errors (CLI exit 3). Usage errors (CLI exit 2) are ValueError.
  static py::exception<tm::Error> error(m, "Error", PyExc_RuntimeError);
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const tm::Error& e) {
      if (e.kind() == tm::Error::Kind::Usage) PyErr_SetString(PyExc_ValueError, e.what());
      else error(e.what());
    } catch (const tm::Cancelled& e) {
      PyErr_SetString(PyExc_KeyboardInterrupt, e.what());
    }
  });
  m.def(
      "grf_features", [](py::handle graph, const py::kwargs& kw) { return features(graph, tm::GrfSide::Query, kw); },
      py::arg("path"), py::pos_only(),
      "Query-side GRF features Phi_Q (N x N, or (B - A) x N with nodes=(A, B) or 'A:B') as scipy.sparse.csr_matrix "
      "(float32); as `topomask export GRAPH --what grf`.");
  m.def(
      "grf_keys", [](py::handle graph, const py::kwargs& kw) { return features(graph, tm::GrfSide::Key, kw); },
      py::arg("path"), py::pos_only(),
      "Key-side GRF features Phi_K (Phi_Q for the shared ensemble, the identity for the asymmetric one); "
      "Phi_Q Phi_K^T is the GRF estimate of the mask. As `topomask export GRAPH --what grf_keys`.");
  m.def("exact_rows", &exactRows, py::arg("path"), py::pos_only(), py::arg("rows"),
        "Exact mask rows of the given nodes (len(rows) x N float64) by propagation; as `topomask export GRAPH --what "
        "mask --query ...`.");
  static const std::string attentionDoc =
      "Attention outputs (N x d_v float64) of a method (" + topomask::attentionMethodList() +
      "); Q, K, V are the seeded projections of node features (as `topomask export GRAPH --what attention --method "
      "M`) unless q, k, v (N x d, N x d, N x d_v; or H x N x d with head=H) are given, or tokens='F.npz' (a "
      "numpy.savez archive of q, k, v, as `--tokens F.npz`; head=H as `--head H`).";
  m.def("attention", &attention, py::arg("path"), py::pos_only(), py::arg("method") = topomask::attentionMethodName(topomask::AttentionMethod::ExactMasked), py::arg("q") = py::none(),
        py::arg("k") = py::none(), py::arg("v") = py::none(),
        attentionDoc.c_str());
}
