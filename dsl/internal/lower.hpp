#pragma once
// Internal to dsl/: lowering from the grammar's tree (dsl/grammar_ast.hpp)
// to the public AST (dsl/ast.hpp). Reads the values of tokens (numbers,
// durations, dates, times, strings with escapes, `{path}` templates),
// places `where` clauses, and fills every Span with byte offsets into the
// file's text. Lexical errors (an impossible date, a bad escape, an unknown
// channel...) are reported at their token; an item with any error is not
// appended to the rule set.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dsl/ast.hpp"
#include "dsl/diagnostics.hpp"
#include "dsl/internal/grammar_ast.hpp"
#include "dsl/parse.hpp"

namespace patron::dsl {

class Lowerer {
 public:
  // `out.files[file]` holds the text the tokens point into; both must
  // outlive the Lowerer.
  Lowerer(RuleSet& out, uint32_t file, Diagnostics& diags, const ParseOptions& options);

  // Appends the item's declaration or rule to the rule set unless it has an
  // error. Returns false if an error was reported.
  bool Lower(const gast::Item& item);

  // Byte span of [b, e) in this file.
  Span SpanOf(const char* b, const char* e) const;

 private:
  Span SpanOf(gast::Tok t) const { return SpanOf(t.b, t.e); }
  Span SpanOf(const gast::Tagged& n) const { return SpanOf(n.b, n.e); }
  Name NameOf(gast::Tok t) const { return {std::string(t.view()), SpanOf(t)}; }
  void Error(Span span, std::string message);
  void Error(gast::Tok t, std::string message) { Error(SpanOf(t), std::move(message)); }

  // Declarations (lower.cpp).
  void LowerRule(const gast::RuleNode& node);
  void LowerEvent(const gast::EventDeclNode& node);
  void LowerSegment(const gast::SegmentNode& node);
  // Version 2 declarations (lower_v2.cpp).
  void LowerMeasure(const gast::MeasureNode& node);
  void LowerRefresh(const gast::RefreshNode& node);
  void LowerPolicy(const gast::PolicyNode& node);
  // The aggregate part shared by the aggregate trigger and measures:
  // `agg(target [where e]) [window]` into out's aggregate members.
  void LowerAggregate(gast::Tok agg, gast::Tok target, const boost::optional<gast::WhereNode>& where,
                      const boost::optional<gast::WindowNode>& window, Trigger& out);
  // The text of [b, e) with comments dropped and white space (outside
  // strings) only as one space before a word after a word or after `)`,
  // `]` or `"`: a definition's identity for state keys (`count( visit )`
  // is `count(visit)`, and `a > 1` is `a>1`).
  static std::string NormalizedText(const char* b, const char* e);
  void LowerTrigger(const gast::WhenNode& node, Trigger& out);
  void LowerAction(const gast::Action& node, Action& out);
  void LowerOption(const gast::Option& node, Rule& rule);
  std::optional<Name> FieldAfterOn(gast::Tok t);
  // `customer.x.y` -> {x, y}; reports `what` if the root is not customer.
  std::optional<std::vector<Name>> CustomerPath(gast::Tok t, const char* what);

  // Expressions (lower_expr.cpp). Each sets depth_ to the depth of the tree
  // it returns, which never exceeds options_.max_expression_depth.
  ExprPtr LowerExpr(const gast::Chain& chain);
  ExprPtr LowerOperand(const gast::Operand& operand, bool segment_allowed);
  ExprPtr LowerAtom(gast::Tok t, bool segment_allowed);
  ExprPtr LowerCall(const gast::Call& call);
  ExprPtr LowerList(const gast::ListLit& list);
  // A dotted path [b, e) rooted at event or customer, or nullptr (no error
  // reported) when the root is something else.
  ExprPtr MakePath(const char* b, const char* e) const;
  ExprPtr Placeholder();
  // Checks the depth of a node about to be built from children of depth
  // `child_depth`; on excess reports it at `span` once and returns false.
  bool Deeper(int child_depth, Span span);

  // Tokens (lower_tokens.cpp). Each reports its own error and returns nullopt.
  std::optional<std::string> String(gast::Tok t);
  bool TemplateOf(gast::Tok t, Template& out);
  std::optional<Decimal> Number(gast::Tok t);
  std::optional<int64_t> Integer(gast::Tok t, const char* what);
  std::optional<Duration> DurationOf(gast::Tok t);
  std::optional<int32_t> Date(gast::Tok t);
  std::optional<int32_t> TimeOfDay(gast::Tok t);
  // Finds `word` among `options` (as written); reports "unknown <what>" with
  // a suggestion if absent.
  std::optional<size_t> Choose(gast::Tok t, const std::vector<std::string>& options, const char* what);

  RuleSet& out_;
  uint32_t file_;
  Diagnostics& diags_;
  const char* base_;
  ParseOptions options_;
  bool failed_ = false;  // an error in the current item
  int depth_ = 0;        // depth of the expression tree last lowered
};

}  // namespace patron::dsl
