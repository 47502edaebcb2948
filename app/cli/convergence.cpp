// topomask convergence: placeholder until its issue lands.
#include <iostream>

#include "cli/cli.h"

namespace topomask::cli {

void addConvergenceCommand(CLI::App& root, Action& action) {
  CLI::App* sub = root.add_subcommand("convergence", "(not available yet)");
  sub->allow_extras();
  sub->callback([&action] {
    action = [] {
      std::cerr << "topomask: 'convergence' is not available in this build yet\n";
      return 2;
    };
  });
}

}  // namespace topomask::cli
