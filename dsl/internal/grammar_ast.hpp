#pragma once
// Internal to dsl/: the syntax tree the X3 grammar synthesizes, in Spirit's
// own style (x3::variant, forward_ast, fusion-adapted structs). Tokens are
// kept as raw source ranges (`Tok`); lowering (dsl/lower.hpp) interprets
// them (numbers, durations, strings, templates) and turns this tree into
// the Boost-free public AST of dsl/ast.hpp with byte spans.
//
// Composite nodes derive from `Tagged`: the grammar's on_success handler
// records the first and one-past-last character of the node's text (after
// leading white space). Pointers point into the file's text, which must
// outlive the tree.

#include <string_view>
#include <vector>

#include <boost/fusion/include/adapt_struct.hpp>
#include <boost/optional.hpp>
#include <boost/spirit/home/x3/support/ast/variant.hpp>

namespace patron::dsl::gast {

namespace x3 = boost::spirit::x3;

// A token as written: [b, e) in the file's text.
struct Tok {
  const char* b = nullptr;
  const char* e = nullptr;
  std::string_view view() const { return {b, static_cast<size_t>(e - b)}; }
};

// Base of nodes whose source range the grammar records.
struct Tagged {
  const char* b = nullptr;
  const char* e = nullptr;
};

// ---------------------------------------------------------------- expressions
// Every precedence level is a Chain: `first (op operand)*`. Levels with no
// operator are collapsed by lowering.

struct Chain;
struct Unary;
struct Call;
struct ListLit;

// An atom token (literal, path, bare name) or a nested node.
struct Operand : x3::variant<Tok, x3::forward_ast<Call>, x3::forward_ast<ListLit>, x3::forward_ast<Unary>,
                             x3::forward_ast<Chain>> {
  using base_type::base_type;
  using base_type::operator=;
};

struct OpTail {
  Tok op;
  Operand rhs;
};

struct Chain : Tagged {
  Operand first;
  std::vector<OpTail> rest;
};

struct Unary : Tagged {
  Tok op;  // "not" or "-"
  Operand operand;
};

struct Call : Tagged {
  Tok name;
  std::vector<Chain> args;
};

struct ListLit : Tagged {
  Tok open;
  std::vector<Chain> items;
};

// ------------------------------------------------------------------- clauses

struct WhereNode : Tagged {
  Tok kw;
  Chain expr;
};

struct WaitNode : Tagged {
  Tok kw;
  Tok duration;
};

// ------------------------------------------------------------------ triggers

// `[not] followed by B within D [on f]`
struct FollowTail : Tagged {
  Tok words;  // "not followed" or "followed"
  Tok type_b;
  Tok within;
  boost::optional<Tok> on_field;
};

// `[first] A [followed-tail]`
struct TypeTrig : Tagged {
  boost::optional<Tok> first;
  Tok type;
  boost::optional<FollowTail> follow;
};

struct WindowNode : Tagged {
  Tok kw;   // "over" or "this"
  Tok arg;  // a duration or day|week|month|year
};

// `agg(target [where e]) [window] cmp number`
struct AggTrig : Tagged {
  Tok agg;
  Tok target;
  boost::optional<WhereNode> where;
  boost::optional<WindowNode> window;
  Tok cmp;
  Tok number;
};

// `no A [or B]... for D`
struct AbsenceTrig : Tagged {
  Tok kw;
  std::vector<Tok> types;
  Tok duration;
};

// `D before|after customer.x [yearly] at HH:MM`
struct DateTrig : Tagged {
  Tok duration;
  Tok direction;
  Tok path;
  boost::optional<Tok> yearly;
  Tok at;
};

// `every day|<weekday> at HH:MM`
struct EveryTrig : Tagged {
  Tok kw;
  Tok day;
  Tok at;
};

// `on YYYY-MM-DD at HH:MM`
struct OnDateTrig : Tagged {
  Tok kw;
  Tok date;
  Tok at;
};

// `customer enters|leaves <segment>`
struct SegmentTrig : Tagged {
  Tok kw;         // "customer"
  Tok direction;  // "enters" or "leaves"
  Tok segment;
};

struct Trigger : x3::variant<TypeTrig, AggTrig, AbsenceTrig, DateTrig, EveryTrig, OnDateTrig, SegmentTrig> {
  using base_type::base_type;
  using base_type::operator=;
};

struct WhenNode : Tagged {
  Tok kw;
  Trigger trigger;
};

// ------------------------------------------------------------------- actions

struct CouponAct : Tagged {
  Tok kw;
  Tok code;
  boost::optional<Tok> value;
  boost::optional<Tok> valid;
};

struct MessageAct : Tagged {
  Tok kw;
  Tok channel;
  Tok text;
};

struct TicketAct : Tagged {
  Tok kw;
  Tok title;
  boost::optional<Tok> priority;
  boost::optional<Tok> role;
};

struct RemindAct : Tagged {
  Tok kw;
  Tok role;
  Tok text;
};

// tag, untag, webhook: a keyword and one string.
struct TextAct : Tagged {
  Tok kw;
  Tok text;
};

struct SetAct : Tagged {
  Tok kw;
  Tok path;
  Chain value;
};

struct PointsAct : Tagged {
  Tok kw;
  Chain value;
};

struct EmitFieldNode : Tagged {
  Tok name;
  Chain value;
};

struct EmitAct : Tagged {
  Tok kw;
  Tok type;
  std::vector<EmitFieldNode> fields;
};

struct Action
    : x3::variant<CouponAct, MessageAct, TicketAct, RemindAct, TextAct, SetAct, PointsAct, EmitAct> {
  using base_type::base_type;
  using base_type::operator=;
};

// ------------------------------------------------------------------- options

struct LimitOpt : Tagged {
  Tok kw;
  Tok count;
  Tok per;  // "customer" or a path
  Tok window;
};

// holdout N% and priority N
struct NumberOpt : Tagged {
  Tok kw;
  Tok value;
};

struct BetweenOpt : Tagged {
  Tok kw;
  Tok from;
  Tok to;
};

// `policy <name>` (or `policy none`)
struct NameOpt : Tagged {
  Tok kw;
  Tok name;
};

struct Option : x3::variant<LimitOpt, NumberOpt, BetweenOpt, NameOpt> {
  using base_type::base_type;
  using base_type::operator=;
};

// -------------------------------------------------------------- declarations

struct RuleNode : Tagged {
  Tok name;
  WhenNode when;
  boost::optional<WhereNode> where1;
  boost::optional<WaitNode> wait;
  boost::optional<WhereNode> where2;
  std::vector<Action> actions;
  std::vector<Option> options;
};

struct FieldNode : Tagged {
  Tok name;
  Tok type;
};

struct EventDeclNode : Tagged {
  Tok kw;
  Tok type;
  std::vector<FieldNode> fields;
};

struct SegmentNode : Tagged {
  Tok kw;
  Tok name;
  Chain expr;
};

// `measure <name> = agg(target [where e]) [window]`
struct MeasureNode : Tagged {
  Tok kw;
  Tok name;
  Tok agg;
  Tok target;
  boost::optional<WhereNode> where;
  boost::optional<WindowNode> window;
};

// `segments refresh at HH:MM`
struct RefreshNode : Tagged {
  Tok kw;
  Tok at;
};

// `policy <name> [default] <limit and between lines> end`
struct PolicyNode : Tagged {
  Tok kw;
  Tok name;
  boost::optional<Tok> is_default;
  std::vector<Option> lines;
};

struct Item : x3::variant<RuleNode, EventDeclNode, SegmentNode, MeasureNode, RefreshNode, PolicyNode> {
  using base_type::base_type;
  using base_type::operator=;
};

}  // namespace patron::dsl::gast

BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::OpTail, op, rhs)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::Chain, first, rest)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::Unary, op, operand)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::Call, name, args)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::ListLit, open, items)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::WhereNode, kw, expr)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::WaitNode, kw, duration)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::FollowTail, words, type_b, within, on_field)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::TypeTrig, first, type, follow)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::WindowNode, kw, arg)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::AggTrig, agg, target, where, window, cmp, number)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::AbsenceTrig, kw, types, duration)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::DateTrig, duration, direction, path, yearly, at)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::EveryTrig, kw, day, at)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::OnDateTrig, kw, date, at)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::SegmentTrig, kw, direction, segment)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::WhenNode, kw, trigger)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::CouponAct, kw, code, value, valid)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::MessageAct, kw, channel, text)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::TicketAct, kw, title, priority, role)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::RemindAct, kw, role, text)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::TextAct, kw, text)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::SetAct, kw, path, value)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::PointsAct, kw, value)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::EmitFieldNode, name, value)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::EmitAct, kw, type, fields)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::LimitOpt, kw, count, per, window)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::NumberOpt, kw, value)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::BetweenOpt, kw, from, to)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::NameOpt, kw, name)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::RuleNode, name, when, where1, wait, where2, actions, options)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::FieldNode, name, type)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::EventDeclNode, kw, type, fields)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::SegmentNode, kw, name, expr)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::MeasureNode, kw, name, agg, target, where, window)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::RefreshNode, kw, at)
BOOST_FUSION_ADAPT_STRUCT(patron::dsl::gast::PolicyNode, kw, name, is_default, lines)
