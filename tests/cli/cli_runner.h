// Runs the built topomask binary and captures its exit status, stdout and stderr.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace topomask::testing {

struct CliResult {
  int status = -1;
  std::string out;
  std::string err;
  nlohmann::json json() const;  // parses out (fails the test on invalid JSON)
};

// Arguments are quoted for the shell; `timeoutSeconds` kills a hung command (status 124).
CliResult runTopomask(const std::vector<std::string>& args, int timeoutSeconds = 120);
// The same with shell text run first in the same shell, e.g. "ulimit -f 8;" (a file-size limit, the
// way a full disk is simulated without root).
CliResult runTopomaskAfter(const std::string& shellPrefix, const std::vector<std::string>& args,
                           int timeoutSeconds = 120);

}  // namespace topomask::testing
