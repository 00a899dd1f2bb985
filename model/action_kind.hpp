#pragma once
// The kinds of action, message channels and ticket priorities (language.md
// "Actions"), with their names as they appear in rule files, in action
// envelopes and subjects (events.md "Actions out") and in stored records.
// The rule language (dsl/), the engine and the sinks all use these; each
// name is written here once. Plain data, thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/enum_names.hpp"

namespace patron {

enum class ActionKind : uint8_t { kCoupon, kMessage, kTicket, kRemind, kTag, kUntag, kSet, kPoints, kEmit, kWebhook };
inline constexpr std::array<std::string_view, 10> kActionKindNames = {
    "coupon", "message", "ticket", "remind", "tag", "untag", "set", "points", "emit", "webhook"};

enum class Channel : uint8_t { kSms, kWechat, kApp, kEmail };
inline constexpr std::array<std::string_view, 4> kChannelNames = {"sms", "wechat", "app", "email"};

enum class TicketPriority : uint8_t { kLow, kNormal, kHigh, kUrgent };
inline constexpr std::array<std::string_view, 4> kTicketPriorityNames = {"low", "normal", "high", "urgent"};

// Names used in subjects and envelopes: "coupon", "message", ..., "webhook".
constexpr std::string_view ActionKindName(ActionKind kind) { return EnumName(kActionKindNames, kind); }
// "sms", "wechat", "app", "email".
constexpr std::string_view ChannelName(Channel channel) { return EnumName(kChannelNames, channel); }
constexpr std::optional<Channel> ChannelFromName(std::string_view name) {
  return EnumFromName<Channel>(kChannelNames, name);
}
// "low", "normal", "high", "urgent".
constexpr std::string_view PriorityName(TicketPriority priority) { return EnumName(kTicketPriorityNames, priority); }

// Staff-facing kinds (ticket, remind) carry masked phones (decision 8).
constexpr bool IsStaffFacing(ActionKind kind) { return kind == ActionKind::kTicket || kind == ActionKind::kRemind; }

}  // namespace patron
