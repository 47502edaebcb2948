#version 330 core
// Picking: node ids of a triangle mesh (indexed draw: gl_VertexID is the node id).
in vec3 aPosition;

uniform mat4 uModelView;
uniform mat4 uProjection;

flat out int vNode;

void main() {
  vNode = gl_VertexID;
  gl_Position = uProjection * (uModelView * vec4(aPosition, 1.0));
}
