// Entry point of the windowed application (SPEC section 7).
#pragma once

#include <string>
#include <vector>

namespace topomask::gui {

// Opens the window on `args` (an optional file path and options). Returns the process exit status.
int runApplication(const std::vector<std::string>& args);

}  // namespace topomask::gui
