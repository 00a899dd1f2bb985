#include "base/json_string.hpp"

#include <cstdint>
#include <cstring>

#include "base/utf8.hpp"

namespace patron {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the leading run of `text` that is copied verbatim: printable
// ASCII other than '"' and '\\'. Eight bytes at a time (SWAR).
size_t PlainPrefix(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    const uint64_t quote = x ^ (kOnes * '"');
    const uint64_t backslash = x ^ (kOnes * '\\');
    // A byte's high bit is set in `special` iff it is < 0x20, '"', '\\' or >= 0x80.
    const uint64_t special =
        ((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | x) & kHigh;
    if (special != 0) break;
  }
  for (; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
  }
  return i;
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = PlainPrefix(text);
  const auto flush = [&](size_t end) { out.append(text.data() + run, end - run); };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (size_t len = Utf8SequenceLength(text, i)) {
        i += len;
        continue;
      }
      flush(i);
      out += kReplacement;
      run = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
    run = ++i;
  }
  flush(i);
  out += '"';
}

size_t JsonEscapedPrefix(std::string_view text, size_t max_rendered) {
  size_t rendered = 0;
  size_t i = 0;
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    size_t bytes = 1;  // input bytes of this character
    size_t out = 1;    // its rendered size
    if (c >= 0x80) {
      bytes = Utf8SequenceLength(text, i);
      out = bytes;
      if (bytes == 0) {  // rendered as U+FFFD
        bytes = 1;
        out = 3;
      }
    } else if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      out = 2;
    } else if (c < 0x20) {
      out = 6;
    }
    if (rendered + out > max_rendered) break;
    rendered += out;
    i += bytes;
  }
  return i;
}

}  // namespace patron
