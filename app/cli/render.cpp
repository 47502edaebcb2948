// topomask render: placeholder until its issue lands.
#include <iostream>

#include "cli/cli.h"

namespace topomask::cli {

void addRenderCommand(CLI::App& root, Action& action) {
  CLI::App* sub = root.add_subcommand("render", "(not available yet)");
  sub->allow_extras();
  sub->callback([&action] {
    action = [] {
      std::cerr << "topomask: 'render' is not available in this build yet\n";
      return 2;
    };
  });
}

}  // namespace topomask::cli
