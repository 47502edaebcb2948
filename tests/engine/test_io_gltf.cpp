// glTF 2.0 / GLB reader tests on files generated here with known content: data: URIs, GLB
// binary chunks, external buffers, interleaved views, index types, strip/fan/points/lines,
// node transforms, sparse accessors; and bad input, each class closed in general: nesting
// depth, accessor/view/buffer ranges, sparse counts and indices, base64, extensions, budgets,
// truncation and corruption at every byte.
#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <string>
#include <unistd.h>
#include <vector>

#include <Eigen/Geometry>
#include <nlohmann/json.hpp>

#include "topomask/core/error.h"
#include "topomask/io/load.h"

namespace fs = std::filesystem;
using namespace topomask;
using Json = nlohmann::json;

namespace {

static_assert(std::endian::native == std::endian::little, "the generators below write host-order bytes");

// One temporary folder for the whole program, removed at the end.
const std::string& tempDir() {
  static const std::string dir = [] {
    const fs::path d = fs::temp_directory_path() / ("topomask_gltf_test_" + std::to_string(::getpid()));
    fs::remove_all(d);
    fs::create_directories(d);
    return d.string();
  }();
  return dir;
}
class TempDirCleanup : public ::testing::Environment {
 public:
  void TearDown() override { fs::remove_all(tempDir()); }
};
[[maybe_unused]] ::testing::Environment* const kCleanup = ::testing::AddGlobalTestEnvironment(new TempDirCleanup);

std::string writeFile(const std::string& name, const std::string& bytes) {
  const std::string path = tempDir() + "/" + name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

std::string loadError(const std::string& path) {
  try {
    loadScene(path);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << ": expected an Error, the file loaded";
  return {};
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

bool anyWarningHas(const Scene& s, const std::string& text) {
  for (const auto& w : s.warnings)
    if (has(w, text)) return true;
  return false;
}

const Mesh& meshOf(const Scene& s) { return std::get<Mesh>(s.data); }

template <class T>
std::string bytesOf(const std::vector<T>& v) {
  return std::string(reinterpret_cast<const char*>(v.data()), v.size() * sizeof(T));
}

std::string base64(const std::string& in) {
  static const char* abc = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  for (std::size_t i = 0; i < in.size(); i += 3) {
    std::uint32_t v = static_cast<unsigned char>(in[i]) << 16;
    if (i + 1 < in.size()) v |= static_cast<unsigned char>(in[i + 1]) << 8;
    if (i + 2 < in.size()) v |= static_cast<unsigned char>(in[i + 2]);
    out += abc[v >> 18 & 63];
    out += abc[v >> 12 & 63];
    out += i + 1 < in.size() ? abc[v >> 6 & 63] : '=';
    out += i + 2 < in.size() ? abc[v & 63] : '=';
  }
  return out;
}

// A glTF document under construction: one binary buffer (buffer 0), views appended to it,
// accessors, one mesh of primitives placed by one node.
struct Gltf {
  Json doc = {{"asset", {{"version", "2.0"}}}, {"bufferViews", Json::array()}, {"accessors", Json::array()},
              {"meshes", Json::array({{{"primitives", Json::array()}}})}, {"nodes", Json::array({{{"mesh", 0}}})},
              {"scenes", Json::array({{{"nodes", {0}}}})}, {"scene", 0}};
  std::string bin;

  // Appends bytes (4-byte aligned) as a new buffer view; returns its index.
  int view(const std::string& bytes, int stride = 0) {
    while (bin.size() % 4 != 0) bin.push_back('\0');
    Json v = {{"buffer", 0}, {"byteOffset", bin.size()}, {"byteLength", bytes.size()}};
    if (stride) v["byteStride"] = stride;
    bin += bytes;
    doc["bufferViews"].push_back(v);
    return static_cast<int>(doc["bufferViews"].size() - 1);
  }
  int accessor(Json a) {
    doc["accessors"].push_back(std::move(a));
    return static_cast<int>(doc["accessors"].size() - 1);
  }
  int accessor(int view, int componentType, std::size_t count, const char* type, std::size_t byteOffset = 0) {
    return accessor(Json{{"bufferView", view}, {"componentType", componentType}, {"count", count}, {"type", type},
                         {"byteOffset", byteOffset}});
  }
  int positions(const std::vector<float>& xyz) { return accessor(view(bytesOf(xyz)), 5126, xyz.size() / 3, "VEC3"); }
  template <class T>
  int indices(const std::vector<T>& idx) {
    const int type = sizeof(T) == 1 ? 5121 : sizeof(T) == 2 ? 5123 : 5125;
    return accessor(view(bytesOf(idx)), type, idx.size(), "SCALAR");
  }
  void primitive(Json p) { doc["meshes"][0]["primitives"].push_back(std::move(p)); }

  // .gltf text with buffer 0 as a base64 data: URI.
  std::string text() const {
    Json d = doc;
    d["buffers"] = Json::array({{{"byteLength", bin.size()}, {"uri", "data:application/octet-stream;base64," + base64(bin)}}});
    return d.dump();
  }
  // .gltf text with buffer 0 in an external file of the given uri.
  std::string textWithFile(const std::string& uri) const {
    Json d = doc;
    d["buffers"] = Json::array({{{"byteLength", bin.size()}, {"uri", uri}}});
    return d.dump();
  }
  // GLB with buffer 0 in its BIN chunk.
  std::string glb() const {
    Json d = doc;
    d["buffers"] = Json::array({{{"byteLength", bin.size()}}});
    std::string json = d.dump();
    while (json.size() % 4 != 0) json.push_back(' ');
    std::string b = bin;
    while (b.size() % 4 != 0) b.push_back('\0');
    std::string out = "glTF";
    auto u32 = [&](std::uint32_t v) { out.append(reinterpret_cast<const char*>(&v), 4); };
    u32(2);
    u32(static_cast<std::uint32_t>(12 + 8 + json.size() + 8 + b.size()));
    u32(static_cast<std::uint32_t>(json.size()));
    u32(0x4E4F534Au);
    out += json;
    u32(static_cast<std::uint32_t>(b.size()));
    u32(0x004E4942u);
    out += b;
    return out;
  }
};

// The unit square as two triangles (counter-clockwise seen from +z).
const std::vector<float> kQuad = {0, 0, 0, 1, 0, 0, 1, 1, 0, 0, 1, 0};
const std::vector<std::uint16_t> kQuadIdx = {0, 1, 2, 0, 2, 3};

Gltf quad() {
  Gltf g;
  const int pos = g.positions(kQuad);
  const int idx = g.indices(kQuadIdx);
  g.primitive({{"attributes", {{"POSITION", pos}}}, {"indices", idx}});
  return g;
}

// Every triangle's normal (by its winding) points along +z.
void expectFacingUp(const Mesh& m) {
  for (Eigen::Index t = 0; t < m.triangles.rows(); ++t) {
    const Eigen::Vector3d a = m.vertices.row(m.triangles(t, 0)), b = m.vertices.row(m.triangles(t, 1)),
                          c = m.vertices.row(m.triangles(t, 2));
    EXPECT_GT((b - a).cross(c - a).z(), 0.0) << "triangle " << t;
  }
}

// ================================================================== good files

TEST(GltfRead, DataUriQuad) {
  const Scene s = loadScene(writeFile("quad.gltf", quad().text()));
  const Mesh& m = meshOf(s);
  ASSERT_EQ(m.vertices.rows(), 4);
  ASSERT_EQ(m.triangles.rows(), 2);
  for (int i = 0; i < 4; ++i)
    for (int d = 0; d < 3; ++d) EXPECT_EQ(m.vertices(i, d), kQuad[static_cast<std::size_t>(3 * i + d)]);
  EXPECT_EQ(m.triangles.row(0), Eigen::RowVector3i(0, 1, 2));
  EXPECT_EQ(m.triangles.row(1), Eigen::RowVector3i(0, 2, 3));
  EXPECT_EQ(m.normals.rows(), 0);
  EXPECT_EQ(m.colors.rows(), 0);
}

TEST(GltfRead, GlbTetrahedron) {
  Gltf g;
  const std::vector<float> p = {0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
  const int pos = g.positions(p);
  const int idx = g.indices(std::vector<std::uint32_t>{0, 2, 1, 0, 1, 3, 0, 3, 2, 1, 2, 3});
  g.primitive({{"attributes", {{"POSITION", pos}}}, {"indices", idx}, {"mode", 4}});
  const Scene s = loadScene(writeFile("tetra.glb", g.glb()));
  const Mesh& m = meshOf(s);
  ASSERT_EQ(m.vertices.rows(), 4);
  EXPECT_EQ(m.triangles.rows(), 4);
  EXPECT_EQ(m.vertices.row(3), Eigen::RowVector3d(0, 0, 1));
  EXPECT_EQ(m.triangles.row(1), Eigen::RowVector3i(0, 1, 3));
}

TEST(GltfRead, IndexTypesAgree) {
  for (int type : {5121, 5123, 5125}) {
    Gltf g;
    const int pos = g.positions(kQuad);
    int idx = 0;
    if (type == 5121) idx = g.indices(std::vector<std::uint8_t>{0, 1, 2, 0, 2, 3});
    if (type == 5123) idx = g.indices(kQuadIdx);
    if (type == 5125) idx = g.indices(std::vector<std::uint32_t>{0, 1, 2, 0, 2, 3});
    g.primitive({{"attributes", {{"POSITION", pos}}}, {"indices", idx}});
    const Scene mScene = loadScene(writeFile("idx" + std::to_string(type) + ".glb", g.glb()));
    const Mesh& m = meshOf(mScene);
    ASSERT_EQ(m.triangles.rows(), 2) << type;
    EXPECT_EQ(m.triangles.row(1), Eigen::RowVector3i(0, 2, 3)) << type;
  }
}

TEST(GltfRead, StripAndFanKeepWinding) {
  // Strip v0 v1 v2 v3 = (0,0) (1,0) (0,1) (1,1): triangles (0,1,2) and (1,3,2).
  Gltf strip;
  const int sp = strip.positions({0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 1, 0});
  strip.primitive({{"attributes", {{"POSITION", sp}}}, {"mode", 5}});
  const Scene sScene = loadScene(writeFile("strip.gltf", strip.text()));
  const Mesh& s = meshOf(sScene);
  ASSERT_EQ(s.triangles.rows(), 2);
  EXPECT_EQ(s.triangles.row(0), Eigen::RowVector3i(0, 1, 2));
  EXPECT_EQ(s.triangles.row(1), Eigen::RowVector3i(1, 3, 2));
  expectFacingUp(s);
  // Fan around the centre of a square, through its four corners: 3 triangles (i+1, i+2, 0).
  Gltf fan;
  const int fp = fan.positions({0, 0, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 1, 0});
  const int fi = fan.indices(std::vector<std::uint8_t>{0, 1, 2, 3, 4});
  fan.primitive({{"attributes", {{"POSITION", fp}}}, {"indices", fi}, {"mode", 6}});
  const Scene fScene = loadScene(writeFile("fan.glb", fan.glb()));
  const Mesh& f = meshOf(fScene);
  ASSERT_EQ(f.triangles.rows(), 3);
  EXPECT_EQ(f.triangles.row(0), Eigen::RowVector3i(1, 2, 0));
  EXPECT_EQ(f.triangles.row(2), Eigen::RowVector3i(3, 4, 0));
  expectFacingUp(f);
}

TEST(GltfRead, InterleavedViewWithStride) {
  // position (12 bytes) and normal (12 bytes) interleaved, stride 24; colours as normalized
  // unsigned bytes RGBA (alpha dropped).
  std::vector<float> inter;
  for (std::size_t i = 0; i < 4; ++i) {
    inter.insert(inter.end(), {kQuad[3 * i], kQuad[3 * i + 1], kQuad[3 * i + 2]});
    inter.insert(inter.end(), {0.f, 0.f, 2.f});  // normalised on reading
  }
  Gltf g;
  const int v = g.view(bytesOf(inter), 24);
  const int pos = g.accessor(v, 5126, 4, "VEC3", 0);
  const int nor = g.accessor(v, 5126, 4, "VEC3", 12);
  const int col = g.accessor({{"bufferView", g.view(bytesOf(std::vector<std::uint8_t>{255, 0, 0, 9, 0, 255, 0, 9, 0, 0, 255, 9, 51, 51, 51, 9}))},
                              {"componentType", 5121}, {"normalized", true}, {"count", 4}, {"type", "VEC4"}});
  const int idx = g.indices(kQuadIdx);
  g.primitive({{"attributes", {{"POSITION", pos}, {"NORMAL", nor}, {"COLOR_0", col}}}, {"indices", idx}});
  const Scene mScene = loadScene(writeFile("interleaved.glb", g.glb()));
  const Mesh& m = meshOf(mScene);
  ASSERT_EQ(m.vertices.rows(), 4);
  EXPECT_EQ(m.vertices.row(2), Eigen::RowVector3d(1, 1, 0));
  ASSERT_EQ(m.normals.rows(), 4);
  EXPECT_NEAR(m.normals(3, 2), 1.0, 1e-12);
  ASSERT_EQ(m.colors.rows(), 4);
  EXPECT_EQ(m.colors.row(1), Eigen::RowVector3d(0, 1, 0));
  EXPECT_NEAR(m.colors(3, 0), 0.2, 1e-12);
}

TEST(GltfRead, PointsAndLinesGiveVertices) {
  Gltf g;
  const int pos = g.positions(kQuad);
  g.primitive({{"attributes", {{"POSITION", pos}}}, {"mode", 0}});
  const Scene pts = loadScene(writeFile("points.gltf", g.text()));
  ASSERT_EQ(pts.kind(), SceneKind::Points);
  EXPECT_EQ(std::get<PointCloud>(pts.data).points.rows(), 4);
  g.doc["meshes"][0]["primitives"][0]["mode"] = 1;
  const Scene lines = loadScene(writeFile("lines.gltf", g.text()));
  ASSERT_EQ(lines.kind(), SceneKind::Points);
  EXPECT_TRUE(anyWarningHas(lines, "line primitive"));
}

TEST(GltfRead, PrimitivesConcatenateAndNodesTransform) {
  // The quad placed twice: by a node translated by (0, 0, 5) under a root scaled by 2, and by
  // a node mirrored in x (winding reversed so that the faces still point up).
  Gltf g = quad();
  g.doc["nodes"] = Json::array({{{"scale", {2, 2, 2}}, {"children", {1}}},
                                {{"mesh", 0}, {"translation", {0, 0, 5}}},
                                {{"mesh", 0}, {"matrix", {-1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1}}}});
  g.doc["scenes"][0]["nodes"] = {0, 2};
  const Scene mScene = loadScene(writeFile("nodes.gltf", g.text()));
  const Mesh& m = meshOf(mScene);
  // Depth-first order: nodes[1] (world = scale 2 x translation) first, then nodes[2].
  ASSERT_EQ(m.vertices.rows(), 8);
  ASSERT_EQ(m.triangles.rows(), 4);
  EXPECT_EQ(m.vertices.row(2), Eigen::RowVector3d(2, 2, 10));
  EXPECT_EQ(m.vertices.row(5), Eigen::RowVector3d(-1, 0, 0));
  expectFacingUp(m);
}

TEST(GltfRead, SparseAccessorOverridesElements) {
  // Positions: the quad, with vertex 2 moved to (3, 3, 0) by a sparse entry.
  Gltf g = quad();
  const int sIdx = g.view(bytesOf(std::vector<std::uint8_t>{2}));
  const int sVal = g.view(bytesOf(std::vector<float>{3, 3, 0}));
  g.doc["accessors"][0]["sparse"] = {{"count", 1},
                                     {"indices", {{"bufferView", sIdx}, {"componentType", 5121}}},
                                     {"values", {{"bufferView", sVal}}}};
  const Scene mScene = loadScene(writeFile("sparse.glb", g.glb()));
  const Mesh& m = meshOf(mScene);
  EXPECT_EQ(m.vertices.row(2), Eigen::RowVector3d(3, 3, 0));
  EXPECT_EQ(m.vertices.row(1), Eigen::RowVector3d(1, 0, 0));
}

TEST(GltfRead, ExternalBufferWithEscapedName) {
  const Gltf g = quad();
  writeFile("my buffer.bin", g.bin);
  const Scene mScene = loadScene(writeFile("external.gltf", g.textWithFile("my%20buffer.bin")));
  const Mesh& m = meshOf(mScene);
  EXPECT_EQ(m.triangles.rows(), 2);
}

// ================================================================== bad files

TEST(GltfBad, DeepNestingIsRefusedWithoutParsing) {
  const std::string deep = R"({"asset":{"version":"2.0"},"x":)" + std::string(200000, '[') + std::string(200000, ']') + "}";
  const std::string e = loadError(writeFile("deep.gltf", deep));
  EXPECT_TRUE(has(e, "JSON nested deeper than 64 levels at byte ")) << e;
  // Brackets inside strings do not count; 64 levels are fine (the file then fails for lack of meshes).
  const std::string strings = R"({"asset":{"version":"2.0"},"x":")" + std::string(1000, '[') + R"("})";
  EXPECT_TRUE(has(loadError(writeFile("strings.gltf", strings)), "no meshes"));
  const std::string ok64 = R"({"asset":{"version":"2.0"},"x":)" + std::string(62, '[') + std::string(62, ']') + "}";
  EXPECT_TRUE(has(loadError(writeFile("ok64.gltf", ok64)), "no meshes"));
  // The same inside a GLB: the byte is counted from the start of the file.
  Gltf g = quad();
  g.doc["extras"] = Json::parse(std::string(100, '[') + std::string(100, ']'));
  const std::string glbError = loadError(writeFile("deep.glb", g.glb()));
  EXPECT_TRUE(has(glbError, "nested deeper than 64")) << glbError;
}

TEST(GltfBad, AccessorPastItsView) {
  Gltf g = quad();
  g.doc["accessors"][0]["byteOffset"] = 24;  // 4 vertices of 12 bytes from byte 24 of a 48-byte view
  const std::string e = loadError(writeFile("acc_past.gltf", g.text()));
  EXPECT_TRUE(has(e, "accessors[0]: byteOffset 24 + 12 x 3 + 12 bytes runs past the end of bufferViews[0] (48 bytes)")) << e;
  g.doc["accessors"][0]["byteOffset"] = 2;
  EXPECT_TRUE(has(loadError(writeFile("acc_align.gltf", g.text())), "not a multiple of the 4-byte component size"));
  g.doc["accessors"][0]["byteOffset"] = 0;
  g.doc["accessors"][0]["count"] = std::numeric_limits<std::uint64_t>::max();
  EXPECT_TRUE(has(loadError(writeFile("acc_count.gltf", g.text())), "accessors[0]: byteOffset 0 + 12 x "));
  g.doc["accessors"][0]["count"] = 4;
  g.doc["bufferViews"][0]["byteStride"] = 6;
  EXPECT_TRUE(has(loadError(writeFile("stride6.gltf", g.text())), "bufferViews[0].byteStride"));
  g.doc["bufferViews"][0]["byteStride"] = 8;
  EXPECT_TRUE(has(loadError(writeFile("stride8.gltf", g.text())), "less than the 12-byte elements"));
}

TEST(GltfBad, ViewPastItsBuffer) {
  Gltf g = quad();
  g.doc["bufferViews"][1]["byteLength"] = 4000;
  const std::string e = loadError(writeFile("view_past.glb", g.glb()));
  EXPECT_TRUE(has(e, "bufferViews[1]: byteOffset 48 + byteLength 4000 runs past the end of buffers[0]")) << e;
  g.doc["bufferViews"][1]["byteLength"] = 12;
  g.doc["bufferViews"][1]["byteOffset"] = std::numeric_limits<std::uint64_t>::max() - 4;  // offset + length wraps
  EXPECT_TRUE(has(loadError(writeFile("view_wrap.glb", g.glb())), "bufferViews[1]"));
  g.doc["bufferViews"][1]["byteOffset"] = 48;
  g.doc["bufferViews"][1]["buffer"] = 3;
  EXPECT_TRUE(has(loadError(writeFile("view_buf.glb", g.glb())), "bufferViews[1].buffer: refers to buffers[3], which does not exist"));
}

TEST(GltfBad, BufferLongerThanItsData) {
  const Gltf g = quad();
  Json t = Json::parse(g.text());
  t["buffers"][0]["byteLength"] = 1000;
  EXPECT_TRUE(has(loadError(writeFile("buf_long.gltf", t.dump())), "embedded data holds 60 bytes, byteLength says 1000"));
  writeFile("short.bin", g.bin);
  t["buffers"][0]["uri"] = "short.bin";
  EXPECT_TRUE(has(loadError(writeFile("buf_file.gltf", t.dump())), "buffer file 'short.bin' has 60 bytes, byteLength says 1000"));
}

TEST(GltfBad, SparseCountsAndIndices) {
  Gltf g = quad();
  const int sIdx = g.view(bytesOf(std::vector<std::uint8_t>{7}));
  const int sVal = g.view(bytesOf(std::vector<float>{3, 3, 0}));
  Json sparse = {{"count", 1}, {"indices", {{"bufferView", sIdx}, {"componentType", 5121}}}, {"values", {{"bufferView", sVal}}}};
  g.doc["accessors"][0]["sparse"] = sparse;
  const std::string e = loadError(writeFile("sparse_idx.gltf", g.text()));
  EXPECT_TRUE(has(e, "accessors[0].sparse.indices: index 7 (entry 0) is not below the accessor's count 4")) << e;
  // A huge sparse count on a small accessor, and on a huge accessor without a bufferView.
  g.doc["accessors"][0]["sparse"]["count"] = 1000000000;
  EXPECT_TRUE(has(loadError(writeFile("sparse_count.gltf", g.text())), "count 1000000000 exceeds the accessor's count 4"));
  g.doc["accessors"][0] = {{"componentType", 5126}, {"count", 1000000000}, {"type", "VEC3"}, {"sparse", sparse}};
  g.doc["accessors"][0]["sparse"]["count"] = 1000000000;
  const std::string huge = loadError(writeFile("sparse_huge.gltf", g.text()));
  EXPECT_TRUE(has(huge, "accessors[0].sparse.indices: byteOffset 0 + 1000000000 x 1 bytes runs past the end")) << huge;
}

TEST(GltfBad, ZerosWithoutBufferViewAreBudgeted) {
  // 10^8 vertices of zeros from a file of a few hundred bytes: refused before any allocation.
  Gltf g;
  const int pos = g.accessor({{"componentType", 5126}, {"count", 100000000}, {"type", "VEC3"}});
  g.primitive({{"attributes", {{"POSITION", pos}}}, {"mode", 0}});
  const std::string e = loadError(writeFile("zeros.gltf", g.text()));
  EXPECT_TRUE(has(e, "the scene would have 100000000 vertices")) << e;
  // Many nodes placing one mesh count every placement.
  Gltf many = quad();
  many.doc["nodes"] = Json::array();
  many.doc["scenes"][0]["nodes"] = Json::array();
  for (int i = 0; i < 20000; ++i) {
    many.doc["nodes"].push_back({{"mesh", 0}});
    many.doc["scenes"][0]["nodes"].push_back(i);
  }
  many.doc["accessors"][0] = {{"componentType", 5126}, {"count", 10000}, {"type", "VEC3"}};
  many.doc["meshes"][0]["primitives"][0].erase("indices");
  many.doc["meshes"][0]["primitives"][0]["mode"] = 0;
  EXPECT_TRUE(has(loadError(writeFile("many.glb", many.glb())), "nodes may place a mesh many times"));
}

TEST(GltfBad, Base64) {
  std::string text = quad().text();
  const std::size_t at = text.find(";base64,") + 8;
  std::string bad = text;
  bad[at + 5] = '!';
  const std::string e = loadError(writeFile("b64.gltf", bad));
  EXPECT_TRUE(has(e, "buffers[0].uri: invalid base64 character '!' at character ")) << e;
  bad = text.substr(0, at + 4) + "=" + text.substr(at + 4);
  EXPECT_TRUE(has(loadError(writeFile("b64pad.gltf", bad)), "base64"));
  bad = text.substr(0, at - 8) + "," + text.substr(at);  // "data:application/octet-stream," without ;base64
  EXPECT_TRUE(has(loadError(writeFile("b64none.gltf", bad)), "not base64-encoded"));
}

TEST(GltfBad, RequiredExtensions) {
  Gltf g = quad();
  g.doc["extensionsRequired"] = {"KHR_materials_unlit", "KHR_draco_mesh_compression"};
  const std::string e = loadError(writeFile("draco.gltf", g.text()));
  EXPECT_TRUE(has(e, "extensionsRequired[1]: the file requires extension 'KHR_draco_mesh_compression'")) << e;
  g.doc["extensionsRequired"] = {"EXT_meshopt_compression"};
  EXPECT_TRUE(has(loadError(writeFile("meshopt.gltf", g.text())), "'EXT_meshopt_compression'"));
  g.doc["extensionsRequired"] = {"KHR_materials_unlit", "KHR_texture_transform"};
  EXPECT_EQ(meshOf(loadScene(writeFile("harmless.gltf", g.text()))).triangles.rows(), 2);
}

TEST(GltfBad, ExternalBuffers) {
  const Gltf g = quad();
  EXPECT_TRUE(has(loadError(writeFile("missing.gltf", g.textWithFile("nowhere.bin"))), "buffers[0]: buffer file 'nowhere.bin' not found"));
  EXPECT_TRUE(has(loadError(writeFile("absolute.gltf", g.textWithFile("/etc/hostname"))), "absolute path"));
  EXPECT_TRUE(has(loadError(writeFile("url.gltf", g.textWithFile("https://example.com/a.bin"))), "not a relative file reference"));
  fs::create_directories(tempDir() + "/adir.bin");
  EXPECT_TRUE(has(loadError(writeFile("dir.gltf", g.textWithFile("adir.bin"))), "is not a regular file"));
}

TEST(GltfBad, IndexOutOfRangeAndNan) {
  Gltf g;
  const int pos = g.positions(kQuad);
  const int idx = g.indices(std::vector<std::uint16_t>{0, 1, 2, 0, 2, 4});
  g.primitive({{"attributes", {{"POSITION", pos}}}, {"indices", idx}});
  const std::string e = loadError(writeFile("range.glb", g.glb()));
  EXPECT_TRUE(has(e, "meshes[0].primitives[0].indices: vertex index 4 out of range (4 vertices)")) << e;
  std::vector<float> p = kQuad;
  p[7] = std::nanf("");
  Gltf n;
  const int np = n.positions(p);
  n.primitive({{"attributes", {{"POSITION", np}}}, {"mode", 0}});
  const std::string ne = loadError(writeFile("nan.glb", n.glb()));
  EXPECT_TRUE(has(ne, "vertex 2 of accessors[0]: coordinate is not finite")) << ne;
  n.doc["nodes"][0]["scale"] = {1e300, 1e300, 1e300};
  n.doc["accessors"][0]["bufferView"] = n.view(bytesOf(std::vector<float>{1e30f, 0, 0}));
  n.doc["accessors"][0]["count"] = 1;
  EXPECT_TRUE(has(loadError(writeFile("overflow.glb", n.glb())), "not finite after the node transform"));
}

TEST(GltfBad, TypesModesAndStructure) {
  Gltf g = quad();
  g.doc["accessors"][0]["componentType"] = 5123;
  EXPECT_TRUE(has(loadError(writeFile("posint.gltf", g.text())), "POSITION must be float VEC3"));
  g.doc["accessors"][0]["componentType"] = 5124;
  EXPECT_TRUE(has(loadError(writeFile("ct.gltf", g.text())), "componentType 5124 is not one of"));
  g.doc["accessors"][0]["componentType"] = 5126;
  g.doc["meshes"][0]["primitives"][0]["mode"] = 9;
  EXPECT_TRUE(has(loadError(writeFile("mode.gltf", g.text())), "mode 9 is not a glTF primitive mode"));
  g.doc["meshes"][0]["primitives"][0]["mode"] = 4;
  g.doc["meshes"][0]["primitives"][0]["indices"] = 7;
  EXPECT_TRUE(has(loadError(writeFile("ref.gltf", g.text())), "meshes[0].primitives[0].indices: refers to accessors[7]"));
  g.doc["meshes"][0]["primitives"][0]["indices"] = 1;
  g.doc["nodes"] = Json::array({{{"children", {1}}}, {{"mesh", 0}, {"children", {0}}}});
  EXPECT_TRUE(has(loadError(writeFile("cycle.gltf", g.text())), "reached twice"));
  g.doc["asset"]["version"] = "1.0";
  EXPECT_TRUE(has(loadError(writeFile("v1.gltf", g.text())), "glTF version '1.0' is not supported"));
  // No nodes: every mesh read once; nodes that place no mesh: the same, with a warning.
  Gltf bare = quad();
  bare.doc.erase("nodes");
  bare.doc.erase("scenes");
  bare.doc.erase("scene");
  const Scene s = loadScene(writeFile("bare.gltf", bare.text()));
  EXPECT_EQ(meshOf(s).triangles.rows(), 2);
  EXPECT_TRUE(s.warnings.empty());
  bare.doc["nodes"] = Json::array({Json::object()});
  const Scene empty = loadScene(writeFile("meshless_nodes.gltf", bare.text()));
  EXPECT_EQ(meshOf(empty).triangles.rows(), 2);
  EXPECT_TRUE(anyWarningHas(empty, "untransformed"));
}

TEST(GltfBad, GlbContainer) {
  const std::string glb = quad().glb();
  std::string bad = glb;
  bad[4] = 1;
  EXPECT_TRUE(has(loadError(writeFile("v1.glb", bad)), "GLB container version 1"));
  bad = glb;
  bad[16] = 'X';
  EXPECT_TRUE(has(loadError(writeFile("notjson.glb", bad)), "first GLB chunk is not JSON"));
  bad = glb;
  bad[12] = static_cast<char>(0xFF);
  bad[13] = static_cast<char>(0xFF);
  EXPECT_TRUE(has(loadError(writeFile("longjson.glb", bad)), "runs past the end of the GLB data"));
  const std::string e = loadError(writeFile("short.glb", glb.substr(0, glb.size() - 1)));
  EXPECT_TRUE(has(e, "GLB header announces")) << e;
}

// Truncation at every byte and corruption of every byte: each attempt loads or gives one Error.
TEST(GltfBad, TruncatedAndCorruptedGlbAtEveryByte) {
  Gltf g = quad();
  const int nor = g.accessor(g.view(bytesOf(std::vector<float>(12, 0.5f))), 5126, 4, "VEC3");
  g.doc["meshes"][0]["primitives"][0]["attributes"]["NORMAL"] = nor;
  const std::string glb = g.glb();
  const std::string path = tempDir() + "/cut.glb";
  int loaded = 0, refused = 0;
  auto attempt = [&](const std::string& bytes) {
    writeFile("cut.glb", bytes);
    try {
      loadScene(path);
      ++loaded;
    } catch (const Error& e) {
      ++refused;
      EXPECT_TRUE(has(e.what(), "cut.glb")) << e.what();
    }
  };
  for (std::size_t n = 0; n < glb.size(); ++n) attempt(glb.substr(0, n));
  EXPECT_EQ(loaded, 0);  // the header's length no longer matches
  for (std::size_t i = 0; i < glb.size(); ++i)
    for (unsigned char v : {0x00, 0x7F, 0xFF, 0x5B}) {  // 0x5B = '['
      std::string b = glb;
      b[i] = static_cast<char>(v);
      attempt(b);
    }
  EXPECT_GT(loaded, 0);
  EXPECT_GT(refused, static_cast<int>(glb.size()));
}

// Every glTF 2.0 file of Debian's assimp-testmodels loads or gives one Error.
TEST(GltfReal, AssimpModels) {
  const std::string root = "/usr/share/assimp/models/glTF2";
  if (!fs::is_directory(root)) GTEST_SKIP() << root << " missing (Debian package assimp-testmodels)";
  int loaded = 0;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const std::string ext = entry.path().extension().string();
    if (ext != ".gltf" && ext != ".glb") continue;
    try {
      loadScene(entry.path().string());
      ++loaded;
    } catch (const Error& e) {
      EXPECT_TRUE(has(e.what(), entry.path().filename().string())) << e.what();
    }
  }
  EXPECT_GE(loaded, 20);
  EXPECT_TRUE(has(loadError(root + "/draco/2CylinderEngine.gltf"), "'KHR_draco_mesh_compression'"));
  const Scene engine = loadScene(root + "/2CylinderEngine-glTF-Binary/2CylinderEngine.glb");
  EXPECT_GT(meshOf(engine).triangles.rows(), 100000);
}

}  // namespace
