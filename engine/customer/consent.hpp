#pragma once
// Opt-outs (events.md customer.opted_out / customer.opted_in) and what they
// allow. opted_out `all` sets every channel bit and kOptOutAll; opted_out
// <channel> sets that channel's bit. opted_in `all` clears every bit;
// opted_in <channel> clears that channel's bit only, so after an `all`
// opt-out coupons stay off (kOptOutAll) until an `all` opt-in.
// Pure functions over model/, thread-safe.

#include <cstdint>
#include <optional>
#include <string_view>

#include "model/action_kind.hpp"
#include "model/customer_record.hpp"

namespace patron::customer {

// Every bit an `all` opt-out sets.
inline constexpr uint8_t kEveryOptOutBit = kOptOutSms | kOptOutWechat | kOptOutApp | kOptOutEmail | kOptOutAll;

// The bit of "sms", "wechat", "app", "email" or "all" (all = every bit); nullopt otherwise.
std::optional<uint8_t> OptOutBitsOf(std::string_view channel);
// Sets (opt_out) or clears the bits of `channel` in `opted_out`; false (and
// nothing changed) when the channel is not one of sms, wechat, app, email, all.
bool ApplyOptChange(uint8_t& opted_out, std::string_view channel, bool opt_out);
// A `message` on `channel` may reach the customer (its channel bit is clear).
// An unknown channel is treated as allowed only when no opt-out is set at all.
bool MessageAllowed(const CustomerProfile& profile, std::string_view channel);
// A `coupon` may reach the customer (no `all` opt-out in force).
bool CouponAllowed(const CustomerProfile& profile);
// The opted-out channels' names in Channel order, then "all" when kOptOutAll
// is set, each passed to `visit` (for `inspect` and exports).
template <typename Visit>
void ForEachOptedOut(uint8_t opted_out, Visit&& visit) {
  for (size_t c = 0; c < kChannelNames.size(); ++c)
    if ((opted_out & (1u << c)) != 0) visit(kChannelNames[c]);
  if ((opted_out & kOptOutAll) != 0) visit(std::string_view("all"));
}

}  // namespace patron::customer
