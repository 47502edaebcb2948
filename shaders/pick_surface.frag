#version 330 core
// Writes 1 + the id of the triangle corner nearest to the fragment.
flat in ivec3 gNodes;
in vec3 gBary;

out uint pickId;

void main() {
  int node = gNodes.x;
  if (gBary.y > gBary.x && gBary.y >= gBary.z) node = gNodes.y;
  else if (gBary.z > gBary.x && gBary.z > gBary.y) node = gNodes.z;
  pickId = uint(node + 1);
}
