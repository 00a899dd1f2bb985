// The one translation unit that compiles the X3 grammar (grammar_def.hpp)
// for the iterator and context types of grammar.hpp.
#include "dsl/internal/grammar_def.hpp"

namespace patron::dsl::grammar {

BOOST_SPIRIT_INSTANTIATE(ItemRule, Iterator, Context)

const ItemRule& Item() { return item; }

}  // namespace patron::dsl::grammar
