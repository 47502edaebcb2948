#version 330 core
// Lit triangle mesh with a per-vertex scalar (see surface.frag).
in vec3 aPosition;
in vec3 aNormal;
in vec3 aColor;
in float aScalar;

uniform mat4 uModelView;
uniform mat4 uProjection;

out vec3 vViewPos;
out vec3 vNormal;
out vec3 vColor;
out float vScalar;

void main() {
  vec4 viewPos = uModelView * vec4(aPosition, 1.0);
  vViewPos = viewPos.xyz;
  vNormal = mat3(uModelView) * aNormal;
  vColor = aColor;
  vScalar = aScalar;
  gl_Position = uProjection * viewPos;
}
