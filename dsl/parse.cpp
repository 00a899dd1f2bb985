// Loading rule sets: files -> grammar (one top-level item at a time) ->
// lowering -> checker. Syntax errors become diagnostics here; no exception
// leaves this file.

#include "dsl/parse.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <system_error>

#include "base/identifier.hpp"
#include "dsl/internal/grammar.hpp"
#include "dsl/internal/lower.hpp"

namespace patron::dsl {
namespace {

namespace x3 = boost::spirit::x3;

const char* SkipSpace(const char* p, const char* end) {
  while (p != end) {
    char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++p;
    } else if (c == '#') {
      while (p != end && *p != '\n') ++p;
    } else {
      break;
    }
  }
  return p;
}

// The extent of the token that starts at p, for "found '...'" and the caret.
const char* TokenEnd(const char* p, const char* end) {
  if (p == end) return p;
  char c = *p;
  const char* q = p + 1;
  if (IsIdentStart(c)) {
    while (q != end && (IsIdentChar(*q) || (*q == '.' && q + 1 != end && IsIdentStart(q[1])))) ++q;
  } else if (c >= '0' && c <= '9') {
    while (q != end && (IsIdentChar(*q) || *q == '.' || *q == ':' || *q == '%')) ++q;
  } else if (c == '"') {
    while (q != end && *q != '"' && *q != '\n') q += (*q == '\\' && q + 1 != end && q[1] != '\n') ? 2 : 1;
    if (q != end && *q == '"') ++q;
  } else if ((c == '=' || c == '!' || c == '<' || c == '>') && q != end && *q == '=') {
    ++q;
  } else {
    while (q != end && (static_cast<unsigned char>(*q) & 0xC0) == 0x80) ++q;
  }
  return q;
}

// The name of the grammar's closing-quote expectation (dsl/internal/grammar_def.hpp).
constexpr std::string_view kCloseString = "'\"' to close the string";

// The opening quote of the string that runs up to `at` without closing: the
// nearest unescaped '"' before it.
const char* UnterminatedStringStart(const char* base, const char* at) {
  for (const char* p = at; p != base;) {
    --p;
    if (*p != '"') continue;
    size_t backslashes = 0;
    for (const char* q = p; q != base && q[-1] == '\\'; --q) ++backslashes;
    if (backslashes % 2 == 0) return p;
  }
  return at;
}

// Where to resume after an error in the item that starts at `item_begin`:
// the first line, at or after the error's line and after the item's first
// line, whose first word is `rule`, `event` or `segment`.
const char* ResumePoint(const char* base, const char* item_begin, const char* error_at, const char* end) {
  const char* line = error_at;
  while (line != base && line[-1] != '\n') --line;
  if (line <= item_begin) {
    line = std::find(item_begin, end, '\n');
    if (line != end) ++line;
  }
  while (line != end) {
    const char* p = line;
    while (p != end && (*p == ' ' || *p == '\t')) ++p;
    for (std::string_view kw : {"rule", "event", "segment"}) {
      if (static_cast<size_t>(end - p) >= kw.size() && std::string_view(p, kw.size()) == kw &&
          (p + kw.size() == end || !IsIdentChar(p[kw.size()]))) {
        return p;
      }
    }
    line = std::find(line, end, '\n');
    if (line != end) ++line;
  }
  return end;
}

}  // namespace

bool ParseFile(uint32_t file_index, RuleSet& out, Diagnostics& diags, const ParseOptions& options) {
  const size_t errors_before = diags.count();
  try {
    const std::string& text = out.files[file_index].text;
    const char* const base = text.data();
    const char* const end = base + text.size();
    const char* p = base;
    if (text.size() >= 3 && text.compare(0, 3, "\xEF\xBB\xBF") == 0) p += 3;  // UTF-8 byte order mark
    Lowerer lowerer(out, file_index, diags, options);
    while (diags.count() - errors_before < options.max_errors_per_file) {
      p = SkipSpace(p, end);
      if (p == end) break;
      const char* const item_begin = p;
      gast::Item item;
      const char* error_at = nullptr;
      std::string expected;
      try {
        grammar::Nesting nesting;
        nesting.max = options.max_nesting;
        const auto skip_context = x3::make_context<x3::skipper_tag>(grammar::kSkipper);
        const grammar::Context context = x3::make_context<grammar::NestingTag>(nesting, skip_context);
        if (!grammar::Item().parse(p, end, context, x3::unused, item)) {
          error_at = item_begin;
          expected = "'rule', 'event' or 'segment'";
        }
      } catch (const x3::expectation_failure<grammar::Iterator>& e) {
        expected = e.which();
        error_at = expected == kCloseString ? e.where() : SkipSpace(e.where(), end);
      }
      if (error_at == nullptr) {
        lowerer.Lower(item);
        continue;
      }
      const char* token_end = TokenEnd(error_at, end);
      std::string found;
      std::string message;
      if (expected == grammar::kTooDeep) {
        message = "expression nested too deeply (more than " + std::to_string(options.max_nesting) +
                  " levels of parentheses, lists, calls, 'not' or '-')";
      } else if (expected == kCloseString) {
        // An unterminated string: show it from its opening quote.
        const char* open = UnterminatedStringStart(base, error_at);
        found = error_at == end ? "end of file" : "end of line";
        error_at = open;
        token_end = std::find(open, end, '\n');
      } else if (error_at == end) {
        found = "end of file";
        // Point just after the last character written, not at an empty last line.
        while (error_at != base && (error_at[-1] == ' ' || error_at[-1] == '\t' || error_at[-1] == '\n' ||
                                    error_at[-1] == '\r')) {
          --error_at;
        }
        token_end = error_at;
      } else {
        found = "'" + std::string(error_at, token_end) + "'";
      }
      if (message.empty()) message = "expected " + expected + ", found " + found;
      diags.Error(out.files, lowerer.SpanOf(error_at, token_end), std::move(message));
      p = ResumePoint(base, item_begin, std::max(error_at, item_begin), end);
    }
  } catch (const std::exception& e) {
    diags.ErrorNoSpan(out.files[file_index].path, std::string("internal error while parsing: ") + e.what());
  }
  return diags.count() == errors_before;
}

namespace {

bool ReadFile(const std::string& path, std::string& text, Diagnostics& diags) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec(errno, std::generic_category());
    diags.ErrorNoSpan(path, "cannot read file: " + ec.message());
    return false;
  }
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) {
    diags.ErrorNoSpan(path, "cannot read file");
    return false;
  }
  text = std::move(ss).str();
  return true;
}

// Parses every file of `rules` and, if that found no error, checks them.
std::optional<RuleSet> ParseAndCheck(RuleSet rules, Diagnostics& diags, const ParseOptions& options,
                                     size_t errors_before) {
  for (uint32_t i = 0; i < rules.files.size(); ++i) ParseFile(i, rules, diags, options);
  // Checking a rule set with syntax errors would report follow-on errors
  // (a segment that failed to parse is "unknown" everywhere): check only
  // what parsed cleanly.
  if (diags.count() == errors_before) CheckRuleSet(rules, diags);
  if (diags.count() != errors_before) return std::nullopt;
  return rules;
}

}  // namespace

std::optional<RuleSet> LoadRuleSet(const std::vector<std::string>& paths, Diagnostics& diags,
                                   const ParseOptions& options) {
  const size_t errors_before = diags.count();
  try {
    namespace fs = std::filesystem;
    RuleSet rules;
    for (const std::string& path : paths) {
      std::error_code ec;
      if (fs::is_directory(path, ec)) {
        std::vector<std::string> names;
        for (fs::directory_iterator it(path, ec), last; !ec && it != last; it.increment(ec)) {
          if (it->path().extension() == ".rules" && !fs::is_directory(it->path())) {
            names.push_back(it->path().filename().string());
          }
        }
        if (ec) {
          diags.ErrorNoSpan(path, "cannot read directory: " + ec.message());
          continue;
        }
        std::sort(names.begin(), names.end());
        std::string dir = path;
        while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
        for (const std::string& name : names) {
          SourceFile file;
          file.path = dir + "/" + name;
          if (ReadFile(file.path, file.text, diags)) rules.files.push_back(std::move(file));
        }
      } else {
        SourceFile file;
        file.path = path;
        if (ReadFile(path, file.text, diags)) rules.files.push_back(std::move(file));
      }
    }
    return ParseAndCheck(std::move(rules), diags, options, errors_before);
  } catch (const std::exception& e) {
    diags.ErrorNoSpan("", std::string("internal error while loading rules: ") + e.what());
    return std::nullopt;
  }
}

std::optional<RuleSet> LoadRuleText(const std::string& path, const std::string& text, Diagnostics& diags,
                                    const ParseOptions& options) {
  const size_t errors_before = diags.count();
  try {
    RuleSet rules;
    rules.files.push_back({path, text});
    return ParseAndCheck(std::move(rules), diags, options, errors_before);
  } catch (const std::exception& e) {
    diags.ErrorNoSpan(path, std::string("internal error while loading rules: ") + e.what());
    return std::nullopt;
  }
}

}  // namespace patron::dsl
