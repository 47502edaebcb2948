#version 330 core
// A filled disc of uColor with a white ring and a dark outline.
uniform vec4 uColor;

out vec4 fragColor;

void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  float r = length(p);
  if (r > 1.0) discard;
  if (r > 0.82) fragColor = vec4(0.05, 0.05, 0.05, 1.0);
  else if (r > 0.6) fragColor = vec4(1.0);
  else fragColor = uColor;
}
