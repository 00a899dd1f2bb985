#pragma once
// What happened to one firing, kept for per-rule reports (the `outcomes`
// table) and counted per rule (`rule_stats`). Plain data, thread-safe.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/time.hpp"
#include "model/enum_names.hpp"

namespace patron {

// kSkippedPolicy: skipped by the limit of the rule's policy (detail "policy <name>").
enum class OutcomeKind : uint8_t { kFired, kSkippedLimit, kHeldOut, kSuppressed, kConverted, kSkippedPolicy };
inline constexpr std::array<std::string_view, 6> kOutcomeKindNames = {
    "fired", "skipped_limit", "held_out", "suppressed", "converted", "skipped_policy"};

// "fired", "skipped_limit", "held_out", "suppressed", "converted", "skipped_policy".
constexpr std::string_view OutcomeKindName(OutcomeKind kind) { return EnumName(kOutcomeKindNames, kind); }
// The kind named `name`, nullopt for an unknown name.
constexpr std::optional<OutcomeKind> OutcomeKindFromName(std::string_view name) {
  return EnumFromName<OutcomeKind>(kOutcomeKindNames, name);
}

struct Outcome {
  OutcomeKind kind = OutcomeKind::kFired;
  std::string rule;
  std::string customer_id;
  TimePoint time = 0;
  std::string cause;    // event id (or deadline) that caused the firing
  std::string detail;   // suppression reason, coupon code, ...
};

}  // namespace patron
