#version 330 core
// Point sprites whose diameter is 2 uPointRadius in world units (perspective or orthographic).
in vec3 aPosition;
in vec3 aColor;
in float aScalar;

uniform mat4 uModelView;
uniform mat4 uProjection;
uniform float uPointRadius;
uniform float uViewportHeight;
uniform float uMinPixels;

out vec3 vColor;
out float vScalar;

void main() {
  vec4 viewPos = uModelView * vec4(aPosition, 1.0);
  gl_Position = uProjection * viewPos;
  float pixels = 2.0 * uPointRadius * uProjection[1][1] * 0.5 * uViewportHeight / gl_Position.w;
  gl_PointSize = max(pixels, uMinPixels);
  vColor = aColor;
  vScalar = aScalar;
}
