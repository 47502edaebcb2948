#version 330 core
// Picking: point sprites (point clouds and graph nodes); gl_VertexID is the node id.
in vec3 aPosition;

uniform mat4 uModelView;
uniform mat4 uProjection;
uniform float uPointRadius;
uniform float uViewportHeight;
uniform float uMinPixels;

flat out int vNode;

void main() {
  gl_Position = uProjection * (uModelView * vec4(aPosition, 1.0));
  float pixels = 2.0 * uPointRadius * uProjection[1][1] * 0.5 * uViewportHeight / gl_Position.w;
  gl_PointSize = max(pixels, uMinPixels);
  vNode = gl_VertexID;
}
