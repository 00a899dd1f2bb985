// Lowering of the version 2 declarations (language.md "Version 2
// additions"): measures, `segments refresh at`, and policies.

#include "dsl/internal/lower.hpp"

namespace patron::dsl {
namespace {

bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' ||
         static_cast<unsigned char>(c) >= 0x80;
}

}  // namespace

std::string Lowerer::NormalizedText(const char* b, const char* e) {
  std::string out;
  bool space = false;
  for (const char* p = b; p < e;) {
    const char c = *p;
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      space = true;
      ++p;
    } else if (c == '#') {
      while (p < e && *p != '\n') ++p;
      space = true;
    } else {
      // One space before a word that follows a word (`over 30 days`) or a
      // closing `)`, `]` or `"` (`(x) over`), written or not; none elsewhere.
      if (!out.empty() && IsWordChar(c) &&
          ((space && IsWordChar(out.back())) || out.back() == ')' || out.back() == ']' || out.back() == '"'))
        out += ' ';
      space = false;
      if (c == '"') {  // a string as written, escapes included
        const char* q = p + 1;
        while (q < e && *q != '"') q += (*q == '\\' && q + 1 < e) ? 2 : 1;
        if (q < e) ++q;
        out.append(p, q);
        p = q;
      } else {
        out += c;
        ++p;
      }
    }
  }
  return out;
}

void Lowerer::LowerMeasure(const gast::MeasureNode& node) {
  Measure m;
  m.name = NameOf(node.name);
  m.span = SpanOf(node);
  Trigger t;
  LowerAggregate(node.agg, node.target, node.where, node.window, t);
  m.aggregate = t.aggregate;
  m.aggregate_name = std::move(t.aggregate_name);
  if (!t.event_types.empty()) m.event_type = std::move(t.event_types[0]);
  m.field = std::move(t.field);
  m.where = std::move(t.aggregate_where);
  m.window = t.window;
  m.window_length = t.window_length;
  m.window_span = t.window_span;
  m.definition = NormalizedText(node.agg.b, node.e);
  if (!failed_) out_.measures.push_back(std::move(m));
}

void Lowerer::LowerRefresh(const gast::RefreshNode& node) {
  SegmentsRefresh r;
  r.span = SpanOf(node);
  if (auto m = TimeOfDay(node.at)) r.at_minutes = *m;
  if (!failed_) out_.refreshes.push_back(r);
}

void Lowerer::LowerPolicy(const gast::PolicyNode& node) {
  Policy p;
  p.name = NameOf(node.name);
  p.span = SpanOf(node);
  if (node.is_default) {
    p.is_default = true;
    p.default_span = SpanOf(*node.is_default);
  }
  // The lines are rule options (limit, between): lowered as such, with
  // their duplicate checks, into a scratch rule.
  Rule lines;
  for (const gast::Option& line : node.lines) LowerOption(line, lines);
  if (lines.limit && !lines.limit->per_customer) {
    Span at = lines.limit->per_path ? lines.limit->per_path->span : lines.limit->span;
    Error(at, "a policy's limit counts per customer: write 'limit <n> per customer per <duration>'");
  }
  p.limit = std::move(lines.limit);
  p.between = lines.between;
  if (!failed_) out_.policies.push_back(std::move(p));
}

}  // namespace patron::dsl
