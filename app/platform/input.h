// InputEvent: a mouse button or key event as the window queued it. No GLFW here: the app's
// controller and its tests read events without a window.
#pragma once

namespace topomask::platform {

// A mouse button or key event as it happened (window coordinates of the pointer at that moment).
// Codes are GLFW's: buttons 0 left, 1 right, 2 middle; keys ASCII capitals and digits, 256 Escape,
// 258 Tab, 290 F1, 301 F12; mods bit 2 (0x2) Control.
struct InputEvent {
  enum Type { Press, Release, Key } type = Press;
  int code = 0;  // button or key
  int mods = 0;
  double x = 0.0, y = 0.0;
};

}  // namespace topomask::platform
