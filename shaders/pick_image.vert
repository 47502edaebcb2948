#version 330 core
// Picking on images: the node is the grid cell (pixel or patch) under the fragment.
in vec2 aPosition;
in vec2 aTexCoord;

uniform mat4 uModelView;
uniform mat4 uProjection;

out vec2 vTexCoord;

void main() {
  vTexCoord = aTexCoord;
  gl_Position = uProjection * (uModelView * vec4(aPosition, 0.0, 1.0));
}
