#include "cli/cli_runner.h"

#include <cstdio>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>
#include <sys/wait.h>

#include "support/test_graphs.h"

namespace topomask::testing {

namespace {
std::string quote(const std::string& s) {
  std::string q(1, '\'');
  for (char c : s) {
    if (c == '\'') {
      q.append("'\\''");
    } else {
      q.push_back(c);
    }
  }
  q.push_back('\'');
  return q;
}
std::string slurp(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

nlohmann::json CliResult::json() const {
  try {
    return nlohmann::json::parse(out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << "stdout is not JSON: " << e.what() << "\n" << out;
    return {};
  }
}

CliResult runTopomask(const std::vector<std::string>& args, int timeoutSeconds) {
  return runTopomaskAfter("", args, timeoutSeconds);
}

CliResult runTopomaskAfter(const std::string& shellPrefix, const std::vector<std::string>& args, int timeoutSeconds) {
  const std::string dir = tempDir("cli");
  std::string cmd = shellPrefix + " timeout ";
  cmd.append(std::to_string(timeoutSeconds)).append(" ").append(quote(binDir() + "/topomask"));
  for (const auto& a : args) cmd.append(" ").append(quote(a));
  cmd.append(" > ").append(quote(dir + "/out")).append(" 2> ").append(quote(dir + "/err")).append(" < /dev/null");
  const int raw = std::system(cmd.c_str());
  CliResult r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(dir + "/out");
  r.err = slurp(dir + "/err");
  return r;
}

}  // namespace topomask::testing
