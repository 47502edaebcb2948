#version 330 core
// Query and hover markers: constant size in pixels, drawn over the scene.
in vec3 aPosition;

uniform mat4 uModelView;
uniform mat4 uProjection;
uniform float uPixelSize;

void main() {
  gl_Position = uProjection * (uModelView * vec4(aPosition, 1.0));
  gl_PointSize = uPixelSize;
}
