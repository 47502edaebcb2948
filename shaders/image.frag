#version 330 core
// The image, with the scalar of each node (pixel or patch: uScalarGrid, one texel per node,
// nearest filtering) mapped through the colormap and blended on top with opacity uOpacity.
in vec2 vTexCoord;

uniform sampler2D uImage;
uniform vec2 uImageScale;  // node area / image size: patch grids may leave a margin uncovered
uniform sampler2D uScalarGrid;
uniform sampler2D uColormap;
uniform vec2 uRange;
uniform int uLogScale;  // 0 linear, 1 log, 2 symlog
uniform float uLinear;
uniform int uHasScalar;
uniform float uOpacity;

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
  vec3 base = texture(uImage, vTexCoord * uImageScale).rgb;
  if (uHasScalar != 0) {
    vec3 overlay = mapScalar(texture(uScalarGrid, vTexCoord).r);
    base = mix(base, overlay, uOpacity);
  }
  fragColor = vec4(base, 1.0);
}
