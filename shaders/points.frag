#version 330 core
// Round sprite shaded as a small sphere; colour from the scalar through the colormap.
in vec3 vColor;
in float vScalar;

uniform sampler2D uColormap;
uniform vec2 uRange;
uniform int uLogScale;  // 0 linear, 1 log, 2 symlog
uniform float uLinear;
uniform int uHasScalar;

out vec4 fragColor;

vec3 mapScalar(float v) {
  if (isnan(v)) return vec3(0.45);
  float t;
  if (uLogScale == 2) {  // symlog on [-uRange.y, uRange.y], linear within uLinear of 0
    float c = max(uLinear, 1e-30);
    t = 0.5 + 0.5 * sign(v) * log(1.0 + abs(v) / c) / log(1.0 + max(uRange.y, c) / c);
  } else if (uLogScale != 0) {
    float lo = log(max(uRange.x, 1e-30));
    float hi = log(max(uRange.y, 1e-30));
    t = (log(max(v, 1e-30)) - lo) / max(hi - lo, 1e-30);
  } else {
    t = (v - uRange.x) / max(uRange.y - uRange.x, 1e-30);
  }
  return texture(uColormap, vec2(clamp(t, 0.0, 1.0), 0.5)).rgb;
}

void main() {
  vec2 p = gl_PointCoord * 2.0 - 1.0;
  float r2 = dot(p, p);
  if (r2 > 1.0) discard;
  vec3 n = vec3(p.x, -p.y, sqrt(1.0 - r2));
  float diffuse = n.z;
  float specular = pow(max(dot(n, normalize(vec3(0.3, 0.5, 1.6))), 0.0), 40.0);
  vec3 base = uHasScalar != 0 ? mapScalar(vScalar) : vColor;
  fragColor = vec4(base * (0.35 + 0.65 * diffuse) + vec3(0.2) * specular, 1.0);
}
