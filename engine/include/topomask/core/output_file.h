// Writing result files safely: never over an input file, never a truncated file left behind.
#pragma once

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace topomask {

// Writes through a temporary file in the destination's folder (".<name>.<pid>.tmp"), which is renamed
// over `path` only when `fill` returned and every byte was flushed and closed without error. On any
// failure (a full disk, a quota, an exception from `fill`) the temporary file is removed, the old
// file at `path`, if any, is left as it was, and Error(Input) names the path and the cause.
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& fill);
void writeFileAtomically(const std::string& path, std::string_view bytes);

// Throws usage Error "<option> <output> is the input file <input>; refusing to overwrite it" when
// `output` names an existing input (same file after resolving links, "..", and relative paths; also
// a hard link to it). `option` is how the front end names the output ("--out", "the screenshot").
void refuseOutputOverInput(const std::string& output, const std::vector<std::string>& inputs,
                           const std::string& option);

}  // namespace topomask
