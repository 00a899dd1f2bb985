#include "engine/internal/customer_resolver.hpp"

#include <algorithm>
#include <array>
#include <utility>
#include <vector>

#include "base/stable_hash.hpp"
#include "engine/customer/merge.hpp"

namespace patron {

std::string DeriveCustomerId(const Event& event) {
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const std::string& value = event.identity[k];
    if (value.empty()) continue;
    if (static_cast<IdentityKind>(k) == IdentityKind::kId) return value;
    std::string key(IdentityKindName(static_cast<IdentityKind>(k)));
    key += ':';
    key += value;
    return "c-" + Hex64(StableHash({key}));
  }
  return {};
}

Result<Resolution> ResolveCustomer(StateStore& store, const Event& event) {
  Resolution out;
  if (!event.HasCustomer()) return out;

  // Which customer each identifier names today ("" for none).
  std::array<std::string, kIdentityKindCount> owner;
  std::array<bool, kIdentityKindCount> indexed{};  // owner came from the identity index
  std::vector<std::string> found;
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const std::string& value = event.identity[k];
    if (value.empty()) continue;
    auto kind = static_cast<IdentityKind>(k);
    auto id = store.FindIdentity(kind, value);
    if (!id.ok()) return id.status();
    if (id->has_value()) {
      owner[k] = **id;
      indexed[k] = true;
    } else if (kind == IdentityKind::kId) {
      auto record = store.FindCustomer(value);
      if (!record.ok()) return record.status();
      if (*record != nullptr) owner[k] = value;
    }
    if (!owner[k].empty() && std::find(found.begin(), found.end(), owner[k]) == found.end())
      found.push_back(owner[k]);
  }

  CustomerRecord* survivor = nullptr;
  for (const std::string& id : found) {
    auto record = store.FindCustomer(id);
    if (!record.ok()) return record.status();
    CustomerRecord* other = *record;
    if (other == nullptr) continue;  // an identity naming an erased customer: re-pointed below
    if (survivor == nullptr) {
      survivor = other;
      continue;
    }
    if (!customer::SurvivorIsFirst(*survivor, *other)) std::swap(survivor, other);
    std::string merged_id = other->profile.id;
    std::vector<std::pair<IdentityKind, std::string>> identities = other->identities;
    customer::MergeInto(*survivor, std::move(*other));
    for (const auto& [kind, value] : identities)
      PATRON_RETURN_IF_ERROR(store.PutIdentity(kind, value, survivor->profile.id));
    PATRON_RETURN_IF_ERROR(store.PutIdentity(IdentityKind::kId, merged_id, survivor->profile.id));
    PATRON_RETURN_IF_ERROR(store.EraseCustomer(merged_id));
    for (size_t k = 0; k < kIdentityKindCount; ++k)
      if (owner[k] == merged_id) indexed[k] = false;  // put again below, to be sure
    ++out.merged;
  }

  if (survivor == nullptr) {
    std::string id = DeriveCustomerId(event);
    auto existing = store.FindCustomer(id);
    if (!existing.ok()) return existing.status();
    if (*existing != nullptr) {
      survivor = *existing;
    } else {
      auto created = store.CreateCustomer(id);
      if (!created.ok()) return created.status();
      survivor = *created;
      out.created = true;
    }
  }
  store.MarkDirty(survivor);
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const std::string& value = event.identity[k];
    if (value.empty() || (indexed[k] && owner[k] == survivor->profile.id)) continue;
    PATRON_RETURN_IF_ERROR(store.PutIdentity(static_cast<IdentityKind>(k), value, survivor->profile.id));
  }
  out.customer = survivor;
  return out;
}

}  // namespace patron
