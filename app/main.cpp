// topomask: with a subcommand, the command line (SPEC section 8); otherwise the application.
// Exit status: 0 success, 2 usage error, 3 input error; one line on stderr naming the cause.
#include <csignal>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "cli/cli.h"
#include "gui/launch.h"
#include "topomask/core/error.h"

namespace {

// The subcommands, in the order of `topomask --help`: one table for registration, recognition and
// the error message. A new subcommand is one add*Command in cli.h and one row here.
struct Subcommand {
  const char* name;
  void (*add)(CLI::App&, topomask::cli::Action&);
};
constexpr Subcommand kSubcommands[] = {
    {"info", topomask::cli::addInfoCommand},           {"mask", topomask::cli::addMaskCommand},
    {"convergence", topomask::cli::addConvergenceCommand}, {"attention", topomask::cli::addAttentionCommand},
    {"bench", topomask::cli::addBenchCommand},         {"render", topomask::cli::addRenderCommand},
    {"export", topomask::cli::addExportCommand},       {"fit", topomask::cli::addFitCommand},
};

std::string subcommandList() {
  std::string out;
  for (const Subcommand& s : kSubcommands) out += std::string(out.empty() ? "" : ", ") + s.name;
  return out;
}

int runCli(int argc, char** argv) {
  using namespace topomask;
  CLI::App root{"TopoMask: topological masking of attention with graph random features.\n"
                "Run without a subcommand (or with only a file) to open the application."};
  root.require_subcommand(1);
  cli::Action action;
  for (const Subcommand& s : kSubcommands) s.add(root, action);
  try {
    root.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return root.exit(e) == 0 ? 0 : 2;
  } catch (const CLI::CallForAllHelp& e) {
    return root.exit(e) == 0 ? 0 : 2;
  } catch (const CLI::ParseError& e) {
    std::cerr << "topomask: " << e.what() << '\n';
    return 2;
  }
  try {
    return action ? action() : 2;
  } catch (const Error& e) {
    std::cerr << "topomask: " << e.what() << '\n';
    return e.kind() == Error::Kind::Usage ? 2 : 3;
  } catch (const std::bad_alloc&) {
    std::cerr << "topomask: out of memory\n";
    return 3;
  } catch (const std::exception& e) {
    std::cerr << "topomask: internal error: " << e.what() << '\n';
    return 1;
  }
}

bool isSubcommand(const std::string& word) {
  for (const Subcommand& s : kSubcommands)
    if (word == s.name) return true;
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  // A file-size limit (ulimit -f) must fail a write, which is reported and leaves no partial file,
  // rather than kill the process without a word.
  std::signal(SIGXFSZ, SIG_IGN);
  const std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return topomask::gui::runApplication(args);
  const std::string& first = args.front();
  if (isSubcommand(first) || first == "--help" || first == "-h") return runCli(argc, argv);
  if (first.rfind("-", 0) == 0 || first == "demo" || std::filesystem::exists(first)) return topomask::gui::runApplication(args);
  std::cerr << "topomask: '" << first << "' is neither a subcommand (" << subcommandList()
            << ") nor an existing file\n";
  return first.find('.') != std::string::npos ? 3 : 2;
}
