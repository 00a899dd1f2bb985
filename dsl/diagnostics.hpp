#pragma once
// Diagnostics: the "your rule is wrong" channel. A list of located messages,
// rendered exactly as language.md "Errors" shows:
//
//   rules/wake.rules:3:18: error: unknown customer attribute 'teir'; did you mean 'tier'?
//     where customer.teir != "blacklist"
//                    ^~~~
//
// Not thread-safe; one per load.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"

namespace patron::dsl {

struct Diagnostic {
  std::string path;         // file as given
  uint32_t line = 0;        // 1-based
  uint32_t column = 0;      // 1-based, in characters (UTF-8 code points)
  uint32_t width = 1;       // caret length in characters, >= 1
  std::string message;      // without the "error: " prefix
  std::string source_line;  // the whole line, without its newline
};

// Maps byte offsets of one file to 1-based line and character column.
class SourceMap {
 public:
  explicit SourceMap(std::string_view text);
  uint32_t Line(uint32_t offset) const;
  uint32_t Column(uint32_t offset) const;  // in code points
  std::string_view LineText(uint32_t line) const;

 private:
  std::string_view text_;
  std::vector<uint32_t> line_starts_;
};

class Diagnostics {
 public:
  // Caps the number of errors kept (further ones are counted, not stored).
  explicit Diagnostics(size_t max_errors = 100) : max_errors_(max_errors) {}

  // Records an error at `span` of `files[span.file]`.
  void Error(const std::vector<SourceFile>& files, Span span, std::string message);
  // Records an error with no position (e.g. an unreadable file).
  void ErrorNoSpan(std::string path, std::string message);

  bool HasErrors() const { return count_ > 0; }
  size_t count() const { return count_; }
  const std::vector<Diagnostic>& items() const { return items_; }
  // Every diagnostic, rendered, each ending with a newline; plus a line
  // "... and N more errors" when the cap was reached.
  std::string Render() const;

 private:
  size_t max_errors_;
  size_t count_ = 0;
  std::vector<Diagnostic> items_;
};

// Renders one diagnostic (three lines, or one when it has no source line).
std::string RenderDiagnostic(const Diagnostic& d);

// Levenshtein distance, for "did you mean" suggestions.
size_t EditDistance(std::string_view a, std::string_view b);
// The closest candidate within a small distance (<= 2, or <= 1 for words of
// up to 4 characters), or empty.
std::string Suggest(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace patron::dsl
