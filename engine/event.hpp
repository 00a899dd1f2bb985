#pragma once
// A decoded CloudEvent (events.md "Events in"), as the engine evaluates it.
// Produced by EventDecoder on the engine's thread; owned by the caller.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "base/time.hpp"

namespace patron {

// The identifiers of data.customer, in the order events.md lists them. The
// first one present (in this order) derives the Patron id when there is no `id`.
enum class IdentityKind : uint8_t { kId, kPhone, kOpenid, kUnionid, kMeituanId, kElemeId, kMemberNo };
inline constexpr size_t kIdentityKindCount = 7;
// "id", "phone", "openid", "unionid", "meituan_id", "eleme_id", "member_no".
inline std::string_view IdentityKindName(IdentityKind kind) {
  static constexpr std::string_view kNames[] = {"id", "phone", "openid", "unionid", "meituan_id", "eleme_id", "member_no"};
  return kNames[static_cast<size_t>(kind)];
}

struct Event {
  std::string source;
  std::string id;
  std::string type;
  TimePoint time = 0;
  std::string time_text;  // as written
  std::string store;      // data.store, empty when absent
  // data.customer identifiers, phone normalised; empty when absent.
  std::array<std::string, kIdentityKindCount> identity;
  bool HasCustomer() const {
    for (const auto& v : identity)
      if (!v.empty()) return true;
    return false;
  }
  // The whole `data` member (customer and store included); empty if absent.
  boost::json::object data;
};

}  // namespace patron
