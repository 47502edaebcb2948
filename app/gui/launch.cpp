#include "gui/launch.h"

#include <iostream>

namespace topomask::gui {

int runApplication(const std::vector<std::string>&) {
  std::cerr << "topomask: the windowed application is not part of this build yet; see 'topomask --help'\n";
  return 2;
}

}  // namespace topomask::gui
