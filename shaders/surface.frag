#version 330 core
// Headlight Blinn-Phong shading of the scalar mapped through the colormap texture
// (uRange = [lo, hi]; uLogScale: map log10 between lo > 0 and hi). Without a scalar the
// surface shows its own colour.
in vec3 vViewPos;
in vec3 vNormal;
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
  vec3 n = normalize(vNormal);
  vec3 toEye = normalize(-vViewPos);
  if (!gl_FrontFacing) n = -n;
  float diffuse = abs(dot(n, toEye));
  vec3 h = normalize(toEye + vec3(0.3, 0.5, 0.8));
  float specular = pow(max(dot(n, h), 0.0), 48.0);
  vec3 base = uHasScalar != 0 ? mapScalar(vScalar) : vColor;
  vec3 lit = base * (0.32 + 0.68 * diffuse) + vec3(0.18) * specular;
  fragColor = vec4(lit, 1.0);
}
