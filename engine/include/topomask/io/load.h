// loadScene: every input format of SPEC section 2, with one clear error on bad input.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "topomask/io/geometry.h"

namespace topomask {

struct LoadOptions {
  // Mesh vertices closer than weldTolerance x bounding-box diagonal are merged (0 = exact matches only).
  double weldTolerance = 1e-9;
  // Bytes a decoded image may take (checked from its header, before decoding); 0 = the memory
  // available (core/budget.h).
  std::uint64_t memoryLimit = 0;
};

// The file formats loadScene reads: one row per extension (lower case, no dot), with the kinds of
// data it holds and its reader. The loader, its error text, the application's file browser and the
// fuzz harnesses read this table; a new format is a reader in src/io/ and a row in load.cpp.
enum FormatFamily : unsigned { kMeshes = 1u, kPoints = 2u, kImages = 4u, kGraphs = 8u };
struct FileFormat {
  const char* extension;  // "obj"
  unsigned families;      // FormatFamily bits ("ply": meshes and points)
  Scene (*read)(const std::string& path, const std::string& extension, const LoadOptions& options);
};
std::span<const FileFormat> fileFormats();
// The row of an extension (any case, with or without the dot); nullptr when none reads it.
const FileFormat* findFileFormat(std::string_view extension);
// "meshes: obj ply stl off gltf glb; points: ply pcd ...; images: ...; graphs: ..."
std::string fileFormatsText();

// Loads a mesh, point cloud, image or graph; the format comes from the extension
// (and the header where the extension is ambiguous, e.g. PLY with or without faces).
// Throws Error("<path>: <where>: <cause>") on anything it cannot use; never modifies the file.
Scene loadScene(const std::string& path, const LoadOptions& options = {});

}  // namespace topomask
