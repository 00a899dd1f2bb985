#include "engine/graph.hpp"

namespace patron {

std::optional<CustomerAttr> CustomerAttrByName(std::string_view name) {
  struct Entry {
    std::string_view name;
    CustomerAttr attr;
  };
  static constexpr Entry kAttrs[] = {
      {"id", CustomerAttr::kId},
      {"name", CustomerAttr::kName},
      {"phone", CustomerAttr::kPhone},
      {"gender", CustomerAttr::kGender},
      {"birthday", CustomerAttr::kBirthday},
      {"tier", CustomerAttr::kTier},
      {"points", CustomerAttr::kPoints},
      {"tags", CustomerAttr::kTags},
      {"orders", CustomerAttr::kOrders},
      {"spent", CustomerAttr::kSpent},
      {"first_order_at", CustomerAttr::kFirstOrderAt},
      {"last_order_at", CustomerAttr::kLastOrderAt},
      {"joined_at", CustomerAttr::kJoinedAt},
      {"last_seen_at", CustomerAttr::kLastSeenAt},
      {"store", CustomerAttr::kStore},
      {"owner", CustomerAttr::kOwner},
      {"lifecycle", CustomerAttr::kLifecycle},
  };
  for (const Entry& e : kAttrs)
    if (e.name == name) return e.attr;
  return std::nullopt;
}

const CompiledRule* CompiledRules::FindRule(std::string_view name) const {
  for (const CompiledRule& r : rules)
    if (r.name == name) return &r;
  return nullptr;
}

GraphStats CompiledRules::Stats() const {
  GraphStats s;
  s.nodes = nodes.size();
  for (const Node& n : nodes)
    if (n.memo) ++s.memo_nodes;
  for (const CompiledRule& r : rules) {
    if (r.indexed) ++s.indexed_rules;
    else ++s.always_rules;
  }
  for (const auto& [type, dispatch] : types) {
    s.groups += dispatch.groups.size();
    for (const EqGroup& g : dispatch.groups) {
      s.buckets += g.buckets.size();
      for (const auto& [key, bucket] : g.buckets)
        if (bucket.range) ++s.range_indexes;
    }
  }
  return s;
}

}  // namespace patron
