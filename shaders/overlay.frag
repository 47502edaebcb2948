#version 330 core
// Solid vertex colour, or (vTexCoord.y < 0 marks colour-bar vertices) the colormap at vTexCoord.x.
in vec2 vTexCoord;
in vec4 vColor;

uniform sampler2D uColormap;

out vec4 fragColor;

void main() {
  if (vTexCoord.y < 0.0) fragColor = vec4(texture(uColormap, vec2(clamp(vTexCoord.x, 0.0, 1.0), 0.5)).rgb, 1.0);
  else fragColor = vColor;
}
