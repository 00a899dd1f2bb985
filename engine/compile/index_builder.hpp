#pragma once
// Builds the per-type dispatch of a compiled graph (engine/graph.hpp
// TypeDispatch): splits each plain-event rule's where into top-level
// conjuncts, hashes the `event.<path> == <constant>` ones into EqGroups and
// their buckets, and puts constant bounds on one numeric path into a
// bucket's RangeIndex. Used only by the compiler.

#include "engine/compile/compiler.hpp"
#include "engine/graph.hpp"

namespace patron {

// Fills `out.types` and each rule's indexed/residual/range_conjuncts from
// `out.rules` (whose where, trigger, event_type and rank must be set) and
// `out.nodes`. Returns the nodes the index reads (group and range paths),
// which count as uses for memoisation.
std::vector<uint32_t> BuildDispatch(CompiledRules& out, const CompileOptions& options);

}  // namespace patron
