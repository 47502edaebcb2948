// topomask attention: placeholder until its issue lands.
#include <iostream>

#include "cli/cli.h"

namespace topomask::cli {

void addAttentionCommand(CLI::App& root, Action& action) {
  CLI::App* sub = root.add_subcommand("attention", "(not available yet)");
  sub->allow_extras();
  sub->callback([&action] {
    action = [] {
      std::cerr << "topomask: 'attention' is not available in this build yet\n";
      return 2;
    };
  });
}

}  // namespace topomask::cli
