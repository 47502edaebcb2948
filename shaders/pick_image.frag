#version 330 core
// Node id = row * uGridWidth + column, row 0 at the top (texture row 0).
in vec2 vTexCoord;

uniform int uGridWidth;
uniform int uGridHeight;

out uint pickId;

void main() {
  int column = clamp(int(floor(vTexCoord.x * float(uGridWidth))), 0, uGridWidth - 1);
  int row = clamp(int(floor(vTexCoord.y * float(uGridHeight))), 0, uGridHeight - 1);
  pickId = uint(row * uGridWidth + column + 1);
}
