#include "engine/customer/consent.hpp"

namespace patron::customer {

std::optional<uint8_t> OptOutBitsOf(std::string_view channel) {
  if (channel == "all") return kEveryOptOutBit;
  // A channel's bit is 1 << its Channel value (kOptOutSms = 1, ... kOptOutEmail = 8).
  if (std::optional<Channel> c = ChannelFromName(channel)) return static_cast<uint8_t>(1u << static_cast<unsigned>(*c));
  return std::nullopt;
}

bool ApplyOptChange(uint8_t& opted_out, std::string_view channel, bool opt_out) {
  std::optional<uint8_t> bits = OptOutBitsOf(channel);
  if (!bits) return false;
  if (opt_out) {
    opted_out |= *bits;
  } else {
    // `all` clears everything; a channel clears its own bit, never kOptOutAll.
    opted_out &= static_cast<uint8_t>(~(*bits == kEveryOptOutBit ? kEveryOptOutBit : *bits));
  }
  return true;
}

bool MessageAllowed(const CustomerProfile& profile, std::string_view channel) {
  std::optional<uint8_t> bits = OptOutBitsOf(channel);
  if (!bits || *bits == kEveryOptOutBit) return profile.opted_out == 0;
  return (profile.opted_out & *bits) == 0;
}

bool CouponAllowed(const CustomerProfile& profile) { return (profile.opted_out & kOptOutAll) == 0; }

}  // namespace patron::customer
