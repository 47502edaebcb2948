// Small methods of the plain data types in topomask/io/geometry.h.
#include "topomask/io/geometry.h"

namespace topomask {

float Image::intensity(int x, int y) const {
  if (channels >= 3) {
    return 0.2126f * at(x, y, 0) + 0.7152f * at(x, y, 1) + 0.0722f * at(x, y, 2);
  }
  return at(x, y, 0);
}

const char* sceneKindName(SceneKind kind) {
  switch (kind) {
    case SceneKind::Mesh: return "mesh";
    case SceneKind::Points: return "points";
    case SceneKind::Image: return "image";
    case SceneKind::Graph: return "graph";
  }
  return "unknown";
}

}  // namespace topomask
