#include <iostream>

#include "cli/cli.h"

namespace topomask::cli {

void printJson(const nlohmann::json& document) { std::cout << document.dump(2) << std::endl; }

}  // namespace topomask::cli
