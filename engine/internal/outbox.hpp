#pragma once
// The actions and dead letters of the open batch, in the order they were
// produced, waiting for the group commit (TEAM decision 10). Action objects
// are reused from batch to batch so that their strings keep their capacity.
// Engine thread only.

#include <cstdint>
#include <vector>

#include "base/result.hpp"
#include "model/action.hpp"
#include "engine/action_sink.hpp"

namespace patron {

class Outbox {
 public:
  // A cleared Action appended to the batch, for the rule with index `rule`;
  // valid until Clear().
  Action& NewAction(uint32_t rule) {
    if (used_actions_ == actions_.size()) actions_.emplace_back();
    Action& a = actions_[used_actions_];
    ResetAction(a);
    order_.push_back(Entry{false, static_cast<uint32_t>(used_actions_++), rule});
    return a;
  }
  void AddDead(DeadLetter dead) {
    order_.push_back(Entry{true, static_cast<uint32_t>(dead_.size()), 0});
    dead_.push_back(std::move(dead));
  }
  // Actions and dead letters in the batch.
  size_t size() const { return order_.size(); }
  // The action added last; nullptr when the batch holds none.
  const Action* LastAction() const { return used_actions_ == 0 ? nullptr : &actions_[used_actions_ - 1]; }

  // Visits everything in order: `on_action(action, rule)` and
  // `on_dead(dead)` return a Status; stops at the first failure. Does not clear.
  template <typename OnAction, typename OnDead>
  Status ForEach(OnAction on_action, OnDead on_dead) const {
    for (const Entry& e : order_) {
      PATRON_RETURN_IF_ERROR(e.dead ? on_dead(dead_[e.index]) : on_action(actions_[e.index], e.rule));
    }
    return Status::Ok();
  }
  // Publishes everything in order; `on_action(action, rule)` is called after
  // each action is published. Stops at the first failure. Does not clear.
  template <typename OnAction>
  Status PublishTo(ActionSink& sink, OnAction on_action) const {
    return ForEach(
        [&](const Action& action, uint32_t rule) {
          PATRON_RETURN_IF_ERROR(sink.Publish(action));
          on_action(action, rule);
          return Status::Ok();
        },
        [&](const DeadLetter& dead) { return sink.PublishDead(dead); });
  }
  // Empties the batch (keeping the Action objects for reuse).
  void Clear() {
    order_.clear();
    dead_.clear();
    used_actions_ = 0;
  }

 private:
  struct Entry {
    bool dead;
    uint32_t index;
    uint32_t rule;  // actions: the rule's index
  };
  static void ResetAction(Action& a) {
    a.id.clear();
    a.kind = ActionKind::kCoupon;
    a.rule.clear();
    a.time = 0;
    a.customer_id.clear();
    a.customer_phone.clear();
    a.store.clear();
    a.cause_event.clear();
    a.cause_deadline.reset();
    a.code.clear();
    a.value.reset();
    a.valid_until.reset();
    a.channel = Channel::kSms;
    a.template_name.clear();
    a.title.clear();
    a.text.clear();
    a.priority = TicketPriority::kNormal;
    a.role.clear();
    a.tag.clear();
    a.attr.clear();
    a.value_json.clear();
    a.delta = Decimal();
    a.balance = Decimal();
    a.emit_type.clear();
    a.endpoint.clear();
  }

  std::vector<Action> actions_;
  size_t used_actions_ = 0;
  std::vector<DeadLetter> dead_;
  std::vector<Entry> order_;
};

}  // namespace patron
