// Loader tests: real files of Debian's assimp-testmodels, generated files of every format with
// known content, and bad input (the whole invalid/ folder, truncation at every byte, random
// bytes, huge counts, NaN, out-of-range indices). Every refusal must be one topomask::Error
// naming the file and, where the test knows it, the place.
#include <gtest/gtest.h>

#include <array>
#include <bit>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "support/test_graphs.h"
#include "topomask/core/error.h"
#include "topomask/io/load.h"

namespace fs = std::filesystem;
using namespace topomask;

namespace {

const std::string kModels = "/usr/share/assimp/models";

bool haveModels() { return fs::is_directory(kModels); }

#define REQUIRE_MODELS() \
  if (!haveModels()) GTEST_SKIP() << kModels << " missing (Debian package assimp-testmodels)"

std::string readBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void writeBytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// FNV-1a of the whole file plus its size and modification time: proves the loader left it alone.
struct Fingerprint {
  std::uint64_t hash = 0;
  std::uintmax_t size = 0;
  fs::file_time_type mtime;
  bool operator==(const Fingerprint&) const = default;
};
Fingerprint fingerprint(const std::string& path) {
  const std::string b = readBytes(path);
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : b) h = (h ^ c) * 1099511628211ull;
  return {h, fs::file_size(path), fs::last_write_time(path)};
}

// Loads, expecting an Error; returns its message.
std::string loadError(const std::string& path, const LoadOptions& options = {}) {
  try {
    loadScene(path, options);
  } catch (const Error& e) {
    return e.what();
  }
  ADD_FAILURE() << path << ": expected an Error, the file loaded";
  return {};
}

const Mesh& meshOf(const Scene& s) { return std::get<Mesh>(s.data); }
const PointCloud& pointsOf(const Scene& s) { return std::get<PointCloud>(s.data); }

bool anyWarningHas(const Scene& s, const std::string& text) {
  for (const auto& w : s.warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

// ------------------------------------------------------------------ icosahedron, 12 vertices / 20 faces
struct Ico {
  std::vector<std::array<double, 3>> v;
  std::vector<std::array<int, 3>> f;
};
Ico icosahedron() {
  const double t = (1.0 + std::sqrt(5.0)) / 2.0;
  Ico m;
  m.v = {{-1, t, 0}, {1, t, 0}, {-1, -t, 0}, {1, -t, 0}, {0, -1, t}, {0, 1, t},
         {0, -1, -t}, {0, 1, -t}, {t, 0, -1}, {t, 0, 1}, {-t, 0, -1}, {-t, 0, 1}};
  m.f = {{0, 11, 5}, {0, 5, 1},  {0, 1, 7},   {0, 7, 10}, {0, 10, 11}, {1, 5, 9}, {5, 11, 4},
         {11, 10, 2}, {10, 7, 6}, {7, 1, 8}, {3, 9, 4},  {3, 4, 2},  {3, 2, 6},  {3, 6, 8},
         {3, 8, 9},  {4, 9, 5},  {2, 4, 11}, {6, 2, 10}, {8, 6, 7},  {9, 8, 1}};
  return m;
}

std::string num(double x) {
  char b[64];
  std::snprintf(b, sizeof b, "%.17g", x);
  return b;
}

// OBJ with three fresh vertices per face (like STL exports): welding must find 12.
std::string icoObjSoup() {
  const Ico m = icosahedron();
  std::string s = "# icosahedron, vertices repeated per face\n";
  for (const auto& f : m.f)
    for (int c : f) s += "v " + num(m.v[c][0]) + " " + num(m.v[c][1]) + " " + num(m.v[c][2]) + "\n";
  for (std::size_t i = 0; i < m.f.size(); ++i)
    s += "f " + std::to_string(3 * i + 1) + " " + std::to_string(3 * i + 2) + " " + std::to_string(3 * i + 3) + "\n";
  return s;
}

std::string icoOff() {
  const Ico m = icosahedron();
  std::string s = "OFF\n# comment\n12 20 30\n";
  for (const auto& p : m.v) s += num(p[0]) + " " + num(p[1]) + " " + num(p[2]) + "\n";
  for (const auto& f : m.f) s += "3 " + std::to_string(f[0]) + " " + std::to_string(f[1]) + " " + std::to_string(f[2]) + "\n";
  return s;
}

std::string icoPlyAscii() {
  const Ico m = icosahedron();
  std::string s = "ply\nformat ascii 1.0\ncomment icosahedron\nelement vertex 12\nproperty float x\nproperty float y\n"
                  "property float z\nelement face 20\nproperty list uchar int vertex_indices\nend_header\n";
  for (const auto& p : m.v) s += num(p[0]) + " " + num(p[1]) + " " + num(p[2]) + "\n";
  for (const auto& f : m.f) s += "3 " + std::to_string(f[0]) + " " + std::to_string(f[1]) + " " + std::to_string(f[2]) + "\n";
  return s;
}

template <typename T>
void put(std::string& s, T value, bool bigEndian) {
  char b[sizeof(T)];
  std::memcpy(b, &value, sizeof(T));
  if (bigEndian != (std::endian::native == std::endian::big)) std::reverse(b, b + sizeof(T));
  s.append(b, sizeof(T));
}

std::string icoPlyBinary(bool bigEndian) {
  const Ico m = icosahedron();
  std::string s = std::string("ply\nformat ") + (bigEndian ? "binary_big_endian" : "binary_little_endian") +
                  " 1.0\nelement vertex 12\nproperty double x\nproperty double y\nproperty double z\n"
                  "property uchar red\nproperty uchar green\nproperty uchar blue\n"
                  "element face 20\nproperty list uchar uint vertex_indices\nend_header\n";
  for (const auto& p : m.v) {
    for (double x : p) put(s, x, bigEndian);
    for (int c = 0; c < 3; ++c) put<unsigned char>(s, 255, bigEndian);
  }
  for (const auto& f : m.f) {
    put<unsigned char>(s, 3, bigEndian);
    for (int c : f) put(s, static_cast<std::uint32_t>(c), bigEndian);
  }
  return s;
}

std::string icoStlAscii() {
  const Ico m = icosahedron();
  std::string s = "solid ico\n";
  for (const auto& f : m.f) {
    s += "  facet normal 0 0 0\n    outer loop\n";
    for (int c : f) s += "      vertex " + num(m.v[c][0]) + " " + num(m.v[c][1]) + " " + num(m.v[c][2]) + "\n";
    s += "    endloop\n  endfacet\n";
  }
  return s + "endsolid ico\n";
}

std::string icoStlBinary() {
  const Ico m = icosahedron();
  std::string s(80, ' ');
  s.replace(0, 9, "binary ic");
  put<std::uint32_t>(s, 20, false);
  for (const auto& f : m.f) {
    for (int k = 0; k < 3; ++k) put<float>(s, 0.f, false);
    for (int c : f)
      for (int d = 0; d < 3; ++d) put<float>(s, static_cast<float>(m.v[c][d]), false);
    put<std::uint16_t>(s, 0, false);
  }
  return s;
}

struct Generated {
  std::string name;
  std::string bytes;
  bool declaresCounts;  // the format announces element counts, so a cut that loses data must warn
};

std::vector<Generated> icoFiles() {
  return {{"ico.obj", icoObjSoup(), false},         {"ico.off", icoOff(), true},
          {"ico_ascii.ply", icoPlyAscii(), true},   {"ico_le.ply", icoPlyBinary(false), true},
          {"ico_be.ply", icoPlyBinary(true), true}, {"ico_ascii.stl", icoStlAscii(), false},
          {"ico_bin.stl", icoStlBinary(), true}};
}

std::vector<Generated> otherFiles() {
  std::vector<Generated> g;
  g.push_back({"pts.xyz", "0 0 0\n1 0 0\n0 1 0\n0 0 1\n1 1 1\n", false});
  g.push_back({"pts.xyzn", "0 0 0 0 0 1\n1 0 0 0 0 1\n0 1 0 1 0 0\n0 0 1 0 1 0\n", false});
  g.push_back({"pts.xyzrgb", "0 0 0 255 0 0\n1 0 0 0 255 0\n0 1 0 0 0 255\n0 0 1 10 20 30\n", false});
  g.push_back({"pts.pts", "4\n0 0 0 5 255 0 0\n1 0 0 5 0 255 0\n0 1 0 5 0 0 255\n0 0 1 5 10 20 30\n", true});
  g.push_back({"ascii.pcd",
               "# .PCD v0.7\nVERSION 0.7\nFIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 4\nHEIGHT 1\n"
               "VIEWPOINT 0 0 0 1 0 0 0\nPOINTS 4\nDATA ascii\n0 0 0\n1 0 0\n0 1 0\n0 0 1\n",
               true});
  std::string bin = "VERSION 0.7\nFIELDS x y z rgb\nSIZE 4 4 4 4\nTYPE F F F U\nCOUNT 1 1 1 1\nWIDTH 4\nHEIGHT 1\n"
                    "POINTS 4\nDATA binary\n";
  const float pts[4][3] = {{0, 0, 0}, {1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
  for (const auto& p : pts) {
    for (float x : p) put(bin, x, false);
    put<std::uint32_t>(bin, 0x00FF8000u, false);  // r 255, g 128, b 0
  }
  g.push_back({"binary.pcd", bin, true});
  g.push_back({"g.edges", "# comment\n0 1\n1 2 2.5\n% other comment\n2 0\n", false});
  g.push_back({"g.mtx",
               "%%MatrixMarket matrix coordinate real symmetric\n% c\n4 4 3\n2 1 1.0\n3 2 2.0\n4 3 0.5\n", true});
  return g;
}

// A 3 x 2 24-bit BMP with known pixels (bottom-up rows, padded to 4 bytes).
std::string bmp3x2() {
  const unsigned char px[2][3][3] = {{{255, 0, 0}, {0, 255, 0}, {0, 0, 255}},          // top row (R G B)
                                     {{0, 0, 0}, {255, 255, 255}, {128, 128, 128}}};  // bottom row
  const int rowBytes = 12;  // 9 bytes + 3 padding
  std::string s = "BM";
  put<std::uint32_t>(s, 54 + rowBytes * 2, false);
  put<std::uint32_t>(s, 0, false);
  put<std::uint32_t>(s, 54, false);
  put<std::uint32_t>(s, 40, false);
  put<std::int32_t>(s, 3, false);
  put<std::int32_t>(s, 2, false);
  put<std::uint16_t>(s, 1, false);
  put<std::uint16_t>(s, 24, false);
  for (int k = 0; k < 6; ++k) put<std::uint32_t>(s, 0, false);
  for (int row = 1; row >= 0; --row) {
    for (int x = 0; x < 3; ++x)
      for (int c = 2; c >= 0; --c) s.push_back(static_cast<char>(px[row][x][c]));  // BGR
    s.append(3, '\0');
  }
  return s;
}

std::size_t nodeCount(const Scene& s) {
  switch (s.kind()) {
    case SceneKind::Mesh: return static_cast<std::size_t>(meshOf(s).vertices.rows() + meshOf(s).triangles.rows());
    case SceneKind::Points: return static_cast<std::size_t>(pointsOf(s).points.rows());
    case SceneKind::Graph: return std::get<EdgeListGraph>(s.data).edges.size();
    case SceneKind::Image: return std::get<Image>(s.data).pixels.size();
  }
  return 0;
}

}  // namespace

// ================================================================== real files

TEST(IoReal, PlyFiles) {
  REQUIRE_MODELS();
  const Scene cube = loadScene(kModels + "/PLY/cube.ply");
  EXPECT_EQ(meshOf(cube).vertices.rows(), 8);
  EXPECT_EQ(meshOf(cube).triangles.rows(), 12);  // 6 quads, fan-triangulated
  const Scene bin = loadScene(kModels + "/PLY/cube_binary.ply");
  EXPECT_EQ(meshOf(bin).vertices.rows(), 8);
  EXPECT_EQ(meshOf(bin).triangles.rows(), 12);
  // Free-text header line without 'comment' (Open3D refuses this file): loads with a warning.
  const Scene wuson = loadScene(kModels + "/PLY/Wuson.ply");
  EXPECT_EQ(meshOf(wuson).triangles.rows(), 3732);
  EXPECT_EQ(meshOf(wuson).vertices.rows(), 2117);  // same count as Wuson.off / .obj / .stl below
  EXPECT_EQ(meshOf(wuson).normals.rows(), 2117);
  EXPECT_TRUE(anyWarningHas(wuson, "line 3 not understood"));
  // Vertices only: a point cloud with colours (uchar -> [0,1]) and normals.
  const Scene pts = loadScene(kModels + "/PLY/points.ply");
  ASSERT_EQ(pts.kind(), SceneKind::Points);
  EXPECT_EQ(pointsOf(pts).points.rows(), 4);
  EXPECT_DOUBLE_EQ(pointsOf(pts).colors(1, 1), 0.0);
  EXPECT_DOUBLE_EQ(pointsOf(pts).colors(1, 2), 1.0);
  EXPECT_DOUBLE_EQ(pointsOf(pts).normals(3, 1), 1.0);
  // Float colours in [0, 1] are kept.
  const Scene fc = loadScene(kModels + "/PLY/float-color.ply");
  EXPECT_DOUBLE_EQ(meshOf(fc).colors(0, 2), 1.0);
  // Header declares a list the vertex lines do not have: 24 points (a cube's corners, three times
  // each), with a warning; coincident points are merged into the cube's 8 corners, with a warning.
  const Scene i623 = loadScene(kModels + "/PLY/issue623.ply");
  EXPECT_EQ(pointsOf(i623).points.rows(), 8);
  EXPECT_TRUE(anyWarningHas(i623, "vertex_indices"));
  EXPECT_TRUE(anyWarningHas(i623, "16 coincident points merged (24 read, 8 distinct)"));
  // pond.0.ply misses 69 bytes inside the data (not only at the end): vertex 714 decodes to NaN.
  const std::string pond = loadError(kModels + "/PLY/pond.0.ply");
  EXPECT_NE(pond.find("pond.0.ply: byte 22410: vertex 714"), std::string::npos) << pond;
  EXPECT_NE(pond.find("69 bytes shorter"), std::string::npos) << pond;
}

TEST(IoReal, SameModelInFourFormatsAgrees) {
  REQUIRE_MODELS();
  // Wuson.off announces 3205 vertices / 3732 triangles; after welding every format has 2117.
  for (const char* f : {"/OFF/Wuson.off", "/OBJ/WusonOBJ.obj", "/STL/Wuson.stl", "/PLY/Wuson.ply"}) {
    const Scene s = loadScene(kModels + f);
    EXPECT_EQ(meshOf(s).vertices.rows(), 2117) << f;
    EXPECT_EQ(meshOf(s).triangles.rows(), 3732) << f;
  }
}

TEST(IoReal, ObjStlOffGltf) {
  REQUIRE_MODELS();
  const Scene box = loadScene(kModels + "/OBJ/box.obj");
  EXPECT_EQ(meshOf(box).vertices.rows(), 8);
  EXPECT_EQ(meshOf(box).triangles.rows(), 12);
  const Scene utf16 = loadScene(kModels + "/OBJ/box_UTF16BE.obj");
  EXPECT_EQ(meshOf(utf16).vertices.rows(), 8);
  const Scene vc = loadScene(kModels + "/OBJ/cube_with_vertexcolors.obj");
  EXPECT_EQ(meshOf(vc).colors.rows(), 8);
  EXPECT_NEAR(meshOf(vc).colors(0, 0), 0.48627, 1e-12);
  EXPECT_EQ(meshOf(vc).normals.rows(), 8);
  const Scene pc = loadScene(kModels + "/OBJ/point_cloud.obj");
  ASSERT_EQ(pc.kind(), SceneKind::Points);
  EXPECT_EQ(pointsOf(pc).points.rows(), 3);
  EXPECT_EQ(pointsOf(pc).normals.rows(), 3);
  // STL ascii and binary of the same spider: the same welded counts.
  const Scene sa = loadScene(kModels + "/STL/Spider_ascii.stl");
  const Scene sb = loadScene(kModels + "/STL/Spider_binary.stl");
  EXPECT_EQ(meshOf(sa).vertices.rows(), meshOf(sb).vertices.rows());
  EXPECT_EQ(meshOf(sa).triangles.rows(), meshOf(sb).triangles.rows());
  const Scene two = loadScene(kModels + "/STL/triangle_with_two_solids.stl");
  EXPECT_EQ(meshOf(two).vertices.rows(), 6);
  EXPECT_EQ(meshOf(two).triangles.rows(), 2);
  const Scene max = loadScene(kModels + "/STL/3DSMaxExport.STL");  // binary, 2000 facets
  EXPECT_EQ(meshOf(max).triangles.rows(), 2000);
  const Scene off = loadScene(kModels + "/OFF/Cube.off");
  EXPECT_EQ(meshOf(off).vertices.rows(), 8);
  EXPECT_EQ(meshOf(off).triangles.rows(), 12);
  // glTF: a box with 24 vertices (4 per face) welds to 8.
  for (const char* f : {"/glTF2/BoxTextured-glTF-Binary/BoxTextured.glb", "/glTF2/BoxTextured-glTF/BoxTextured.gltf"}) {
    const Scene g = loadScene(kModels + f);
    EXPECT_EQ(meshOf(g).vertices.rows(), 8) << f;
    EXPECT_EQ(meshOf(g).triangles.rows(), 12) << f;
  }
  EXPECT_NE(loadError(kModels + "/glTF2/BoxWithInfinites-glTF-Binary/BoxWithInfinites.glb").find("not finite"),
            std::string::npos);
  // The first index, 255, lies past the 24 vertices.
  EXPECT_NE(loadError(kModels + "/glTF2/IndexOutOfRange/IndexOutOfRange.gltf")
                .find("meshes[0].primitives[0].indices: vertex index 255 out of range (24 vertices)"),
            std::string::npos);
  EXPECT_NE(loadError(kModels + "/glTF2/MissingBin/BoxTextured.gltf").find("BoxTextured0.bin' not found"),
            std::string::npos);
}

TEST(IoReal, Images) {
  REQUIRE_MODELS();
  const Scene png = loadScene(kModels + "/glTF/BoxTextured-glTF/CesiumLogoFlat.png");
  const Image& p = std::get<Image>(png.data);
  EXPECT_EQ(p.width, 211);
  EXPECT_EQ(p.height, 211);
  EXPECT_EQ(p.channels, 3);
  const Scene jpg = loadScene(kModels + "/OBJ/SpiderTex.jpg");
  EXPECT_EQ(std::get<Image>(jpg.data).width, 249);
  EXPECT_EQ(std::get<Image>(jpg.data).height, 250);
  const Scene bmp = loadScene(kModels + "/MD2/sydney.bmp");  // 8-bit palette
  EXPECT_EQ(std::get<Image>(bmp.data).width, 308);
  EXPECT_EQ(std::get<Image>(bmp.data).height, 193);
}

TEST(IoReal, EveryInvalidFileGivesOneError) {
  REQUIRE_MODELS();
  int n = 0;
  for (const auto& entry : fs::directory_iterator(kModels + "/invalid")) {
    const std::string path = entry.path().string();
    const std::string msg = loadError(path);
    EXPECT_EQ(msg.rfind(path + ": ", 0), 0u) << msg;  // starts with the file name
    EXPECT_EQ(msg.find('\n'), std::string::npos) << msg;
    ++n;
  }
  EXPECT_GE(n, 15);
  EXPECT_NE(loadError(kModels + "/invalid/OutOfMemory.off").find("line 2: header announces 353535235358 vertices"),
            std::string::npos);
  EXPECT_NE(loadError(kModels + "/invalid/malformed.obj").find("line 28:"), std::string::npos);
  EXPECT_NE(loadError(kModels + "/invalid/malformed2.obj").find("line 23: face with 0 vertices"), std::string::npos);
  EXPECT_NE(loadError(kModels + "/invalid/empty.ply").find("empty file"), std::string::npos);
}

// ================================================================== generated files

TEST(IoGenerated, IcosahedronInEveryMeshFormat) {
  const std::string dir = topomask::testing::tempDir("io_ico");
  for (const Generated& g : icoFiles()) {
    const std::string path = dir + "/" + g.name;
    writeBytes(path, g.bytes);
    const Fingerprint before = fingerprint(path);
    const Scene s = loadScene(path);
    const Mesh& m = meshOf(s);
    EXPECT_EQ(m.vertices.rows(), 12) << g.name;
    EXPECT_EQ(m.triangles.rows(), 20) << g.name;
    // Each vertex of an icosahedron has degree 5: each appears in exactly 5 triangles.
    std::vector<int> uses(12, 0);
    for (Eigen::Index t = 0; t < m.triangles.rows(); ++t)
      for (int c = 0; c < 3; ++c) ++uses[static_cast<std::size_t>(m.triangles(t, c))];
    for (int u : uses) EXPECT_EQ(u, 5) << g.name;
    // Edge length 2 everywhere.
    for (Eigen::Index t = 0; t < m.triangles.rows(); ++t)
      EXPECT_NEAR((m.vertices.row(m.triangles(t, 0)) - m.vertices.row(m.triangles(t, 1))).norm(), 2.0, 1e-6) << g.name;
    EXPECT_TRUE(fingerprint(path) == before) << g.name << " was modified";
  }
  // Binary PLY colours: uchar 255 -> 1.
  const Scene le = loadScene(dir + "/ico_le.ply");
  EXPECT_EQ(meshOf(le).colors.rows(), 12);
  EXPECT_DOUBLE_EQ(meshOf(le).colors(5, 1), 1.0);
  EXPECT_TRUE(meshOf(le).vertices.isApprox(meshOf(loadScene(dir + "/ico_be.ply")).vertices));
}

TEST(IoGenerated, PointCloudsImagesGraphs) {
  const std::string dir = topomask::testing::tempDir("io_other");
  for (const Generated& g : otherFiles()) writeBytes(dir + "/" + g.name, g.bytes);
  const Scene xyz = loadScene(dir + "/pts.xyz");
  EXPECT_EQ(pointsOf(xyz).points.rows(), 5);
  EXPECT_EQ(pointsOf(xyz).normals.rows(), 0);
  const Scene xyzn = loadScene(dir + "/pts.xyzn");
  EXPECT_EQ(pointsOf(xyzn).normals.rows(), 4);
  EXPECT_DOUBLE_EQ(pointsOf(xyzn).normals(2, 0), 1.0);
  const Scene rgb = loadScene(dir + "/pts.xyzrgb");
  EXPECT_EQ(pointsOf(rgb).colors.rows(), 4);
  EXPECT_DOUBLE_EQ(pointsOf(rgb).colors(0, 0), 1.0);
  EXPECT_NEAR(pointsOf(rgb).colors(3, 2), 30.0 / 255.0, 1e-15);
  // Six columns in a .xyz file: unit vectors -> normals, 0..255 integers -> colours.
  writeBytes(dir + "/n6.xyz", "0 0 0 0 0 1\n1 0 0 0.6 0.8 0\n");
  EXPECT_EQ(pointsOf(loadScene(dir + "/n6.xyz")).normals.rows(), 2);
  writeBytes(dir + "/c6.xyz", "0 0 0 0 0 200\n1 0 0 30 80 0\n");
  EXPECT_NEAR(pointsOf(loadScene(dir + "/c6.xyz")).colors(0, 2), 200.0 / 255.0, 1e-15);
  const Scene pts = loadScene(dir + "/pts.pts");
  EXPECT_EQ(pointsOf(pts).points.rows(), 4);
  EXPECT_DOUBLE_EQ(pointsOf(pts).colors(1, 1), 1.0);
  EXPECT_EQ(pointsOf(loadScene(dir + "/ascii.pcd")).points.rows(), 4);
  const Scene bpcd = loadScene(dir + "/binary.pcd");
  EXPECT_EQ(pointsOf(bpcd).points.rows(), 4);
  EXPECT_DOUBLE_EQ(pointsOf(bpcd).points(3, 2), 1.0);
  EXPECT_NEAR(pointsOf(bpcd).colors(0, 1), 128.0 / 255.0, 1e-15);

  writeBytes(dir + "/img.bmp", bmp3x2());
  const Image img = std::get<Image>(loadScene(dir + "/img.bmp").data);
  ASSERT_EQ(img.width, 3);
  ASSERT_EQ(img.height, 2);
  ASSERT_EQ(img.channels, 3);
  EXPECT_FLOAT_EQ(img.at(0, 0, 0), 1.0f);  // top-left red
  EXPECT_FLOAT_EQ(img.at(2, 0, 2), 1.0f);  // top-right blue
  EXPECT_FLOAT_EQ(img.at(1, 1, 1), 1.0f);  // bottom-middle white
  EXPECT_NEAR(img.intensity(2, 1), 128.0f / 255.0f, 1e-6);

  const EdgeListGraph el = std::get<EdgeListGraph>(loadScene(dir + "/g.edges").data);
  EXPECT_EQ(el.nodes, 3);
  EXPECT_EQ(el.edges.size(), 3u);
  EXPECT_TRUE(el.weighted);
  EXPECT_FALSE(el.oneBased);
  EXPECT_DOUBLE_EQ(el.edges[1].w, 2.5);
  const EdgeListGraph mm = std::get<EdgeListGraph>(loadScene(dir + "/g.mtx").data);
  EXPECT_EQ(mm.nodes, 4);
  ASSERT_EQ(mm.edges.size(), 3u);
  EXPECT_EQ(mm.edges[0].i, 1);
  EXPECT_EQ(mm.edges[0].j, 0);
  EXPECT_DOUBLE_EQ(mm.edges[1].w, 2.0);
}

TEST(IoGenerated, EdgeListIndexBaseDetection) {
  const std::string dir = topomask::testing::tempDir("io_base");
  writeBytes(dir + "/one.txt", "1 2\n2 3\n3 1\n");
  const Scene one = loadScene(dir + "/one.txt");
  const auto& g1 = std::get<EdgeListGraph>(one.data);
  EXPECT_TRUE(g1.oneBased);
  EXPECT_EQ(g1.nodes, 3);
  EXPECT_EQ(g1.edges[2].i, 2);
  EXPECT_EQ(g1.edges[2].j, 0);
  EXPECT_TRUE(anyWarningHas(one, "1-based"));
  // Smallest index 2 and no 0: stays 0-based (nodes 0 and 1 isolated).
  writeBytes(dir + "/two.el", "2 3\n3 4\n");
  const EdgeListGraph g2 = std::get<EdgeListGraph>(loadScene(dir + "/two.el").data);
  EXPECT_FALSE(g2.oneBased);
  EXPECT_EQ(g2.nodes, 5);
  writeBytes(dir + "/pattern.mtx", "%%MatrixMarket matrix coordinate pattern general\n3 3 2\n1 2\n3 1\n");
  const EdgeListGraph gp = std::get<EdgeListGraph>(loadScene(dir + "/pattern.mtx").data);
  EXPECT_FALSE(gp.weighted);
  EXPECT_EQ(gp.edges.size(), 2u);
  EXPECT_EQ(gp.edges[1].i, 2);
  writeBytes(dir + "/rect.mtx", "%%MatrixMarket matrix coordinate real general\n3 4 1\n1 2 1\n");
  EXPECT_NE(loadError(dir + "/rect.mtx").find("line 2: matrix is 3 x 4; an adjacency matrix must be square"),
            std::string::npos);
  writeBytes(dir + "/range.mtx", "%%MatrixMarket matrix coordinate integer symmetric\n3 3 1\n4 1 1\n");
  EXPECT_NE(loadError(dir + "/range.mtx").find("line 3: entry 0: index (4, 1) out of range"), std::string::npos);
  writeBytes(dir + "/empty.edges", "# only a comment\n\n");
  EXPECT_NE(loadError(dir + "/empty.edges").find("zero nodes"), std::string::npos);
  writeBytes(dir + "/huge.edges", "0 99999999999\n");
  EXPECT_NE(loadError(dir + "/huge.edges").find("line 1: node index 99999999999"), std::string::npos);
  writeBytes(dir + "/neg.edges", "0 1\n1 -2\n");
  EXPECT_NE(loadError(dir + "/neg.edges").find("line 2: negative node index"), std::string::npos);
}

TEST(IoGenerated, WeldingToleranceAndDegenerateTriangles) {
  const std::string dir = topomask::testing::tempDir("io_weld");
  // Two triangles sharing an edge whose copies differ by 1e-12 (bbox diagonal ~1.4).
  writeBytes(dir + "/near.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1.000000000001 0 0\nv 0 1.000000000001 0\nv 1 1 0\n"
                                "f 1 2 3\nf 4 6 5\n");
  LoadOptions exact;
  exact.weldTolerance = 0.0;
  EXPECT_EQ(meshOf(loadScene(dir + "/near.obj", exact)).vertices.rows(), 6);
  EXPECT_EQ(meshOf(loadScene(dir + "/near.obj")).vertices.rows(), 4);
  // A triangle that collapses after welding is dropped with a warning.
  writeBytes(dir + "/degen.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nv 0 0 0\nf 1 2 3\nf 1 4 2\n");
  const Scene d = loadScene(dir + "/degen.obj");
  EXPECT_EQ(meshOf(d).triangles.rows(), 1);
  EXPECT_TRUE(anyWarningHas(d, "1 of 2 triangles dropped as degenerate"));
}

// ================================================================== bad input

TEST(IoBad, PathsAndExtensions) {
  const std::string dir = topomask::testing::tempDir("io_paths");
  EXPECT_NE(loadError(dir + "/missing.obj").find("missing.obj: file not found"), std::string::npos);
  fs::create_directories(dir + "/folder.ply");
  EXPECT_NE(loadError(dir + "/folder.ply").find("is a directory"), std::string::npos);
  writeBytes(dir + "/thing.xyzw", "1 2 3\n");
  EXPECT_NE(loadError(dir + "/thing.xyzw").find("unknown file type '.xyzw'"), std::string::npos);
  for (const char* name : {"e.obj", "e.ply", "e.stl", "e.off", "e.glb", "e.pcd", "e.xyz", "e.pts", "e.png", "e.mtx", "e.edges"}) {
    writeBytes(dir + "/" + name, "");
    EXPECT_NE(loadError(dir + "/" + name).find(std::string(name) + ": empty file"), std::string::npos) << name;
  }
}

TEST(IoBad, NanInfAndOutOfRange) {
  const std::string dir = topomask::testing::tempDir("io_nan");
  writeBytes(dir + "/nan.obj", "v 0 0 0\nv 1 0 0\nv nan 1 0\nf 1 2 3\n");
  EXPECT_NE(loadError(dir + "/nan.obj").find("nan.obj: line 3: vertex 3: coordinate 'nan' is not finite"), std::string::npos);
  writeBytes(dir + "/inf.xyz", "0 0 0\n1 inf 0\n");
  EXPECT_NE(loadError(dir + "/inf.xyz").find("line 2: point 1: value 'inf' is not finite"), std::string::npos);
  writeBytes(dir + "/big.off", "OFF\n3 1 0\n0 0 0\n1e999 0 0\n0 1 0\n3 0 1 2\n");
  EXPECT_NE(loadError(dir + "/big.off").find("line 4: vertex 1: coordinate '1e999' is not finite"), std::string::npos);
  std::string ply = icoPlyBinary(false);
  const std::size_t body = ply.find("end_header\n") + 11;
  const double nan = std::nan("");
  std::memcpy(&ply[body + 5 * 27 + 8], &nan, 8);  // vertex 5, y (27 bytes per vertex)
  writeBytes(dir + "/nan.ply", ply);
  EXPECT_NE(loadError(dir + "/nan.ply").find("nan.ply: byte " + std::to_string(body + 5 * 27) + ": vertex 5: coordinate y is not finite"),
            std::string::npos);
  writeBytes(dir + "/range.obj", "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2 9\n");
  EXPECT_NE(loadError(dir + "/range.obj").find("line 5: face vertex index 9 out of range (3 vertices)"), std::string::npos);
  std::string off = icoOff();
  off.replace(off.rfind("3 9 8 1"), 7, "3 9 8 12");
  writeBytes(dir + "/range.off", off);
  EXPECT_NE(loadError(dir + "/range.off").find("face 19: vertex index 12 out of range (12 vertices)"), std::string::npos);
  std::string aply = icoPlyAscii();
  aply.replace(aply.rfind("3 9 8 1"), 7, "3 9 8 -1");
  writeBytes(dir + "/range.ply", aply);
  EXPECT_NE(loadError(dir + "/range.ply").find("line 42: face 19: vertex index -1 out of range"), std::string::npos);
}

TEST(IoBad, HugeCountsAreRefusedBeforeAllocating) {
  const std::string dir = topomask::testing::tempDir("io_huge");
  std::string ply = icoPlyAscii();
  ply.replace(ply.find("element face 20"), 15, "element face 1000000000000");
  writeBytes(dir + "/huge.ply", ply);
  EXPECT_NE(loadError(dir + "/huge.ply").find("header line 8: header announces 1000000000000 faces"), std::string::npos);
  std::string bply = icoPlyBinary(true);
  bply.replace(bply.find("element vertex 12"), 17, "element vertex 4000000000000000000");
  writeBytes(dir + "/huge_bin.ply", bply);
  EXPECT_NE(loadError(dir + "/huge_bin.ply").find("announces 4000000000000000000 vertices"), std::string::npos);
  std::string stl = icoStlBinary();
  const std::uint32_t many = 0xFFFFFFFFu;
  std::memcpy(&stl[80], &many, 4);
  writeBytes(dir + "/huge.stl", stl);
  EXPECT_NE(loadError(dir + "/huge.stl").find("20 of 4294967295 triangles read"), std::string::npos);
  writeBytes(dir + "/huge.pts", "1000000000000\n0 0 0\n");
  EXPECT_NE(loadError(dir + "/huge.pts").find("line 1: header announces 1000000000000 points"), std::string::npos);
  writeBytes(dir + "/huge.pcd", "FIELDS x y z\nSIZE 4 4 4\nTYPE F F F\nCOUNT 1 1 1\nWIDTH 1000000000000\nHEIGHT 1\n"
                                "POINTS 1000000000000\nDATA binary\n0000");
  EXPECT_NE(loadError(dir + "/huge.pcd").find("line 8: header announces 1000000000000 points"), std::string::npos);
  writeBytes(dir + "/huge.mtx", "%%MatrixMarket matrix coordinate real general\n5 5 1000000000000\n1 2 1\n");
  EXPECT_NE(loadError(dir + "/huge.mtx").find("line 2: header announces 1000000000000 entries"), std::string::npos);
  writeBytes(dir + "/nodes.mtx", "%%MatrixMarket matrix coordinate real general\n1000000000000 1000000000000 1\n1 2 1\n");
  EXPECT_NE(loadError(dir + "/nodes.mtx").find("line 2: matrix of 1000000000000 nodes"), std::string::npos);
}

TEST(IoBad, BinaryPlyEndingEarlyKeepsCompleteVertices) {
  const std::string dir = topomask::testing::tempDir("io_short");
  // 100 points of 13 bytes, cut inside point 97: 97 complete points and a warning.
  std::string s = "ply\nformat binary_little_endian 1.0\nelement vertex 100\nproperty float x\nproperty float y\n"
                  "property float z\nproperty uchar red\nend_header\n";
  for (int i = 0; i < 100; ++i) {
    for (int d = 0; d < 3; ++d) put<float>(s, static_cast<float>(i + d), false);
    put<unsigned char>(s, 7, false);
  }
  s.resize(s.size() - 3 * 13 + 5);
  writeBytes(dir + "/short.ply", s);
  const Scene sc = loadScene(dir + "/short.ply");
  EXPECT_EQ(pointsOf(sc).points.rows(), 97);
  EXPECT_TRUE(anyWarningHas(sc, "97 of 100 vertices read")) << (sc.warnings.empty() ? "" : sc.warnings[0]);
  // Faces cut: complete faces kept with a warning while at least half are there.
  std::string ico = icoPlyBinary(false);
  ico.resize(ico.size() - 3 * 13 - 2);
  writeBytes(dir + "/faces.ply", ico);
  const Scene f = loadScene(dir + "/faces.ply");
  EXPECT_EQ(meshOf(f).triangles.rows(), 16);
  EXPECT_TRUE(anyWarningHas(f, "16 of 20 faces read"));
}

// Every prefix of every small generated file: a clean load (with a warning when data announced
// in a header is missing) or one Error naming the file; never a crash. Also random bytes.
TEST(IoBad, TruncationAtEveryByteAndRandomBytes) {
  const std::string dir = topomask::testing::tempDir("io_cut");
  std::vector<Generated> files = icoFiles();
  for (Generated& g : otherFiles()) files.push_back(g);
  const auto start = std::chrono::steady_clock::now();
  std::size_t loads = 0, errors = 0;
  for (const Generated& g : files) {
    const std::string full = dir + "/full_" + g.name;
    writeBytes(full, g.bytes);
    const Fingerprint fullBefore = fingerprint(full);
    const std::size_t fullCount = nodeCount(loadScene(full));
    const std::string path = dir + "/cut_" + g.name;
    const std::size_t step = g.bytes.size() > 600 ? g.bytes.size() / 300 : 1;  // every byte of small files
    for (std::size_t n = 0; n < g.bytes.size(); n += step) {
      writeBytes(path, g.bytes.substr(0, n));
      ++loads;
      try {
        const Scene s = loadScene(path);
        if (g.declaresCounts && nodeCount(s) < fullCount) {
          EXPECT_FALSE(s.warnings.empty()) << g.name << " cut at " << n << " lost data without a warning";
        }
      } catch (const Error& e) {
        ++errors;
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      }
    }
    // Random bytes with this extension.
    std::mt19937_64 rng(12345);
    for (int trial = 0; trial < 20; ++trial) {
      std::string junk(1 + rng() % 400, '\0');
      for (char& c : junk) c = static_cast<char>(rng() & 0xFF);
      if (trial % 2 == 1) junk = g.bytes.substr(0, g.bytes.find('\n') + 1) + junk;  // valid first line, then junk
      writeBytes(path, junk);
      try {
        loadScene(path);
      } catch (const Error& e) {
        EXPECT_EQ(std::string(e.what()).rfind(path + ": ", 0), 0u) << e.what();
      }
    }
    EXPECT_TRUE(fingerprint(full) == fullBefore) << g.name << " was modified";
  }
  EXPECT_GT(errors, loads / 4);
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  RecordProperty("loads", static_cast<int>(loads));
  std::printf("[ io ] %zu truncated loads (%zu errors) in %.2f s\n", loads, errors, seconds);
}

TEST(IoBad, LoaderLeavesInputUnchanged) {
  REQUIRE_MODELS();
  const std::string dir = topomask::testing::tempDir("io_unchanged");
  const std::string copy = dir + "/pond.0.ply";
  fs::copy_file(kModels + "/PLY/pond.0.ply", copy);
  const Fingerprint before = fingerprint(copy);
  loadError(copy);
  const Fingerprint mid = fingerprint(copy);
  const std::string wuson = dir + "/Wuson.ply";
  fs::copy_file(kModels + "/PLY/Wuson.ply", wuson);
  const Fingerprint wb = fingerprint(wuson);
  loadScene(wuson);
  EXPECT_TRUE(before == mid);
  EXPECT_TRUE(wb == fingerprint(wuson));
}

// Voxel tokens of a cloud: at most the target, each the mean of its cell, a cloud at or under the
// target unchanged.
TEST(IoGenerated, VoxelSubsampleKeepsAtMostTheTargetAndMeans) {
  PointCloud cloud;
  const int side = 60;  // 216000 points on a lattice of spacing 1
  cloud.points.resize(side * side * side, 3);
  cloud.colors.resize(side * side * side, 3);
  for (int i = 0; i < side * side * side; ++i) {
    cloud.points.row(i) << i % side, (i / side) % side, i / (side * side);
    cloud.colors.row(i) << 0.25, 0.5, (i % 2) ? 1.0 : 0.0;
  }
  double cell = 0.0;
  const PointCloud t = voxelSubsample(cloud, 5000, &cell);
  EXPECT_LE(t.points.rows(), 5000);
  EXPECT_GT(t.points.rows(), 5000 / 8);  // bisection: a slightly finer side would exceed the target
  EXPECT_GT(cell, 1.0);
  EXPECT_EQ(t.colors.rows(), t.points.rows());
  // Means: the tokens' centroid near the cloud's, colours stay in range and average the checkerboard.
  EXPECT_LT((t.points.colwise().mean() - cloud.points.colwise().mean()).norm(), 0.15 * side);
  EXPECT_NEAR(t.colors.col(0).mean(), 0.25, 1e-12);
  EXPECT_NEAR(t.colors.col(2).mean(), 0.5, 0.05);
  const PointCloud same = voxelSubsample(t, 5000, &cell);
  EXPECT_EQ(same.points.rows(), t.points.rows());
  EXPECT_EQ(cell, 0.0);
  EXPECT_THROW(voxelSubsample(cloud, 0), Error);
}

// Vertex clustering of a large mesh: about the target vertices, valid non-degenerate triangles, and
// two sheets closer together than a cell stay two pieces (no edge jumps the gap).
TEST(IoGenerated, ClusterMeshKeepsSheetsThatShareCellsApart) {
  const int side = 200;  // two 200 x 200 vertex sheets 0.5 apart (grid spacing 1): 80000 vertices
  Mesh mesh;
  mesh.vertices.resize(2 * side * side, 3);
  std::vector<Eigen::Vector3i> tris;
  for (int s = 0; s < 2; ++s)
    for (int y = 0; y < side; ++y)
      for (int x = 0; x < side; ++x) {
        const int v = s * side * side + y * side + x;
        mesh.vertices.row(v) << x, y, 0.5 * s;
        if (x + 1 < side && y + 1 < side) {
          tris.emplace_back(v, v + 1, v + side);
          tris.emplace_back(v + 1, v + side + 1, v + side);
        }
      }
  mesh.triangles.resize(static_cast<Eigen::Index>(tris.size()), 3);
  for (std::size_t f = 0; f < tris.size(); ++f) mesh.triangles.row(static_cast<Eigen::Index>(f)) = tris[f].transpose();
  double cell = 0.0;
  const Mesh c = clusterMesh(mesh, 5000, &cell);
  EXPECT_GT(cell, 1.0) << "cells hold both sheets (0.5 apart)";
  EXPECT_GT(c.vertices.rows(), 5000 / 4);
  EXPECT_LE(c.vertices.rows(), 2 * 5000) << "at most the target cells, each split once by the two sheets";
  ASSERT_GT(c.triangles.rows(), c.vertices.rows());
  // Components over the triangles' edges: exactly the two sheets, each a flat sheet at its height.
  std::vector<int> parent(static_cast<std::size_t>(c.vertices.rows()));
  std::iota(parent.begin(), parent.end(), 0);
  std::function<int(int)> find = [&](int v) { return parent[v] == v ? v : parent[v] = find(parent[v]); };
  for (Eigen::Index f = 0; f < c.triangles.rows(); ++f) {
    const Eigen::Vector3i t = c.triangles.row(f).transpose();
    ASSERT_TRUE(t.minCoeff() >= 0 && t.maxCoeff() < c.vertices.rows());
    ASSERT_TRUE(t(0) != t(1) && t(1) != t(2) && t(0) != t(2)) << "no degenerate triangle";
    parent[find(t(0))] = find(t(1));
    parent[find(t(1))] = find(t(2));
  }
  std::map<int, std::pair<double, double>> heights;  // component -> (min z, max z)
  for (Eigen::Index v = 0; v < c.vertices.rows(); ++v) {
    auto [it, fresh] = heights.try_emplace(find(static_cast<int>(v)), c.vertices(v, 2), c.vertices(v, 2));
    it->second.first = std::min(it->second.first, c.vertices(v, 2));
    it->second.second = std::max(it->second.second, c.vertices(v, 2));
  }
  EXPECT_EQ(heights.size(), 2u);
  for (const auto& [root, z] : heights) EXPECT_EQ(z.first, z.second) << "a component lies in one sheet";
  // At or under the target: unchanged.
  const Mesh same = clusterMesh(c, c.vertices.rows(), &cell);
  EXPECT_EQ(same.vertices.rows(), c.vertices.rows());
  EXPECT_EQ(cell, 0.0);
  EXPECT_THROW(clusterMesh(mesh, 0), Error);
}

namespace topomask {
namespace {

// The format table: every extension found in any case, with or without the dot; the families read
// back as the error message lists them; an unknown extension has no row.
TEST(FileFormats, OneTableForTheLoaderTheMessageAndTheBrowser) {
  for (const FileFormat& f : fileFormats()) {
    std::string upper = f.extension;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(findFileFormat(f.extension), &f);
    EXPECT_EQ(findFileFormat("." + upper), &f) << upper;
    EXPECT_NE(f.families, 0u);
    EXPECT_NE(f.read, nullptr);
  }
  EXPECT_EQ(findFileFormat("ply")->families, static_cast<unsigned>(kMeshes | kPoints));
  EXPECT_EQ(findFileFormat(".3ds"), nullptr);
  EXPECT_EQ(findFileFormat(""), nullptr);
  EXPECT_EQ(fileFormatsText(),
            "meshes: obj ply stl off gltf glb; points: ply pcd xyz xyzn xyzrgb pts; images: png jpg jpeg bmp; "
            "graphs: edges txt el mtx");
}

}  // namespace
}  // namespace topomask
