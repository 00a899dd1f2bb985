#pragma once
// The identifiers of a customer (events.md "Events in": data.customer), in
// the order events.md lists them. The first one present (in this order)
// derives the Patron id when there is no `id`. Plain data, thread-safe.

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/enum_names.hpp"

namespace patron {

enum class IdentityKind : uint8_t { kId, kPhone, kOpenid, kUnionid, kMeituanId, kElemeId, kMemberNo };
inline constexpr size_t kIdentityKindCount = 7;
inline constexpr std::array<std::string_view, kIdentityKindCount> kIdentityKindNames = {
    "id", "phone", "openid", "unionid", "meituan_id", "eleme_id", "member_no"};

// "id", "phone", "openid", "unionid", "meituan_id", "eleme_id", "member_no".
constexpr std::string_view IdentityKindName(IdentityKind kind) { return EnumName(kIdentityKindNames, kind); }
constexpr std::optional<IdentityKind> IdentityKindFromName(std::string_view name) {
  return EnumFromName<IdentityKind>(kIdentityKindNames, name);
}

}  // namespace patron
