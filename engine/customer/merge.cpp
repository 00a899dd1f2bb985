#include "engine/customer/merge.hpp"

#include <algorithm>
#include <iterator>

#include "engine/customer/lifecycle.hpp"
#include "engine/customer/time_bounds.hpp"

namespace patron::customer {

bool SurvivorIsFirst(const CustomerRecord& a, const CustomerRecord& b) {
  const auto& ja = a.profile.joined_at;
  const auto& jb = b.profile.joined_at;
  if (ja && jb && *ja != *jb) return *ja < *jb;
  if (ja.has_value() != jb.has_value()) return ja.has_value();
  return a.profile.id < b.profile.id;
}

namespace {

void MergeRuleState(RuleState& into, const RuleState& from) {
  into.seen_first = into.seen_first || from.seen_first;
  into.count += from.count;
  into.sum += from.sum;
  if (from.min && (!into.min || *from.min < *into.min)) into.min = from.min;
  if (from.max && (!into.max || *from.max > *into.max)) into.max = from.max;
  std::vector<TimePoint> firings;
  firings.reserve(into.firings.size() + from.firings.size());
  std::merge(into.firings.begin(), into.firings.end(), from.firings.begin(), from.firings.end(),
             std::back_inserter(firings));
  into.firings = std::move(firings);
  // Time-driven state: the survivor keeps its own armed timer (the other's
  // timers name the merged-away customer and are dropped when due); open
  // sequence A's and window entries are united in order.
  std::vector<TimerKey> open;
  open.reserve(into.open.size() + from.open.size());
  std::merge(into.open.begin(), into.open.end(), from.open.begin(), from.open.end(), std::back_inserter(open));
  into.open = std::move(open);
  std::vector<RuleState::WindowEntry> window;
  window.reserve(into.window.size() + from.window.size());
  std::merge(into.window.begin(), into.window.end(), from.window.begin(), from.window.end(),
             std::back_inserter(window),
             [](const RuleState::WindowEntry& a, const RuleState::WindowEntry& b) { return a.time < b.time; });
  into.window = std::move(window);
}

template <typename T>
void KeepIfEmpty(T& mine, T&& theirs) {
  if (mine.empty()) mine = std::move(theirs);
}

}  // namespace

void MergeInto(CustomerRecord& survivor, CustomerRecord&& other) {
  CustomerProfile& p = survivor.profile;
  CustomerProfile& o = other.profile;
  KeepIfEmpty(p.phone, std::move(o.phone));
  KeepIfEmpty(p.name, std::move(o.name));
  KeepIfEmpty(p.gender, std::move(o.gender));
  KeepIfEmpty(p.owner, std::move(o.owner));
  if (!p.birthday) p.birthday = o.birthday;
  if (p.tier == "regular") p.tier = std::move(o.tier);
  p.points += o.points;
  for (auto& tag : o.tags)
    if (std::find(p.tags.begin(), p.tags.end(), tag) == p.tags.end()) p.tags.push_back(std::move(tag));
  p.orders += o.orders;
  p.spent += o.spent;
  if (o.first_order_at) KeepEarliest(p.first_order_at, *o.first_order_at);
  if (o.last_order_at) KeepLatest(p.last_order_at, *o.last_order_at);
  if (o.joined_at) KeepEarliest(p.joined_at, *o.joined_at);
  if (o.last_seen_at) KeepLatest(p.last_seen_at, *o.last_seen_at);
  p.registered = p.registered || o.registered;
  for (auto& [key, value] : o.attrs)
    if (!p.attrs.contains(key)) p.attrs.emplace(key, std::move(value));
  for (auto& theirs : o.store_orders) {
    auto it = std::find_if(p.store_orders.begin(), p.store_orders.end(),
                           [&](const StoreOrders& so) { return so.store == theirs.store; });
    if (it == p.store_orders.end()) {
      p.store_orders.push_back(std::move(theirs));
    } else {
      it->orders += theirs.orders;
      it->last_order_at = std::max(it->last_order_at, theirs.last_order_at);
    }
  }
  if (!p.store_orders.empty()) {
    p.store.assign(HomeStore(p.store_orders));
  } else {
    KeepIfEmpty(p.store, std::move(o.store));
  }
  p.opted_out |= o.opted_out;

  for (auto& id : other.identities)
    if (std::find(survivor.identities.begin(), survivor.identities.end(), id) == survivor.identities.end())
      survivor.identities.push_back(std::move(id));

  for (auto& coupon : other.coupons) {
    auto same = std::find_if(survivor.coupons.begin(), survivor.coupons.end(), [&](const IssuedCoupon& c) {
      return c.code == coupon.code && c.rule == coupon.rule && c.issued_at == coupon.issued_at;
    });
    if (same == survivor.coupons.end()) {
      survivor.coupons.push_back(std::move(coupon));
    } else {
      same->redeemed = same->redeemed || coupon.redeemed;
    }
  }
  std::stable_sort(survivor.coupons.begin(), survivor.coupons.end(),
                   [](const IssuedCoupon& a, const IssuedCoupon& b) { return a.issued_at < b.issued_at; });

  for (const RuleState& theirs : other.rules) MergeRuleState(survivor.StateOf(theirs.rule_key), theirs);
}


}  // namespace patron::customer
