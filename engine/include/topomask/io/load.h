// loadScene: every input format of SPEC section 2, with one clear error on bad input.
#pragma once

#include <cstdint>
#include <string>

#include "topomask/io/geometry.h"

namespace topomask {

struct LoadOptions {
  // Mesh vertices closer than weldTolerance x bounding-box diagonal are merged (0 = exact matches only).
  double weldTolerance = 1e-9;
  // Bytes a decoded image may take (checked from its header, before decoding); 0 = the memory
  // available (core/budget.h).
  std::uint64_t memoryLimit = 0;
};

// Loads a mesh, point cloud, image or graph; the format comes from the extension
// (and the header where the extension is ambiguous, e.g. PLY with or without faces).
// Throws Error("<path>: <where>: <cause>") on anything it cannot use; never modifies the file.
Scene loadScene(const std::string& path, const LoadOptions& options = {});

}  // namespace topomask
