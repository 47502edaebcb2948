#version 330 core
// 2-D overlay in pixels (origin top-left of the target): colour bars, text, separators.
in vec2 aPosition;
in vec2 aTexCoord;
in vec4 aColor;

uniform vec2 uScreen;

out vec2 vTexCoord;
out vec4 vColor;

void main() {
  vTexCoord = aTexCoord;
  vColor = aColor;
  vec2 ndc = vec2(aPosition.x / uScreen.x * 2.0 - 1.0, 1.0 - aPosition.y / uScreen.y * 2.0);
  gl_Position = vec4(ndc, 0.0, 1.0);
}
