// The engine's intake and commit: decode, check declared types, dedupe,
// resolve and merge customers, apply the built-in profile update, run the
// rules (rule_evaluation.cpp), mark the event processed; emitted events
// follow breadth first. Commit() makes the batch durable before anything of
// it reaches the sink.

#include "engine/engine.hpp"

#include <utility>

#include <boost/json/serialize.hpp>

#include "base/phone.hpp"
#include "engine/customer_resolver.hpp"
#include "engine/declared_fields.hpp"
#include "engine/engine_impl.hpp"
#include "engine/customer/builtin_updates.hpp"

namespace patron {

Engine::Impl::Impl(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock,
                   EngineOptions options)
    : rules_(rules),
      store_(store),
      sink_(sink),
      clock_(clock),
      options_(std::move(options)),
      log_(options_.logger.get()),
      evaluator_(rules),
      fired_by_rule_(rules.rules.size(), nullptr),
      actions_by_rule_(rules.rules.size(), nullptr) {}

void Engine::Impl::CountFired(uint32_t rule) {
  uint64_t*& count = fired_by_rule_[rule];
  if (count == nullptr) count = &stats_.fired_per_rule[rules_.rules[rule].name];
  ++*count;
}

void Engine::Impl::CountAction(uint32_t rule) {
  ++stats_.actions;
  uint64_t*& count = actions_by_rule_[rule];
  if (count == nullptr) count = &stats_.actions_per_rule[rules_.rules[rule].name];
  ++*count;
}

void Engine::Impl::Reject(std::string message, std::string reason, std::string_view subject, DeliveryToken origin) {
  ++stats_.rejected;
  if (log_ && log_->should_log(spdlog::level::info))
    log_->info("dead letter: {} (subject '{}')", MaskPhonesInText(reason), subject);
  outbox_.AddDead(DeadLetter{std::move(message), std::move(reason), std::string(subject), origin});
}

Status Engine::Impl::Accept(std::string_view message, std::string_view subject, DeliveryToken token) {
  ++stats_.events_read;
  ++pending_;
  if (auto reason = decoder_.Decode(message, event_)) {
    Reject(std::string(message), std::move(*reason), subject, token);
    return Status::Ok();
  }
  if (const auto* fields = rules_.Declared(event_.type)) {
    if (auto reason = CheckDeclaredFields(event_, *fields)) {
      Reject(std::string(message), std::move(*reason), subject, token);
      return Status::Ok();
    }
  }
  // Timers due at or before the event's time fire first.
  // When broadcasts go slice by slice (`patron run`), an event runs none:
  // the run loop does, between groups of events.
  clock_.EventSeen(event_.time);
  auto fired = FireDue(options_.max_slices_per_fire == SIZE_MAX ? SIZE_MAX : 0);
  if (!fired.ok()) return fired.status();
  return ProcessWithEmits(event_);
}

Status Engine::Impl::ProcessWithEmits(Event& event) {
  PATRON_RETURN_IF_ERROR(ProcessOne(event, 0));
  return RunEmits();
}

Status Engine::Impl::RunEmits() {
  while (!emits_.empty()) {
    PendingEmit next = std::move(emits_.front());
    emits_.pop_front();
    if (const auto* fields = rules_.Declared(next.event.type)) {
      if (auto reason = CheckDeclaredFields(next.event, *fields)) {
        boost::json::object envelope;
        envelope["source"] = next.event.source;
        envelope["id"] = next.event.id;
        envelope["type"] = next.event.type;
        envelope["time"] = next.event.time_text;
        envelope["data"] = next.event.data;
        Reject(boost::json::serialize(envelope), std::move(*reason), {}, {});
        continue;
      }
    }
    PATRON_RETURN_IF_ERROR(ProcessOne(next.event, next.depth));
  }
  return Status::Ok();
}

Status Engine::Impl::ProcessOne(Event& event, int depth) {
  auto seen = store_.IsProcessed(event.source, event.id);
  if (!seen.ok()) return seen.status();
  if (*seen) {
    ++stats_.duplicates;
    return Status::Ok();
  }
  auto resolved = ResolveCustomer(store_, event);
  if (!resolved.ok()) return resolved.status();
  CustomerRecord* customer = resolved->customer;
  if (resolved->created) ++stats_.customers_created;
  stats_.merges += resolved->merged;
  if (customer != nullptr) {
    customer::TouchCustomer(*customer, event);
    customer::BuiltinEffect effect = customer::ApplyBuiltinUpdate(*customer, event);
    store_.MarkDirty(customer);
    if (!effect.warning.empty() && log_ && log_->should_log(spdlog::level::warn))
      log_->warn("event {}/{} of customer {}: {}", event.source, event.id, customer->profile.id,
                 MaskPhonesInText(effect.warning));
    if (effect.redeemed) {
      Outcome o;
      o.kind = OutcomeKind::kConverted;
      o.rule = effect.redeemed->rule;
      o.customer_id = customer->profile.id;
      o.time = event.time;
      o.cause = event.id;
      o.detail = effect.redeemed->code;
      PATRON_RETURN_IF_ERROR(store_.RecordOutcome(o));
    }
  }
  PATRON_RETURN_IF_ERROR(RunRules(event, customer, depth));
  if (customer != nullptr && !rules_.date_rules.empty()) PATRON_RETURN_IF_ERROR(SyncDateRules(*customer, event.time));
  PATRON_RETURN_IF_ERROR(store_.MarkProcessed(event.source, event.id));
  ++stats_.events_processed;
  return Status::Ok();
}

Status Engine::Impl::Commit() {
  PATRON_RETURN_IF_ERROR(store_.Commit());
  Status published = outbox_.PublishTo(sink_, [this](const Action&, uint32_t rule) { CountAction(rule); });
  outbox_.Clear();
  pending_ = 0;
  PATRON_RETURN_IF_ERROR(published);
  return sink_.Flush();
}

// ------------------------------------------------------------------ Engine

Engine::Engine(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock,
               EngineOptions options)
    : impl_(std::make_unique<Impl>(rules, store, sink, clock, std::move(options))) {}

Engine::~Engine() = default;

Status Engine::Accept(std::string_view message, std::string_view subject, DeliveryToken token) {
  return impl_->Accept(message, subject, token);
}

Status Engine::Commit() { return impl_->Commit(); }

Result<bool> Engine::FireDue() { return impl_->FireDue(impl_->options_.max_slices_per_fire); }

Result<std::optional<TimePoint>> Engine::NextDue() { return impl_->store_.EarliestTimerDue(); }

size_t Engine::pending() const { return impl_->pending_; }

const EngineStats& Engine::stats() const { return impl_->Stats(); }

}  // namespace patron
