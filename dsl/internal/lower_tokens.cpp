// Lowering of tokens: the values of strings, templates, numbers, durations,
// dates and times of day, each reporting its own error at the token.

#include <functional>
#include <limits>

#include "base/identifier.hpp"
#include "dsl/internal/lower.hpp"

namespace patron::dsl {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// "a, b or c"
std::string JoinOptions(const std::vector<std::string>& options) {
  std::string out;
  for (size_t i = 0; i < options.size(); ++i) {
    if (i > 0) out += i + 1 == options.size() ? " or " : ", ";
    out += options[i];
  }
  return out;
}

struct Unit {
  std::string_view word;
  Duration micros;
};
constexpr Unit kUnits[] = {
    {"w", 7 * kMicrosPerDay}, {"week", 7 * kMicrosPerDay},  {"weeks", 7 * kMicrosPerDay},
    {"d", kMicrosPerDay},     {"day", kMicrosPerDay},       {"days", kMicrosPerDay},
    {"h", kMicrosPerHour},    {"hour", kMicrosPerHour},     {"hours", kMicrosPerHour},
    {"m", kMicrosPerMinute},  {"minute", kMicrosPerMinute}, {"minutes", kMicrosPerMinute},
    {"s", kMicrosPerSecond},  {"second", kMicrosPerSecond}, {"seconds", kMicrosPerSecond},
};

}  // namespace

// Handles one escape at s[i] == '\\'; appends its character to `out`.
// Returns false (after reporting) on an unknown escape.
static bool Unescape(std::string_view s, size_t& i, std::string& out,
                     const std::function<void(size_t, size_t)>& bad) {
  char c = i + 1 < s.size() ? s[i + 1] : '\0';
  switch (c) {
    case '"':
      out += '"';
      break;
    case '\\':
      out += '\\';
      break;
    case 'n':
      out += '\n';
      break;
    case 't':
      out += '\t';
      break;
    default: {
      size_t len = 2;
      while (i + len < s.size() && (static_cast<unsigned char>(s[i + len]) & 0xC0) == 0x80) ++len;
      bad(i, len);
      i += len;
      return false;
    }
  }
  i += 2;
  return true;
}

std::optional<std::string> Lowerer::String(gast::Tok t) {
  std::string_view inner(t.b + 1, t.e - t.b - 2);
  std::string out;
  out.reserve(inner.size());
  bool ok = true;
  auto bad = [&](size_t at, size_t len) {
    const char* p = inner.data() + at;
    Error(SpanOf(p, p + len), "unknown escape '" + std::string(p, len) + "' (use \\\", \\\\, \\n or \\t)");
    ok = false;
  };
  for (size_t i = 0; i < inner.size();) {
    if (inner[i] == '\\') {
      Unescape(inner, i, out, bad);
    } else {
      out += inner[i++];
    }
  }
  if (!ok) return std::nullopt;
  return out;
}

bool Lowerer::TemplateOf(gast::Tok t, Template& out) {
  std::string_view inner(t.b + 1, t.e - t.b - 2);
  out.span = SpanOf(t);
  out.source = std::string(inner);
  out.parts.clear();
  bool ok = true;
  auto bad = [&](size_t at, size_t len) {
    const char* p = inner.data() + at;
    Error(SpanOf(p, p + len), "unknown escape '" + std::string(p, len) + "' (use \\\", \\\\, \\n or \\t)");
    ok = false;
  };
  std::string literal;
  auto flush = [&] {
    if (!literal.empty()) {
      TemplatePart part;
      part.literal = std::move(literal);
      out.parts.push_back(std::move(part));
      literal.clear();
    }
  };
  for (size_t i = 0; i < inner.size();) {
    char c = inner[i];
    if (c == '\\') {
      Unescape(inner, i, literal, bad);
    } else if (c == '{' && i + 1 < inner.size() && inner[i + 1] == '{') {
      literal += '{';
      i += 2;
    } else if (c == '}' && i + 1 < inner.size() && inner[i + 1] == '}') {
      literal += '}';
      i += 2;
    } else if (c == '}') {
      Error(SpanOf(inner.data() + i, inner.data() + i + 1),
            "unmatched '}' in text (write '}}' for a literal brace)");
      ok = false;
      ++i;
    } else if (c == '{') {
      size_t close = inner.find('}', i + 1);
      if (close == std::string_view::npos) {
        Error(SpanOf(inner.data() + i, inner.data() + i + 1),
              "unclosed '{' in text (write '{{' for a literal brace)");
        ok = false;
        break;
      }
      size_t b = i + 1, e = close;
      while (b < e && IsSpace(inner[b])) ++b;
      while (e > b && IsSpace(inner[e - 1])) --e;
      std::string_view content = inner.substr(b, e - b);
      ExprPtr path = IsDottedName(content) ? MakePath(inner.data() + b, inner.data() + e) : nullptr;
      if (!path) {
        Error(SpanOf(inner.data() + i, inner.data() + close + 1),
              "bad placeholder '{" + std::string(content) +
                  "}': expected {event.<field>} or {customer.<attribute>}");
        ok = false;
      } else {
        flush();
        TemplatePart part;
        part.path = std::move(path);
        out.parts.push_back(std::move(part));
      }
      i = close + 1;
    } else {
      literal += c;
      ++i;
    }
  }
  flush();
  if (!ok) failed_ = true;
  return ok;
}

std::optional<Decimal> Lowerer::Number(gast::Tok t) {
  auto d = Decimal::Parse(t.view());
  if (!d) Error(t, "number '" + std::string(t.view()) + "' is out of range");
  return d;
}

std::optional<int64_t> Lowerer::Integer(gast::Tok t, const char* what) {
  auto d = Number(t);
  if (!d) return std::nullopt;
  if (!d->IsInteger()) {
    Error(t, std::string(what) + " must be a whole number, found '" + std::string(t.view()) + "'");
    return std::nullopt;
  }
  return d->Truncate();
}

std::optional<Duration> Lowerer::DurationOf(gast::Tok t) {
  std::string_view s = t.view();
  size_t n = 0;
  while (n < s.size() && ((s[n] >= '0' && s[n] <= '9') || s[n] == '.')) ++n;
  size_t u = n;
  // The grammar allows space (and, absurdly, a comment) between number and unit.
  while (u < s.size() && !IsIdentStart(s[u])) {
    if (s[u] == '#') {
      while (u < s.size() && s[u] != '\n') ++u;
    } else {
      ++u;
    }
  }
  std::string_view unit = s.substr(u);
  auto value = Decimal::Parse(s.substr(0, n));
  for (const Unit& k : kUnits) {
    if (k.word != unit || !value) continue;
    __int128 micros = static_cast<__int128>(value->micros()) * (k.micros / kMicrosPerSecond);
    if (micros > std::numeric_limits<int64_t>::max()) break;
    return static_cast<Duration>(micros);
  }
  Error(t, "duration '" + std::string(s) + "' is out of range");
  return std::nullopt;
}

std::optional<int32_t> Lowerer::Date(gast::Tok t) {
  auto d = ParseDate(t.view());
  if (!d) Error(t, "invalid date '" + std::string(t.view()) + "'");
  return d;
}

std::optional<int32_t> Lowerer::TimeOfDay(gast::Tok t) {
  std::string text(t.view());
  if (text.size() == 4) text.insert(text.begin(), '0');
  auto m = ParseTimeOfDay(text);
  if (!m) Error(t, "invalid time of day '" + std::string(t.view()) + "' (expected 00:00 to 23:59)");
  return m;
}

std::optional<size_t> Lowerer::Choose(gast::Tok t, const std::vector<std::string>& options,
                                      const char* what) {
  std::string_view word = t.view();
  for (size_t i = 0; i < options.size(); ++i) {
    if (options[i] == word) return i;
  }
  std::string hint = Suggest(word, options);
  if (!hint.empty()) {
    Error(t, "unknown " + std::string(what) + " '" + std::string(word) + "'; did you mean '" + hint + "'?");
  } else {
    Error(t, "unknown " + std::string(what) + " '" + std::string(word) + "' (expected " +
                 JoinOptions(options) + ")");
  }
  return std::nullopt;
}

}  // namespace patron::dsl
