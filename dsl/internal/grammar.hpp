#pragma once
// Internal to dsl/: declarations of the X3 grammar (the layout of Spirit's
// example/x3/rexpr/rexpr_full). The definitions live in grammar_def.hpp and
// are compiled once, in grammar.cpp, for exactly the iterator, skipper and
// context types named here. Callers include only this header.
//
// The grammar parses ONE top-level item (a rule, an event declaration or a
// segment) per call; dsl/parse.cpp loops over items, which is what makes
// error recovery ("resume at the next rule") simple.
//
// A failed `>` throws x3::expectation_failure<Iterator> whose which() is one
// of the human descriptions given to the grammar's rules ("'then' after the
// trigger", "a duration (30 days, 2h, ...)"); parse.cpp turns it into a
// diagnostic. Nothing outside dsl/ sees the exception.

#include <string_view>

#include <boost/spirit/home/x3.hpp>

#include "dsl/internal/grammar_ast.hpp"

namespace patron::dsl::grammar {

namespace x3 = boost::spirit::x3;

using Iterator = const char*;

// Skips ASCII white space and `#` comments to the end of the line. A plain
// parser (not a rule) so that its type can be named in Context.
struct Skipper : x3::parser<Skipper> {
  using attribute_type = x3::unused_type;
  static bool const has_attribute = false;

  template <typename It, typename Ctx, typename RCtx, typename Attr>
  bool parse(It& first, It const& last, Ctx const&, RCtx&, Attr&) const {
    It p = first;
    while (p != last) {
      char c = *p;
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
        ++p;
      } else if (c == '#') {
        while (p != last && *p != '\n') ++p;
      } else {
        break;
      }
    }
    bool moved = p != first;
    first = p;
    return moved;
  }
};

inline constexpr Skipper kSkipper{};

// How deeply the expression being parsed is nested (parentheses, lists,
// calls, `not`, unary minus), against a maximum: the grammar is recursive
// descent, and unbounded input nesting would exhaust the stack.
struct NestingTag;
struct Nesting {
  int depth = 0;
  int max = 64;
};
// The which() of the expectation_failure thrown when `max` is exceeded.
inline constexpr std::string_view kTooDeep = "<nesting limit>";

// The context the grammar is compiled for: the nesting counter, then the
// skipper. parse.cpp builds exactly this with x3::make_context.
using SkipContext = x3::context<x3::skipper_tag, Skipper const>;
using Context = x3::context<NestingTag, Nesting, SkipContext>;

struct ItemClass;
using ItemRule = x3::rule<ItemClass, gast::Item>;
BOOST_SPIRIT_DECLARE(ItemRule)

// The top-level rule: `rule ... end` | `event ...` | `segment ...`.
const ItemRule& Item();

}  // namespace patron::dsl::grammar
