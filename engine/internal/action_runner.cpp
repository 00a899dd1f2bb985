// Running one action of a firing: render its texts, apply opt-outs and
// profile changes, and put the rendered Action in the outbox (events.md
// "Actions out"; TEAM decisions 2, 5, 8).
//
// Choices beyond the specs:
// - `set` to null: a custom attribute (attrs.<name>) is removed; a built-in
//   one (tier, owner, store) is left alone and the action is recorded as
//   suppressed ("value is null"). Numbers, bools, dates and times set on a
//   built-in attribute are stored as their text.
// - `points` with a value that is not a number is recorded as suppressed.
// - An emitted event's data: {"customer":{"id"}, "store", <with fields>}, the
//   fields written after (so a field named "store" wins).

#include "engine/internal/action_runner.hpp"

#include <algorithm>
#include <string>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <spdlog/logger.h>

#include "base/phone.hpp"
#include "base/stable_hash.hpp"
#include "base/utf8.hpp"
#include "engine/customer/consent.hpp"

namespace patron {
namespace {

// The text a built-in string attribute gets from `v`, or false.
bool AsAttributeText(const Value& v, std::string& out) {
  switch (v.kind()) {
    case ValueKind::kString:
    case ValueKind::kNumber:
    case ValueKind::kBool:
    case ValueKind::kTime:
    case ValueKind::kDate:
      AppendText(out, v);
      return true;
    default:
      return false;
  }
}

}  // namespace

ActionRunner::ActionRunner(StateStore& store, Evaluator& evaluator, Outbox& outbox, const EngineOptions& options,
                           EngineStats& stats, spdlog::logger* log, EvaluationObserver* observer)
    : store_(store),
      evaluator_(evaluator),
      outbox_(outbox),
      options_(options),
      stats_(stats),
      log_(log),
      observer_(observer) {}

bool ActionRunner::PopEmit(PendingEmit& out) {
  if (emits_.empty()) return false;
  out = std::move(emits_.front());
  emits_.pop_front();
  return true;
}

void ActionRunner::AppendActionId(std::string& out, const CompiledRule& rule, const CompiledAction& action,
                                  const Firing& firing, const CustomerRecord* customer) const {
  std::string_view who = customer ? std::string_view(customer->profile.id) : std::string_view(firing.limit_key);
  StableHasher h;
  h.Add(rule.name).Add(who).Add(firing.CauseSource()).Add(firing.CauseId()).Add(action.index_text);
  uint64_t v = h.Finish();
  static constexpr char kDigits[] = "0123456789abcdef";
  char hex[16];
  for (int i = 15; i >= 0; --i, v >>= 4) hex[i] = kDigits[v & 0xf];
  out.append(hex, 16);
}

Action& ActionRunner::StartAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                                  const CustomerRecord* customer) {
  const Event& event = *firing.event;
  Action& a = outbox_.NewAction(rule.index);
  AppendActionId(a.id, rule, action, firing, customer);
  a.kind = action.kind;
  a.rule = rule.name;
  a.time = firing.time;
  if (customer != nullptr) {
    a.customer_id = customer->profile.id;
    const std::string& phone = customer->profile.phone;
    if (!phone.empty()) {
      if (IsStaffFacing(action.kind) && options_.mask_staff_phones) a.customer_phone = MaskPhone(phone);
      else a.customer_phone = phone;
    }
  }
  if (!event.store.empty()) a.store = event.store;
  else if (customer != nullptr) a.store = customer->profile.store;
  if (firing.deadline) a.cause_deadline = firing.deadline;
  else a.cause_event = event.id;
  return a;
}

void ActionRunner::CutText(std::string& text) {
  if (CutWithEllipsis(text, options_.limits.max_text_bytes)) ++stats_.texts_cut;
}

void ActionRunner::ProfileChanged(CustomerRecord* customer) {
  store_.MarkDirty(customer);
  evaluator_.CustomerChanged();
}

std::string_view ActionSubsetText(ActionSubset subset) {
  switch (subset) {
    case ActionSubset::kAll: return {};
    case ActionSubset::kMarketing: return "message,coupon";
    case ActionSubset::kOthers: return "others";
  }
  return {};
}

ActionSubset ActionSubsetFromText(std::string_view text) {
  if (text == ActionSubsetText(ActionSubset::kMarketing)) return ActionSubset::kMarketing;
  if (text == ActionSubsetText(ActionSubset::kOthers)) return ActionSubset::kOthers;
  return ActionSubset::kAll;
}

Status ActionRunner::RunActions(const CompiledRule& rule, const Firing& firing, CustomerRecord* customer,
                                int depth, ActionSubset subset) {
  for (const CompiledAction& action : rule.actions) {
    if (subset != ActionSubset::kAll && IsMarketing(action.kind) != (subset == ActionSubset::kMarketing)) continue;
    const size_t before = outbox_.size();
    PATRON_RETURN_IF_ERROR(RunAction(rule, action, firing, customer, depth));
    if (observer_ != nullptr && outbox_.size() > before)
      Observe(observer_, EvaluationStep::kAction, true, rule, firing, customer, {}, 0, outbox_.LastAction());
  }
  return Status::Ok();
}

Status ActionRunner::RunAction(const CompiledRule& rule, const CompiledAction& action, const Firing& firing,
                               CustomerRecord* customer, int depth) {
  const Event& event = *firing.event;
  auto suppress = [&](std::string reason) {
    ++stats_.suppressed;
    Observe(observer_, EvaluationStep::kSuppressed, false, rule, firing, customer, reason);
    return RecordOutcome(store_, OutcomeKind::kSuppressed, rule, firing, customer, std::move(reason));
  };
  const bool mask = options_.mask_staff_phones;

  switch (action.kind) {
    case ActionKind::kCoupon: {
      if (customer != nullptr && !customer::CouponAllowed(customer->profile)) return suppress("opted out of all");
      Action& a = StartAction(rule, action, firing, customer);
      evaluator_.Render(action.text, false, a.code);
      a.value = action.coupon_value;
      // Clamped to the last instant RFC 3339 can write (docs/architecture.md
      // "Choices where the contract is silent").
      if (action.coupon_valid)
        a.valid_until = firing.time > kLastRfc3339Time - *action.coupon_valid ? kLastRfc3339Time
                                                                               : firing.time + *action.coupon_valid;
      if (customer != nullptr) {
        auto& coupons = customer->coupons;
        coupons.push_back(IssuedCoupon{a.code, rule.name, firing.time, false});
        if (coupons.size() > options_.max_coupons_per_customer)
          coupons.erase(coupons.begin(), coupons.end() - static_cast<std::ptrdiff_t>(options_.max_coupons_per_customer));
        store_.MarkDirty(customer);
      }
      return Status::Ok();
    }
    case ActionKind::kMessage: {
      const std::string_view channel = ChannelName(action.channel);
      if (customer != nullptr && !customer::MessageAllowed(customer->profile, channel)) {
        bool all = (customer->profile.opted_out & kOptOutAll) != 0;
        return suppress("opted out of " + std::string(all ? "all" : channel));
      }
      Action& a = StartAction(rule, action, firing, customer);
      a.channel = action.channel;
      evaluator_.Render(action.text, false, a.template_name);
      return Status::Ok();
    }
    case ActionKind::kTicket: {
      Action& a = StartAction(rule, action, firing, customer);
      evaluator_.Render(action.text, mask, a.title);
      CutText(a.title);
      a.priority = action.priority;
      a.role = action.role;
      return Status::Ok();
    }
    case ActionKind::kRemind: {
      Action& a = StartAction(rule, action, firing, customer);
      evaluator_.Render(action.text, mask, a.text);
      CutText(a.text);
      a.role = action.role;
      return Status::Ok();
    }
    case ActionKind::kTag:
    case ActionKind::kUntag: {
      if (customer == nullptr) return suppress("no customer");
      std::string tag;
      evaluator_.Render(action.text, false, tag);
      auto& tags = customer->profile.tags;
      auto it = std::find(tags.begin(), tags.end(), tag);
      if (action.kind == ActionKind::kTag) {
        if (it != tags.end()) return Status::Ok();  // already held: no-op, not emitted
        tags.push_back(tag);
      } else {
        if (it == tags.end()) return Status::Ok();  // not held: no-op
        tags.erase(it);
      }
      ProfileChanged(customer);
      Action& a = StartAction(rule, action, firing, customer);
      a.tag = std::move(tag);
      return Status::Ok();
    }
    case ActionKind::kSet: {
      if (customer == nullptr) return suppress("no customer");
      Value v = evaluator_.Eval(action.value);
      std::string json;
      AppendJson(json, v);
      CustomerProfile& p = customer->profile;
      if (action.set_target == SetTarget::kAttr) {
        // Walk (creating) the objects down to the last name.
        boost::json::object* at = &p.attrs;
        const auto& path = action.set_attr_path;
        for (size_t i = 0; i + 1 < path.size(); ++i) {
          boost::json::value* next = at->if_contains(path[i]);
          if (next == nullptr || !next->is_object()) {
            if (v.is_null()) return Status::Ok();  // nothing there to remove
            (*at)[path[i]] = boost::json::object();
            next = at->if_contains(path[i]);
          }
          at = &next->get_object();
        }
        const std::string& last = path.back();
        boost::json::value* current = at->if_contains(last);
        if (v.is_null()) {
          if (current == nullptr) return Status::Ok();
          at->erase(last);
        } else {
          boost::json::value fresh = ToJson(v);  // copied before the object changes
          if (current != nullptr && ValuesEqual(FromJson(*current, evaluator_.arena()), v)) return Status::Ok();
          (*at)[last] = std::move(fresh);
        }
      } else {
        if (v.is_null()) return suppress("set customer." + action.set_attr_name + ": value is null");
        std::string text;
        if (!AsAttributeText(v, text))
          return suppress("set customer." + action.set_attr_name + ": a " + ValueKindName(v.kind()) +
                          " is not a text value");
        std::string& target =
            action.set_target == SetTarget::kTier ? p.tier : (action.set_target == SetTarget::kOwner ? p.owner : p.store);
        if (target == text) return Status::Ok();  // set to the current value: no-op
        target = std::move(text);
        json.clear();
        AppendJson(json, Value::String(target));
      }
      ProfileChanged(customer);
      Action& a = StartAction(rule, action, firing, customer);
      a.attr = action.set_attr_name;
      a.value_json = std::move(json);
      return Status::Ok();
    }
    case ActionKind::kPoints: {
      if (customer == nullptr) return suppress("no customer");
      Value v = evaluator_.Eval(action.value);
      if (v.kind() != ValueKind::kNumber) return suppress("points: the amount is not a number");
      customer->profile.points += v.number();
      ProfileChanged(customer);
      Action& a = StartAction(rule, action, firing, customer);
      a.delta = v.number();
      a.balance = customer->profile.points;
      return Status::Ok();
    }
    case ActionKind::kEmit: {
      if (depth + 1 > options_.max_emit_depth) {
        ++stats_.emits_dropped;
        if (log_ && log_->should_log(spdlog::level::warn))
          log_->warn("rule '{}': emit {} dropped at depth {} (max_emit_depth {})", rule.name, action.emit_type,
                     depth + 1, options_.max_emit_depth);
        return Status::Ok();
      }
      std::string_view customer_id = customer ? std::string_view(customer->profile.id) : std::string_view();
      PendingEmit pending;
      pending.depth = depth + 1;
      Event& e = pending.event;
      e.source = "patron";
      e.id = "emit-" + Hex64(StableHash({rule.name, customer_id, firing.CauseSource(), firing.CauseId(),
                                         action.index_text}));
      e.type = action.emit_type;
      e.time = firing.time;
      e.time_text = firing.time == event.time && !event.time_text.empty() ? event.time_text
                                                                          : FormatRfc3339Utc(firing.time);
      e.store = event.store;
      if (customer != nullptr) {
        e.identity[static_cast<size_t>(IdentityKind::kId)] = customer->profile.id;
        e.data["customer"] = boost::json::object{{"id", customer->profile.id}};
      }
      if (!event.store.empty()) e.data["store"] = event.store;
      for (const auto& [name, node] : action.emit_fields) e.data[name] = ToJson(evaluator_.Eval(node));
      if (const auto* s = e.data.if_contains("store")) e.store = s->is_string() ? std::string(s->get_string()) : "";
      emits_.push_back(std::move(pending));
      Action& a = StartAction(rule, action, firing, customer);
      a.emit_type = action.emit_type;
      return Status::Ok();
    }
    case ActionKind::kWebhook: {
      Action& a = StartAction(rule, action, firing, customer);
      evaluator_.Render(action.text, false, a.endpoint);
      return Status::Ok();
    }
  }
  return Status::Ok();
}

}  // namespace patron
