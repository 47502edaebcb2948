// Shared reader helpers: whole-file reading, line scanning, number parsing, messages.
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <system_error>

#include "io_internal.h"

namespace topomask::io_detail {

namespace {
// Messages stay on one line: control characters (from file contents) become '?'.
std::string oneLine(std::string s) {
  for (char& c : s)
    if (static_cast<unsigned char>(c) < 32 || c == 127) c = '?';
  return s;
}
}  // namespace

void fail(const std::string& path, const std::string& place, const std::string& cause) {
  throw Error(oneLine(cause), oneLine(place.empty() ? path : path + ": " + place), Error::Kind::Input);
}

std::string linePlace(std::int64_t line) { return "line " + std::to_string(line); }
std::string bytePlace(std::uint64_t byte) { return "byte " + std::to_string(byte); }

std::string readWholeFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    if (ec && ec != std::errc::no_such_file_or_directory) fail(path, "", "cannot open: " + ec.message());
    fail(path, "", "file not found");
  }
  if (fs::is_directory(st)) fail(path, "", "is a directory, not a file");
  if (!fs::is_regular_file(st)) fail(path, "", "not a regular file");
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) fail(path, "", std::string("cannot open: ") + std::strerror(errno));
  std::string data;
  const std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > 0) data.reserve(static_cast<std::size_t>(size));
  char buf[1 << 16];
  std::size_t n = 0;
  while ((n = std::fread(buf, 1, sizeof buf, f)) > 0) data.append(buf, n);
  const bool bad = std::ferror(f) != 0;
  std::fclose(f);
  if (bad) fail(path, "", "read error");
  if (data.empty()) fail(path, "", "empty file");
  return data;
}

void normaliseText(std::string& text, const std::string& path) {
  if (text.size() >= 3 && static_cast<unsigned char>(text[0]) == 0xEF &&
      static_cast<unsigned char>(text[1]) == 0xBB && static_cast<unsigned char>(text[2]) == 0xBF) {
    text.erase(0, 3);
    return;
  }
  if (text.size() >= 2) {
    const auto b0 = static_cast<unsigned char>(text[0]), b1 = static_cast<unsigned char>(text[1]);
    const bool be = b0 == 0xFE && b1 == 0xFF, le = b0 == 0xFF && b1 == 0xFE;
    if (be || le) {
      std::string out;
      out.reserve(text.size() / 2);
      for (std::size_t i = 2; i + 1 < text.size(); i += 2) {
        const auto hi = static_cast<unsigned char>(be ? text[i] : text[i + 1]);
        const auto lo = static_cast<unsigned char>(be ? text[i + 1] : text[i]);
        if (hi != 0) fail(path, bytePlace(i), "UTF-16 text with characters outside Latin-1 is not supported");
        out.push_back(static_cast<char>(lo));
      }
      text.swap(out);
    }
  }
}

bool LineScanner::next(std::string_view& line) {
  if (pos_ >= text_.size()) return false;
  const std::size_t start = pos_;
  std::size_t i = start;
  const std::size_t n = text_.size();
  while (i < n && text_[i] != '\n' && text_[i] != '\r') ++i;
  line = text_.substr(start, i - start);
  unterminated_ = (i >= n);
  if (i < n) {
    if (text_[i] == '\r' && i + 1 < n && text_[i + 1] == '\n') ++i;
    ++i;
  }
  pos_ = i;
  ++line_;
  return true;
}

static inline bool isBlank(char c) { return c == ' ' || c == '\t' || c == '\v' || c == '\f'; }

void splitTokens(std::string_view line, std::vector<std::string_view>& out) {
  out.clear();
  std::size_t i = 0;
  const std::size_t n = line.size();
  while (i < n) {
    while (i < n && isBlank(line[i])) ++i;
    if (i >= n) break;
    const std::size_t s = i;
    while (i < n && !isBlank(line[i])) ++i;
    out.push_back(line.substr(s, i - s));
  }
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (isBlank(s.front()) || s.front() == '\r' || s.front() == '\n')) s.remove_prefix(1);
  while (!s.empty() && (isBlank(s.back()) || s.back() == '\r' || s.back() == '\n')) s.remove_suffix(1);
  return s;
}

std::string_view stripComment(std::string_view line, char marker) {
  const std::size_t p = line.find(marker);
  return p == std::string_view::npos ? line : line.substr(0, p);
}

bool parseDouble(std::string_view tok, double& value) {
  if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
  if (tok.empty()) return false;
  const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), value);
  if (r.ec == std::errc::result_out_of_range) {
    // Overflow gives +-inf (caught later as not finite); underflow gives 0.
    const bool negative = tok.front() == '-';
    bool big = false;
    const std::size_t e = tok.find_first_of("eE");
    if (e != std::string_view::npos) big = tok.size() > e + 1 && tok[e + 1] != '-';
    value = big ? (negative ? -HUGE_VAL : HUGE_VAL) : 0.0;
    return r.ptr == tok.data() + tok.size();
  }
  return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
}

bool parseInt64(std::string_view tok, std::int64_t& value) {
  if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
  if (tok.empty()) return false;
  const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), value);
  return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
}

bool parseUInt64(std::string_view tok, std::uint64_t& value) {
  if (!tok.empty() && tok.front() == '+') tok.remove_prefix(1);
  if (tok.empty()) return false;
  const auto r = std::from_chars(tok.data(), tok.data() + tok.size(), value);
  return r.ec == std::errc() && r.ptr == tok.data() + tok.size();
}

std::string quote(std::string_view tok) {
  std::string s = "'";
  const std::size_t n = std::min<std::size_t>(tok.size(), 40);
  for (std::size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(tok[i]);
    s.push_back(c >= 32 && c < 127 ? static_cast<char>(c) : '?');
  }
  if (tok.size() > n) s += "...";
  s += "'";
  return s;
}

std::string extensionOf(const std::string& path) {
  const std::filesystem::path p(path);
  std::string ext = p.extension().string();
  if (!ext.empty() && ext.front() == '.') ext.erase(0, 1);
  for (char& c : ext) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return ext;
}

std::string countRead(std::uint64_t got, std::uint64_t declared, const std::string& what) {
  return std::to_string(got) + " of " + std::to_string(declared) + " " + what + " read";
}

std::uint64_t checkDeclaredCount(std::uint64_t declared, std::uint64_t minBytes, std::uint64_t remaining,
                                 const std::string& what, const std::string& path,
                                 const std::string& place) {
  if (minBytes == 0) minBytes = 1;
  const std::uint64_t fit = remaining / minBytes;
  if (declared <= fit) return declared;
  if (fit >= declared - declared / 2 && declared > 0) return fit;  // at least half: truncated file
  fail(path, place,
       "header announces " + std::to_string(declared) + " " + what + ", more than the " +
           std::to_string(remaining) + " remaining bytes can hold (at least " + std::to_string(minBytes) +
           " bytes each)");
}

}  // namespace topomask::io_detail
