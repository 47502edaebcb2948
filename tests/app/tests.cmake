# App logic without GL (state, commands, camera, colormap).
