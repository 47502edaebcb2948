#version 330 core
// Random walks of the query node: line segments coloured by step.
in vec3 aPosition;
in vec4 aColor;

uniform mat4 uModelView;
uniform mat4 uProjection;

out vec4 vColor;

void main() {
  vColor = aColor;
  gl_Position = uProjection * (uModelView * vec4(aPosition, 1.0));
}
