#version 330 core
// Gives each fragment the three node ids of its triangle and its barycentric coordinates.
layout(triangles) in;
layout(triangle_strip, max_vertices = 3) out;

flat in int vNode[];

flat out ivec3 gNodes;
out vec3 gBary;

void main() {
  for (int k = 0; k < 3; ++k) {
    gl_Position = gl_in[k].gl_Position;
    gNodes = ivec3(vNode[0], vNode[1], vNode[2]);
    gBary = vec3(k == 0 ? 1.0 : 0.0, k == 1 ? 1.0 : 0.0, k == 2 ? 1.0 : 0.0);
    EmitVertex();
  }
  EndPrimitive();
}
