#version 330 core
// Image as a textured quad in world units (pixel units, y up).
in vec2 aPosition;
in vec2 aTexCoord;

uniform mat4 uModelView;
uniform mat4 uProjection;

out vec2 vTexCoord;

void main() {
  vTexCoord = aTexCoord;
  gl_Position = uProjection * (uModelView * vec4(aPosition, 0.0, 1.0));
}
