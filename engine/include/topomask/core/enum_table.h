// One descriptor table per user-facing enum: the value's name (command line, JSON, files), a label
// for people (GUI combos, help), and aliases that parse but are not listed. Names, parsing, the
// error text, the command line's help and the GUI's combos all read the same table, so a new value
// is one row.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "topomask/core/error.h"

namespace topomask {

template <typename E>
struct EnumEntry {
  E value;
  const char* name;   // "grid4"
  const char* label;  // "pixel grid, 4-connected"
  bool listed = true;  // false: an alias or a value typed in its own way (parses, not offered)
};

template <typename E>
struct EnumTable {
  const char* what;  // "graph": the error says "unknown graph 'x' (auto, mesh, ...)"
  std::span<const EnumEntry<E>> entries;

  // The first entry of the value (its canonical name); "?" for a value outside the table.
  const EnumEntry<E>* find(E value) const {
    for (const EnumEntry<E>& e : entries)
      if (e.value == value) return &e;
    return nullptr;
  }
  const char* name(E value) const {
    const EnumEntry<E>* e = find(value);
    return e ? e->name : "?";
  }
  const char* label(E value) const {
    const EnumEntry<E>* e = find(value);
    return e ? e->label : "?";
  }
  // Throws usage Error "unknown <what> '<text>' (a, b, c)" for a name not in the table.
  E parse(std::string_view text) const {
    for (const EnumEntry<E>& e : entries)
      if (text == e.name) return e.value;
    throw usageError("unknown " + std::string(what) + " '" + std::string(text) + "' (" + list() + ")");
  }
  // The listed names, "a, b, c".
  std::string list() const {
    std::string out;
    for (const EnumEntry<E>& e : entries)
      if (e.listed) out += std::string(out.empty() ? "" : ", ") + e.name;
    return out;
  }
};

}  // namespace topomask
