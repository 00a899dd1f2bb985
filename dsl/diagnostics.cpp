#include "dsl/diagnostics.hpp"

#include <algorithm>

namespace patron::dsl {
namespace {

bool IsContinuationByte(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

uint32_t CountCodePoints(std::string_view s) {
  uint32_t n = 0;
  for (char c : s) n += IsContinuationByte(c) ? 0 : 1;
  return n;
}

}  // namespace

SourceMap::SourceMap(std::string_view text) : text_(text) {
  line_starts_.push_back(0);
  for (uint32_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n') line_starts_.push_back(i + 1);
  }
}

uint32_t SourceMap::Line(uint32_t offset) const {
  auto it = std::upper_bound(line_starts_.begin(), line_starts_.end(), offset);
  return static_cast<uint32_t>(it - line_starts_.begin());
}

uint32_t SourceMap::Column(uint32_t offset) const {
  uint32_t start = line_starts_[Line(offset) - 1];
  offset = std::min<uint32_t>(offset, static_cast<uint32_t>(text_.size()));
  return CountCodePoints(text_.substr(start, offset - start)) + 1;
}

std::string_view SourceMap::LineText(uint32_t line) const {
  if (line == 0 || line > line_starts_.size()) return {};
  uint32_t start = line_starts_[line - 1];
  uint32_t end = line < line_starts_.size() ? line_starts_[line] - 1 : static_cast<uint32_t>(text_.size());
  std::string_view s = text_.substr(start, end - start);
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

void Diagnostics::Error(const std::vector<SourceFile>& files, Span span, std::string message) {
  ++count_;
  if (items_.size() >= max_errors_) return;
  Diagnostic d;
  d.message = std::move(message);
  if (span.file < files.size()) {
    const SourceFile& f = files[span.file];
    d.path = f.path;
    // One map per error is fine: errors are few, and a file's map is cheap
    // next to parsing it.
    SourceMap map(f.text);
    uint32_t begin = std::min<uint32_t>(span.begin, static_cast<uint32_t>(f.text.size()));
    uint32_t end = std::clamp<uint32_t>(span.end, begin, static_cast<uint32_t>(f.text.size()));
    d.line = map.Line(begin);
    d.column = map.Column(begin);
    d.source_line = std::string(map.LineText(d.line));
    // The caret covers the token up to the end of its line.
    size_t line_end = f.text.find('\n', begin);
    if (line_end != std::string::npos) end = std::min<uint32_t>(end, static_cast<uint32_t>(line_end));
    d.width = std::max<uint32_t>(1, CountCodePoints(std::string_view(f.text).substr(begin, end - begin)));
  }
  items_.push_back(std::move(d));
}

void Diagnostics::ErrorNoSpan(std::string path, std::string message) {
  ++count_;
  if (items_.size() >= max_errors_) return;
  Diagnostic d;
  d.path = std::move(path);
  d.message = std::move(message);
  items_.push_back(std::move(d));
}

namespace {

// Decodes the UTF-8 code point at `i` and advances `i` past it (a stray byte
// counts as one character).
char32_t DecodeCodePoint(std::string_view s, size_t& i) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  int len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xe ? 3 : (c >> 3) == 0x1e ? 4 : 1;
  if (i + len > s.size()) len = 1;
  char32_t cp = len == 1 ? c : c & (0x7f >> len);
  for (int k = 1; k < len; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
  i += len;
  return cp;
}

// Terminal cells of a code point: 2 for East Asian wide and fullwidth
// characters (CJK, Hangul, fullwidth forms), else 1.
size_t DisplayWidth(char32_t cp) {
  bool wide = (cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf && cp != 0x303f) ||
              (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
              (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
              (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1faff) ||
              (cp >= 0x20000 && cp <= 0x3fffd);
  return wide ? 2 : 1;
}

}  // namespace

std::string RenderDiagnostic(const Diagnostic& d) {
  std::string out = d.path;
  if (d.line > 0) {
    out += ':' + std::to_string(d.line) + ':' + std::to_string(d.column);
  }
  out += ": error: ";
  out += d.message;
  out += '\n';
  if (d.line == 0) return out;
  out += d.source_line;
  out += '\n';
  // Columns count characters (language.md), but a terminal shows CJK
  // characters two cells wide: indent and underline by display width so the
  // caret sits under the token, and keep tabs so it lines up under
  // tab-indented text.
  uint32_t col = 1;
  size_t i = 0;
  while (i < d.source_line.size() && col < d.column) {
    char32_t cp = DecodeCodePoint(d.source_line, i);
    if (cp == U'\t') out += '\t';
    else out.append(DisplayWidth(cp), ' ');
    ++col;
  }
  for (; col < d.column; ++col) out += ' ';
  size_t cells = 0;
  for (uint32_t k = 0; k < std::max<uint32_t>(d.width, 1); ++k) {
    if (i >= d.source_line.size()) { cells += 1; continue; }
    cells += DisplayWidth(DecodeCodePoint(d.source_line, i));
  }
  out += '^';
  out.append(cells > 1 ? cells - 1 : 0, '~');
  out += '\n';
  return out;
}

std::string Diagnostics::Render() const {
  std::string out;
  for (const Diagnostic& d : items_) out += RenderDiagnostic(d);
  if (count_ > items_.size()) out += "... and " + std::to_string(count_ - items_.size()) + " more errors\n";
  return out;
}

// Optimal string alignment distance: Levenshtein plus adjacent
// transpositions at cost 1, so that 'teir' is one edit from 'tier'.
size_t EditDistance(std::string_view a, std::string_view b) {
  const size_t n = a.size(), m = b.size();
  std::vector<size_t> prev2(m + 1), prev(m + 1), cur(m + 1);
  for (size_t j = 0; j <= m; ++j) prev[j] = j;
  for (size_t i = 1; i <= n; ++i) {
    cur[0] = i;
    for (size_t j = 1; j <= m; ++j) {
      size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        cur[j] = std::min(cur[j], prev2[j - 2] + 1);
      }
    }
    prev2.swap(prev);
    prev.swap(cur);
  }
  return prev[m];
}

std::string Suggest(std::string_view word, const std::vector<std::string>& candidates) {
  const size_t limit = CountCodePoints(word) <= 4 ? 1 : 2;
  std::string best;
  size_t best_distance = limit + 1;
  for (const std::string& c : candidates) {
    if (c == word) continue;
    size_t d = EditDistance(word, c);
    if (d < best_distance) {
      best_distance = d;
      best = c;
    }
  }
  return best;
}

}  // namespace patron::dsl
