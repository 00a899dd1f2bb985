#pragma once
// A readable text dump of a compiled graph (engine/graph.hpp), for golden
// tests (tests/engine/cases/graph/*.expect) and for people reading what the
// compiler made of a rule set.
//
// Contract:
// - Deterministic: the same CompiledRules always give the same bytes. Hash
//   maps are printed in sorted order (event types by name, buckets by their
//   constants), and nothing depends on addresses: nodes are named by their
//   index in CompiledRules::nodes (`#3`), rules by their index in
//   CompiledRules::rules (`r0`). Those indexes are the compiler's (children
//   before parents, rules in rule-set order), so a change in how the
//   compiler builds the graph shows as a change of the dump; that is the
//   point of the golden tests.
// - Complete enough to review a compilation: every expression node with its
//   operator, children, memo/customer/time flags and the rules that reach
//   it (a node reached by several rules is shared: hash-consing); per event
//   type, the equality groups with their paths and buckets, each bucket's
//   range index with its points and segments, the rules visited always and
//   the watches of time-driven rules; every rule with its rank and
//   priority, trigger, wait, where and how it is dispatched, limit,
//   holdout, quiet window and actions.
// - Not a stable interface: the format may change with the graph; goldens
//   are then rewritten (PATRON_UPDATE_GOLDEN=1) and reviewed.
// Costs O(rules x nodes) (the rules reaching each node); for tests and
// tools, not for the engine's loop. Pure function; safe from any thread on
// a graph nobody mutates.
//
// Shape (one item per line, two spaces of indent per level; "-" is an
// empty list; abridged from tests/engine/cases/graph/w1_thresholds.expect):
//   graph
//     timezone Asia/Shanghai
//     stats nodes 23, memo 10, indexed rules 5, always rules 1, groups 3, buckets 4, range indexes 3
//     evaluation order r5 r0 r1 r2 r3 r4
//   declared order.completed
//     amount number
//   nodes
//     #0 event.store [memo, shared by r0 r1 r2 r3]
//     #1 const "s012" [shared by r0 r1]
//     #2 == #0 #1 = event.store == "s012" [memo, shared by r0 r1]
//     #3 event.amount [memo, shared by r0 r1 r2 r4 r5]
//     #4 const 300 [shared by r0 r1]
//     #5 >= #3 #4 = event.amount >= 300 [memo]
//     #6 and #2 #5 = event.store == "s012" and event.amount >= 300
//   type order.completed
//     group #0 event.store
//       bucket "s012"
//         plain -
//         range #3 event.amount points 100 300
//           (-inf, 100) -
//           [100] r1
//           (100, 300) r1
//           [300] r0
//           (300, +inf) r0
//     always r5
//     watch arm_absence r6
//   rule r0 "s012 big"
//     rank 1, priority 0
//     trigger order.completed
//     where #6 = event.store == "s012" and event.amount >= 300
//     dispatch indexed, residual -, range #5
//     action 0 coupon "BIG012" value 30
// Node flags: memo (cached per event), customer (reads the profile), time
// (a declared time field), "shared by" (reached by several rules),
// "unreferenced" (reached by no rule: a leftover of compiling). Candidate
// lists name rules in evaluation order; a bucket's constants are read back
// from a member rule's where.

#include <string>

namespace patron {

class CompiledRules;

// The dump of `rules`, each line ending in '\n'.
std::string DumpGraph(const CompiledRules& rules);

}  // namespace patron
