#pragma once
// The checker: what CheckRuleSet (dsl/parse.hpp) verifies after parsing,
// reporting every error it finds (not only the first):
//
// - names: duplicate rule names (across the whole set), duplicate segment
//   names, duplicate event declarations, duplicate fields in a declaration;
//   unknown segments, customer attributes, fields of declared event types
//   and functions, with a "did you mean" suggestion when one is close.
//   Event types without a declaration are dynamic (any field, type kAny);
//   event.id, event.type, event.time and event.store always exist.
// - where `event` is: the trigger's type for plain, first and aggregate
//   triggers; the aggregated type inside an aggregate's parentheses; A for
//   `not followed by`; B for `followed by`. Absence, date and schedule
//   triggers and segments have no event: using it there is an error.
// - types, where known (literals, customer attributes, declared fields):
//   comparisons of different types, ordering of non-ordered types,
//   arithmetic (time - time = duration, time +- duration = time), and/or/not
//   on non-bool values, `in` with a known non-list right side, a `where` or
//   segment that is not a condition, function arity and argument types.
//   Fills Expr::type everywhere and Expr::segment for segment references.
// - templates: every `{path}` placeholder is checked like a path.
// - rules: aggregate fields of declared types must be numbers, `count` takes
//   no field, date triggers use customer.birthday or customer.attrs.<name>,
//   `on <field>` exists in declared types, `set` targets tier, owner, store
//   or attrs.<name>, holdout within 0..100%, limit count >= 1, positive
//   durations, `between` with two different times, emit fields of declared
//   types exist and match.
// - segments may not refer to themselves, directly or through others.

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dsl/ast.hpp"

namespace patron::dsl {

// The built-in customer attributes (language.md) and their types, in the
// order the spec lists them. `attrs.<name>` (custom, kAny) is not listed.
const std::vector<std::pair<std::string, ValueType>>& CustomerAttributes();

// "number", "string", ... for messages.
std::string_view TypeName(ValueType type);

}  // namespace patron::dsl
