#version 330 core
flat in int vNode;

out uint pickId;

void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  if (dot(p, p) > 1.0) discard;
  pickId = uint(vNode + 1);
}
