// topomask::Error: the one exception type for caller and input mistakes.
// Its message always reads "where: cause" so a user can act on it.
#pragma once

#include <stdexcept>
#include <string>

namespace topomask {

class Error : public std::runtime_error {
 public:
  // Usage: a parameter or option the caller got wrong (CLI exit status 2).
  // Input: a file or data that cannot be used (CLI exit status 3).
  // Numeric: a computation that cannot be carried out on this input (diverging series, ...), exit 3.
  enum class Kind { Usage, Input, Numeric };

  Error(std::string cause, std::string where = {}, Kind kind = Kind::Input)
      : std::runtime_error(where.empty() ? cause : where + ": " + cause),
        cause_(std::move(cause)), where_(std::move(where)), kind_(kind) {}

  const std::string& cause() const noexcept { return cause_; }
  const std::string& where() const noexcept { return where_; }
  Kind kind() const noexcept { return kind_; }

 private:
  std::string cause_;
  std::string where_;
  Kind kind_;
};

// Thrown by long computations when their Progress was cancelled.
class Cancelled : public std::runtime_error {
 public:
  Cancelled() : std::runtime_error("cancelled") {}
};

inline Error usageError(std::string cause) { return Error(std::move(cause), {}, Error::Kind::Usage); }

}  // namespace topomask

// Throws topomask::Error(cause, where, kind) when cond is false.
#define TOPOMASK_CHECK(cond, where, cause, kind)                 \
  do {                                                           \
    if (!(cond)) throw ::topomask::Error((cause), (where), kind); \
  } while (false)
