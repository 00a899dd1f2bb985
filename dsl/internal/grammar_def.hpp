#pragma once
// Internal to dsl/: the X3 grammar of language.md. Included by grammar.cpp
// only (X3 grammars are heavy to compile: one translation unit).
//
// Conventions:
// - tok[p] keeps the source range p matched (a gast::Tok); lowering reads
//   numbers, durations, strings and names from it.
// - Kw("x") is a keyword with a word-boundary guard: `lexeme[x >> !ident_char]`,
//   so `iffy` is not `if` + `fy`. After a `.` any identifier is allowed,
//   keywords too (dotted names are one lexeme).
// - Every parser on the right of a `>` is a named rule; its name is the
//   "expected ..." text of the diagnostic (parse.cpp adds "found ...").
// - Character classes are explicit ASCII sets: X3's std::isalnum-based
//   classes assert on the bytes of UTF-8 text.
// - Nodes derived from gast::Tagged get their source range from
//   Annotate::on_success (called by X3 after leading space is skipped).

#include <type_traits>

#include "dsl/internal/grammar.hpp"
#include "dsl/internal/grammar_ast.hpp"

namespace patron::dsl::grammar {

namespace x3 = boost::spirit::x3;
using gast::Tok;

// ------------------------------------------------------------ building blocks

// Records a Tagged node's source range.
struct Annotate {
  template <typename It, typename Attr, typename Ctx>
  void on_success(It const& first, It const& last, Attr& attr, Ctx const&) const {
    if constexpr (std::is_base_of_v<gast::Tagged, Attr>) {
      attr.b = first;
      attr.e = last;
    }
  }
};

// tok[p]: parses p (after skipping leading space) and yields the range it matched.
template <typename Subject>
struct TokDirective : x3::unary_parser<Subject, TokDirective<Subject>> {
  using base_type = x3::unary_parser<Subject, TokDirective<Subject>>;
  using attribute_type = Tok;
  static bool const has_attribute = true;

  constexpr TokDirective(Subject const& subject) : base_type(subject) {}

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    x3::skip_over(first, last, ctx);
    It i = first;
    if (!this->subject.parse(i, last, ctx, rctx, x3::unused)) return false;
    x3::traits::move_to(Tok{first, i}, attr);
    first = i;
    return true;
  }
};

struct TokGen {
  template <typename Subject>
  constexpr TokDirective<typename x3::extension::as_parser<Subject>::value_type> operator[](
      Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
inline constexpr TokGen tok{};

// nest[p]: p one level deeper in the expression (see grammar::Nesting);
// throws an expectation_failure named kTooDeep past the maximum. Used after
// the token that opens a level (`(`, `[`, `f(`, `not`, `-`), so that only
// input that really nests deeper fails.
template <typename Subject>
struct NestDirective : x3::unary_parser<Subject, NestDirective<Subject>> {
  using base_type = x3::unary_parser<Subject, NestDirective<Subject>>;
  static bool const is_pass_through_unary = true;

  constexpr NestDirective(Subject const& subject) : base_type(subject) {}

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const& ctx, RCtx& rctx, Attr& attr) const {
    Nesting& nesting = x3::get<NestingTag>(ctx);
    if (nesting.depth >= nesting.max) {
      It at = first;
      x3::skip_over(at, last, ctx);
      boost::throw_exception(x3::expectation_failure<It>(at, std::string(kTooDeep)));
    }
    struct Level {
      Nesting& n;
      explicit Level(Nesting& nesting) : n(nesting) { ++n.depth; }
      ~Level() { --n.depth; }
    } level(nesting);
    return this->subject.parse(first, last, ctx, rctx, attr);
  }
};

struct NestGen {
  template <typename Subject>
  constexpr NestDirective<typename x3::extension::as_parser<Subject>::value_type> operator[](
      Subject const& subject) const {
    return {x3::as_parser(subject)};
  }
};
inline constexpr NestGen nest{};

struct NamedId;
struct NodeId : Annotate {};

// A named inline rule: its name is what an expectation failure reports.
template <typename Attr = x3::unused_type, typename P>
constexpr auto Named(char const* name, P const& p) {
  return x3::rule<NamedId, Attr>{name} = p;
}
// A named inline rule synthesizing a Tagged node (its range is recorded).
template <typename Attr, typename P>
constexpr auto Node(char const* name, P const& p) {
  return x3::rule<NodeId, Attr>{name} = p;
}

auto const ident_start = x3::char_("a-zA-Z_");
auto const ident_char = x3::char_("a-zA-Z0-9_");
auto const digit = x3::char_("0-9");

inline auto Kw(char const* word) { return x3::lexeme[x3::lit(word) >> !ident_char]; }
// A keyword that starts a trigger, where a dotted event type may also stand:
// `first.visit` and `no.show` are event types, not `first` + `.visit`.
inline auto TriggerKw(char const* word) { return x3::lexeme[x3::lit(word) >> !(ident_char | '.')]; }

// ------------------------------------------------------------------- tokens

auto const ident_body = ident_start >> *ident_char;
auto const num_body = +digit >> -('.' >> +digit);
auto const unit_word = x3::lexeme[(x3::lit("weeks") | "week" | "w" | "days" | "day" | "d" | "hours" | "hour" |
                                   "h" | "minutes" | "minute" | "m" | "seconds" | "second" | "s") >>
                                  !ident_char];

auto const ident = Named<Tok>("a name", tok[x3::lexeme[ident_body]]);
auto const dotted = Named<Tok>("an event type", tok[x3::lexeme[ident_body >> *('.' >> ident_body)]]);
auto const string_lit =
    Named<Tok>("a string in double quotes",
               tok[x3::lexeme[('"' >> *(('\\' >> (x3::char_ - '\n')) | (x3::char_ - '"' - '\\' - '\n'))) >
                              Named("'\"' to close the string", x3::lit('"'))]]);
auto const number = Named<Tok>("a number", tok[x3::lexeme[num_body >> !ident_char]]);
auto const signed_number = Named<Tok>("a number", tok[x3::lexeme[-x3::lit('-') >> num_body >> !ident_char]]);
auto const percent = Named<Tok>("a percentage (e.g. 10%)", tok[x3::lexeme[-x3::lit('-') >> num_body >> '%']]);
auto const duration = Named<Tok>("a duration (e.g. 30 days, 24h)", tok[x3::lexeme[num_body] >> unit_word]);
auto const date =
    Named<Tok>("a date (YYYY-MM-DD)", tok[x3::lexeme[digit >> digit >> digit >> digit >> '-' >> digit >>
                                                     digit >> '-' >> digit >> digit >> !ident_char]]);
auto const time_of_day = Named<Tok>("a time of day (HH:MM)",
                                    tok[x3::lexeme[digit >> -digit >> ':' >> digit >> digit >> !ident_char]]);

// Words that cannot start an operand, so that `where then` or an operand
// missing at the end of a line ("... >=" then "event x.y {") is reported
// where it happens. A bare `event` is never a value; `event.x` is.
auto const reserved =
    x3::lexeme[((x3::lit("and") | "or" | "not" | "in" | "contains" | "then" | "end" | "where" | "wait" |
                 "when" | "rule" | "segment" | "limit" | "holdout" | "priority" | "between" | "measure" |
                 "policy") >>
                !ident_char) |
               (x3::lit("event") >> !(ident_char | '.'))];

// ----------------------------------------------------------------- expressions

struct ExprClass : Annotate {};
struct NotExprClass {};
struct UnaryExprClass {};

x3::rule<ExprClass, gast::Chain> const expr = "an expression";
x3::rule<NotExprClass, gast::Operand> const not_expr = "an expression";
x3::rule<UnaryExprClass, gast::Operand> const unary_expr = "an expression";

auto const close_paren = Named("')'", x3::lit(')'));
auto const close_bracket = Named("']' or ','", x3::lit(']'));

auto const op_or = tok[Kw("or")];
auto const op_and = tok[Kw("and")];
auto const op_cmp = tok[x3::lit("==") | "!=" | "<=" | ">=" | '<' | '>' | Kw("in") | Kw("contains")];
auto const op_add = tok[x3::char_("+-")];
auto const op_mul = tok[x3::char_("*/")];

// Annotated: a parenthesized chain's range includes its parentheses.
auto const paren = Node<gast::Chain>("an expression", '(' > nest[expr > close_paren]);
auto const list = Node<gast::ListLit>("a list", tok['['] > nest[-(expr % ',') > close_bracket]);
auto const call = Node<gast::Call>("a function call",
                                   (tok[x3::lexeme[ident_body]] >> '(') > nest[-(expr % ',') > close_paren]);
auto const atom =
    Named<Tok>("an expression", string_lit | date | duration | number |
                                    (!reserved >> tok[x3::lexeme[ident_body >> *('.' >> ident_body)]]));
auto const primary = Named<gast::Operand>("an expression", paren | list | call | atom);
auto const neg_unary = Node<gast::Unary>("an expression", tok['-'] > nest[unary_expr]);
auto const mul_expr = Node<gast::Chain>("an expression", unary_expr >> *(op_mul > unary_expr));
auto const add_expr = Node<gast::Chain>("an expression", mul_expr >> *(op_add > mul_expr));
auto const cmp_expr = Node<gast::Chain>("an expression", add_expr >> *(op_cmp > add_expr));
auto const not_unary = Node<gast::Unary>("an expression", tok[Kw("not")] > nest[not_expr]);
auto const and_expr = Node<gast::Chain>("an expression", not_expr >> *(op_and > not_expr));

auto const expr_def = and_expr >> *(op_or > and_expr);
auto const not_expr_def = not_unary | cmp_expr;
auto const unary_expr_def = neg_unary | primary;
BOOST_SPIRIT_DEFINE(expr, not_expr, unary_expr)

// ------------------------------------------------------------------ clauses

auto const where_clause = Node<gast::WhereNode>("'where'", tok[Kw("where")] > expr);
auto const wait_clause = Node<gast::WaitNode>("'wait'", tok[Kw("wait")] > duration);

// ----------------------------------------------------------------- triggers

auto const kw_at = Named("'at'", Kw("at"));
// A structural keyword standing alone (not the first part of a dotted name
// like `tag.added`) is not an event type: `when then` is a missing trigger.
auto const bare_keyword =
    x3::lexeme[(x3::lit("then") | "end" | "where" | "wait" | "when" | "rule" | "segment" | "event" | "and" |
                "or" | "not" | "in" | "contains" | "limit" | "holdout" | "priority" | "between" | "followed" |
                "within" | "for" | "measure" | "policy") >>
               !(ident_char | '.')];
auto const event_type = Named<Tok>("an event type", !bare_keyword >> dotted);

auto const absence_trig = Node<gast::AbsenceTrig>(
    "a trigger", tok[TriggerKw("no")] > Named<std::vector<Tok>>("an event type", event_type % Kw("or")) >
                     Named("'for' or 'or'", Kw("for")) > duration);
auto const every_trig = Node<gast::EveryTrig>(
    "a trigger", tok[TriggerKw("every")] > Named<Tok>("'day' or a weekday (monday .. sunday)", ident) >
                     kw_at > time_of_day);
auto const on_date_trig =
    Node<gast::OnDateTrig>("a trigger", tok[TriggerKw("on")] > date > kw_at > time_of_day);

auto const window = Node<gast::WindowNode>(
    "a window",
    tok[Kw("over") | Kw("this")] > Named<Tok>("a duration, or day, week, month or year", duration | ident));
auto const compare =
    Named<Tok>("a comparison (==, !=, <, <=, >, >=)", tok[x3::lit("==") | "!=" | "<=" | ">=" | '<' | '>']);
auto const agg_trig =
    Node<gast::AggTrig>("a trigger", (tok[x3::lexeme[ident_body]] >> '(') > event_type > -where_clause >
                                         close_paren > -window > compare > signed_number);
auto const date_trig = Node<gast::DateTrig>(
    "a trigger", duration > Named<Tok>("'before' or 'after'", tok[Kw("before") | Kw("after")]) >
                     Named<Tok>("customer.<date attribute>", dotted) > -tok[Kw("yearly")] > kw_at >
                     time_of_day);
auto const follow_tail = Node<gast::FollowTail>(
    "'followed by'", tok[(Kw("not") > Named("'followed'", Kw("followed"))) | Kw("followed")] >
                         Named("'by'", Kw("by")) > event_type > Named("'within'", Kw("within")) > duration >
                         -(Kw("on") > Named<Tok>("a field name", dotted)));
auto const type_trig =
    Node<gast::TypeTrig>("a trigger", -tok[TriggerKw("first")] >> event_type >> -follow_tail);

// `customer enters|leaves <segment>`; `customer` alone (or `customer.x`) is
// still an event type for type_trig.
auto const segment_trig = Node<gast::SegmentTrig>(
    "a trigger", tok[TriggerKw("customer")] >> tok[Kw("enters") | Kw("leaves")] >
                     Named<Tok>("a segment name", ident));

auto const trigger =
    Named<gast::Trigger>("a trigger after 'when'", segment_trig | absence_trig | every_trig | on_date_trig |
                                                       agg_trig | date_trig | type_trig);
auto const when_clause = Node<gast::WhenNode>("'when'", tok[Kw("when")] > trigger);

// ------------------------------------------------------------------ actions

auto const role = Named<Tok>("a role name", ident);
auto const customer_path = Named<Tok>("customer.<attribute>", dotted);

auto const coupon_act = Node<gast::CouponAct>(
    "an action", tok[Kw("coupon")] > string_lit > -(Kw("value") > signed_number) > -(Kw("valid") > duration));
auto const message_act = Node<gast::MessageAct>(
    "an action",
    tok[Kw("message")] > Named<Tok>("a channel (sms, wechat, app or email)", ident) > string_lit);
auto const ticket_act = Node<gast::TicketAct>(
    "an action", tok[Kw("ticket")] > string_lit >
                     -((Kw("priority") >> !(digit | '-')) >
                       Named<Tok>("a ticket priority (low, normal, high or urgent)", ident)) >
                     -(Kw("to") > role));
auto const remind_act = Node<gast::RemindAct>("an action", tok[Kw("remind")] > role > string_lit);
auto const text_act =
    Node<gast::TextAct>("an action", tok[Kw("tag") | Kw("untag") | Kw("webhook")] > string_lit);
auto const set_act =
    Node<gast::SetAct>("an action", tok[Kw("set")] > customer_path > Named("'='", x3::lit('=')) > expr);
auto const points_act = Node<gast::PointsAct>("an action", tok[Kw("points")] > expr);
auto const emit_field =
    Node<gast::EmitFieldNode>("a field name", ident > Named("'='", x3::lit('=') >> !x3::lit('=')) > expr);
auto const emit_act = Node<gast::EmitAct>(
    "an action", tok[Kw("emit")] > event_type > -(Kw("with") > Named<std::vector<gast::EmitFieldNode>>(
                                                                   "a field name", emit_field % ',')));
auto const action = Named<gast::Action>("an action", coupon_act | message_act | ticket_act | remind_act |
                                                         text_act | set_act | points_act | emit_act);

// ------------------------------------------------------------------ options

auto const kw_per = Named("'per'", Kw("per"));
auto const limit_opt =
    Node<gast::LimitOpt>("an option", tok[Kw("limit")] > signed_number > kw_per >
                                          Named<Tok>("'customer' or a path", dotted) > kw_per > duration);
auto const holdout_opt = Node<gast::NumberOpt>("an option", tok[Kw("holdout")] > percent);
auto const priority_opt = Node<gast::NumberOpt>("an option", tok[Kw("priority")] > signed_number);
auto const between_opt = Node<gast::BetweenOpt>(
    "an option", tok[Kw("between")] > time_of_day > Named("'and'", Kw("and")) > time_of_day);
auto const policy_opt =
    Node<gast::NameOpt>("an option", tok[Kw("policy")] > Named<Tok>("a policy name (or none)", ident));
auto const option =
    Named<gast::Option>("an option", limit_opt | holdout_opt | priority_opt | between_opt | policy_opt);

// ------------------------------------------------------------- declarations

auto const rule_item =
    Node<gast::RuleNode>("'rule'", Kw("rule") > Named<Tok>("a rule name in double quotes", string_lit) >
                                       when_clause > -where_clause > -wait_clause > -where_clause >
                                       Named("'then' after the trigger", Kw("then")) >
                                       Named<std::vector<gast::Action>>("an action after 'then'", +action) >
                                       *option > Named("an action, an option or 'end'", Kw("end")));

auto const field_decl = Node<gast::FieldNode>(
    "a field name", ident > Named("':'", x3::lit(':')) >
                        Named<Tok>("a field type (string, number, bool, time, list or object)", ident));
auto const event_decl = Node<gast::EventDeclNode>(
    "'event'", tok[Kw("event")] > event_type > Named("'{'", x3::lit('{')) >
                   Named<std::vector<gast::FieldNode>>("a field", -(field_decl % ',')) > -x3::lit(',') >
                   Named("'}' or ','", x3::lit('}')));

auto const segment_decl =
    Node<gast::SegmentNode>("'segment'", tok[Kw("segment")] > Named<Tok>("a segment name", ident) >
                                             Named("'='", x3::lit('=')) > expr);

// `measure <name> = <agg>(<type>[.<field>] [where e]) [window]`: the
// aggregate of the aggregate trigger, without the comparison.
auto const measure_decl = Node<gast::MeasureNode>(
    "'measure'", tok[Kw("measure")] > Named<Tok>("a measure name", ident) > Named("'='", x3::lit('=')) >
                     Named<Tok>("an aggregate (count, sum, avg, min or max)", tok[x3::lexeme[ident_body]]) >
                     Named("'('", x3::lit('(')) > event_type > -where_clause > close_paren > -window);

auto const refresh_decl = Node<gast::RefreshNode>(
    "'segments'", tok[Kw("segments")] > Named("'refresh'", Kw("refresh")) > kw_at > time_of_day);

// `policy <name> [default]`, then `limit` and `between` lines, then `end`.
auto const policy_line = Named<gast::Option>("'limit', 'between' or 'end'", limit_opt | between_opt);
auto const policy_decl = Node<gast::PolicyNode>(
    "'policy'", tok[Kw("policy")] > Named<Tok>("a policy name", ident) > -tok[Kw("default")] >
                    Named<std::vector<gast::Option>>("'limit', 'between' or 'end'", *policy_line) >
                    Named("'limit', 'between' or 'end'", Kw("end")));

struct ItemClass : Annotate {};
ItemRule const item = "'rule', 'event' or 'segment'";
auto const item_def = rule_item | event_decl | segment_decl | measure_decl | refresh_decl | policy_decl;
BOOST_SPIRIT_DEFINE(item)

}  // namespace patron::dsl::grammar
