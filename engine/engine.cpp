// The engine's pipeline for one message, and its commit: decode, check
// declared types, fire what is due, dedupe, resolve and merge customers,
// apply the built-in profile update, run the rules (RuleRunner), re-arm
// date rules, mark the event processed; emitted events follow breadth
// first. Commit() makes the batch durable before anything of it reaches
// the sink. The steps live in engine/internal/: RuleRunner (dispatch,
// triggers, where, limit, holdout), ActionRunner (actions, emits),
// TimerArming (what arms and closes timers) and TimerFiring (what fires).

#include "engine/engine.hpp"

#include <algorithm>
#include <utility>

#include <boost/json/serialize.hpp>
#include <spdlog/logger.h>

#include "base/phone.hpp"
#include "engine/customer/builtin_updates.hpp"
#include "engine/event_decoder.hpp"
#include "engine/evaluator.hpp"
#include "engine/graph.hpp"
#include "engine/internal/action_runner.hpp"
#include "engine/internal/customer_resolver.hpp"
#include "engine/internal/dead_letter.hpp"
#include "engine/internal/declared_fields.hpp"
#include "engine/internal/outbox.hpp"
#include "engine/internal/reason_text.hpp"
#include "engine/internal/rule_counters.hpp"
#include "engine/internal/rule_runner.hpp"
#include "engine/internal/segment_membership.hpp"
#include "engine/internal/timer_arming.hpp"
#include "engine/internal/timer_firing.hpp"

namespace patron {

// Everything built on one rule set; SwapRules() replaces it between batches.
struct RuleSetParts {
  RuleSetParts(const CompiledRules& rules, StateStore& store, Outbox& outbox, const EngineOptions& options,
               EngineStats& stats, spdlog::logger* log, const Event& no_event)
      : rules(rules),
        evaluator(rules),
        counters(rules, stats),
        timers(rules, store, evaluator, stats),
        actions(store, evaluator, outbox, options, stats, log, options.observer),
        runner(rules, store, evaluator, options, stats, counters, timers, actions, options.observer, no_event),
        firing(rules, store, evaluator, options, stats, timers, runner, actions, options.observer, no_event),
        membership(rules, store, evaluator, options, stats, timers, runner, options.observer, no_event) {}

  const CompiledRules& rules;
  Evaluator evaluator;
  RuleCounters counters;
  TimerArming timers;
  ActionRunner actions;
  RuleRunner runner;
  TimerFiring firing;
  SegmentMembership membership;  // enters/leaves and the daily segment refresh
};

struct Engine::Impl {
  Impl(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock, EngineOptions options)
      : store_(store),
        sink_(sink),
        clock_(clock),
        options_(std::move(options)),
        log_(options_.logger.get()),
        decoder_(options_.limits) {
    Build(rules);
  }

  void Build(const CompiledRules& rules) {
    parts_ = std::make_unique<RuleSetParts>(rules, store_, outbox_, options_, stats_, log_, no_event_);
    schedules_armed_ = false;
  }

  Status Accept(std::string_view message, std::string_view subject, DeliveryToken token);
  // Dedupe, customer, built-in profile, rules, MarkProcessed.
  Status ProcessOne(Event& event, int depth);
  // The events the rules emitted, breadth first, until none is left.
  Status RunEmits();
  Result<bool> FireDue(size_t max_slices);
  Status Commit();
  Status CommitToOutbox(OutboxWriter& writer);
  void Reject(std::string_view message, std::string reason, std::string_view subject, DeliveryToken origin);
  // Why the event's time is outside the accepted window, or nullopt.
  std::optional<std::string> TimeOutOfRange(const Event& event) const;

  StateStore& store_;
  ActionSink& sink_;
  Clock& clock_;
  EngineOptions options_;
  spdlog::logger* log_;  // null: silent

  EngineStats stats_;
  EventDecoder decoder_;
  Event event_;            // the message being accepted (reused)
  const Event no_event_;   // the "event" of firings that have none (all fields empty)
  Outbox outbox_;
  std::unique_ptr<RuleSetParts> parts_;
  size_t pending_ = 0;
  bool schedules_armed_ = false;
  DeliveryToken accepting_;  // the token of the message in Accept(), else none
  Duration late_by_ = 0;     // how far the message in Accept() is older than the clock
  std::vector<std::string> encoded_;     // durable outbox: rows of one action (reused)
  std::vector<OutboxRow> committed_rows_;  // durable outbox: the rows of the commit
};

void Engine::Impl::Reject(std::string_view message, std::string reason, std::string_view subject,
                          DeliveryToken origin) {
  ++stats_.rejected;
  if (log_ && log_->should_log(spdlog::level::info))
    log_->info("dead letter: {} (subject '{}')", MaskPhonesInText(reason), subject);
  outbox_.AddDead(MakeDeadLetter(message, std::move(reason), subject, origin, options_.limits.max_dead_message_bytes));
}

namespace {

// "365 days", or "90 s" for a skew that is not whole days.
std::string DurationText(Duration d) {
  if (d % kMicrosPerDay == 0) return std::to_string(d / kMicrosPerDay) + " days";
  return std::to_string(d / kMicrosPerSecond) + " s";
}

}  // namespace

// Choice beyond the specs: the future is measured from the later of the
// clock's Now() and IntakeLimits::time_reference (docs/architecture.md "Bad
// input at the door"), so `run` (wall clock) and `replay` (event time, with
// the wall clock at its start) refuse the same far-future events.
std::optional<std::string> Engine::Impl::TimeOutOfRange(const Event& event) const {
  const IntakeLimits& limits = options_.limits;
  if (event.time < limits.earliest_event_time)
    return "time " + Quote(event.time_text) + " is before the earliest accepted, " +
           FormatRfc3339Utc(limits.earliest_event_time);
  const TimePoint reference = std::max(clock_.Now(), limits.time_reference);
  if (reference == INT64_MIN) return std::nullopt;
  const TimePoint latest = reference > kLastRfc3339Time - limits.max_future_skew ? kLastRfc3339Time
                                                                                  : reference + limits.max_future_skew;
  if (event.time > latest)
    return "time " + Quote(event.time_text) + " is more than " + DurationText(limits.max_future_skew) +
           " ahead of " + FormatRfc3339Utc(reference);
  return std::nullopt;
}

Status Engine::Impl::Accept(std::string_view message, std::string_view subject, DeliveryToken token) {
  ++stats_.events_read;
  ++pending_;
  // Dead letters of what this message causes (an emitted event that breaks
  // its declared type) name the message's origin too.
  accepting_ = token;
  struct Done {
    DeliveryToken& token;
    ~Done() { token = {}; }
  } done{accepting_};
  std::optional<std::string> reason = decoder_.Decode(message, event_);
  if (!reason) reason = TimeOutOfRange(event_);
  if (!reason) reason = CheckBuiltinFields(event_);
  if (!reason) {
    if (const auto* fields = parts_->rules.Declared(event_.type)) reason = CheckDeclaredFields(event_, *fields);
  }
  if (reason) {
    Reject(message, std::move(*reason), subject, token);
    return Status::Ok();
  }
  // Timers due at or before the event's time fire first.
  // When broadcasts go slice by slice (`patron run`), an event runs none:
  // the run loop does, between groups of events.
  const TimePoint before = clock_.Now();
  late_by_ = event_.time < before ? before - event_.time : 0;  // counted unless a duplicate
  clock_.EventSeen(event_.time);
  auto fired = FireDue(options_.max_slices_per_fire == SIZE_MAX ? SIZE_MAX : 0);
  if (!fired.ok()) return fired.status();
  PATRON_RETURN_IF_ERROR(ProcessOne(event_, 0));
  return RunEmits();
}

Status Engine::Impl::RunEmits() {
  PendingEmit next;
  while (parts_->actions.PopEmit(next)) {
    if (const auto* fields = parts_->rules.Declared(next.event.type)) {
      if (auto reason = CheckDeclaredFields(next.event, *fields)) {
        boost::json::object envelope;
        envelope["source"] = next.event.source;
        envelope["id"] = next.event.id;
        envelope["type"] = next.event.type;
        envelope["time"] = next.event.time_text;
        envelope["data"] = next.event.data;
        Reject(boost::json::serialize(envelope), std::move(*reason), {}, accepting_);
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
  if (depth == 0 && late_by_ > 0) {
    ++stats_.late_events;
    if (log_ && log_->should_log(spdlog::level::debug))
      log_->debug("late event {}/{}: {} ms older than the clock", event.source, event.id, late_by_ / 1000);
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
  PATRON_RETURN_IF_ERROR(parts_->runner.RunRules(event, customer, depth));
  if (customer != nullptr) PATRON_RETURN_IF_ERROR(parts_->membership.AfterEvent(event, *customer, depth));
  if (customer != nullptr && !parts_->rules.date_rules.empty())
    PATRON_RETURN_IF_ERROR(parts_->timers.SyncDateRules(*customer, event.time));
  PATRON_RETURN_IF_ERROR(store_.MarkProcessed(event.source, event.id, clock_.Now()));
  ++stats_.events_processed;
  return Status::Ok();
}

// Choice beyond the specs: a timer whose rule is no longer in the rule set
// is dropped when it comes due; timers due after a broadcast's time wait
// until the broadcast is finished.
Result<bool> Engine::Impl::FireDue(size_t max_slices) {
  const TimePoint now = clock_.Now();
  if (now == INT64_MIN) return false;  // no time known yet (no event seen)
  if (!schedules_armed_) {
    PATRON_RETURN_IF_ERROR(parts_->timers.ArmSchedules(now));
    PATRON_RETURN_IF_ERROR(parts_->membership.ArmRefresh(now));
    schedules_armed_ = true;
  }
  size_t slices = 0;
  while (true) {
    auto next = store_.NextDueTimer(now);
    if (!next.ok()) return next.status();
    if (!next->has_value()) return false;
    TimerRecord timer = std::move(**next);
    // The daily segment refresh is a broadcast of no rule.
    const bool refresh = parts_->membership.IsRefresh(timer);
    const CompiledRule* rule = refresh ? nullptr : parts_->rules.FindRuleByKey(timer.rule_key);
    if (!refresh && rule == nullptr) {  // the rule was removed from the rule set
      PATRON_RETURN_IF_ERROR(parts_->timers.Cancel(timer.key));
      continue;
    }
    if (timer.kind == TimerKind::kSchedule) {
      if (slices >= max_slices) return true;
      ++slices;
      PATRON_RETURN_IF_ERROR(Commit());  // every customer must be committed to be listed
      bool done = false;
      auto after_each = [this] { return RunEmits(); };
      PATRON_RETURN_IF_ERROR(refresh ? parts_->membership.FireRefreshSlice(timer, done, after_each)
                                     : parts_->firing.FireScheduleSlice(*rule, timer, done, after_each));
      if (done) ++stats_.timers_fired;
    } else {
      PATRON_RETURN_IF_ERROR(store_.DeleteTimer(timer.key));
      ++stats_.timers_fired;
      PATRON_RETURN_IF_ERROR(parts_->firing.Fire(*rule, timer));
    }
    PATRON_RETURN_IF_ERROR(RunEmits());
  }
}

Status Engine::Impl::Commit() {
  if (options_.outbox_writer != nullptr) return CommitToOutbox(*options_.outbox_writer);
  PATRON_RETURN_IF_ERROR(store_.Commit());
  RuleCounters& counters = parts_->counters;
  Status published = outbox_.PublishTo(sink_, [&](const Action&, uint32_t rule) { counters.CountAction(rule); });
  outbox_.Clear();
  pending_ = 0;
  PATRON_RETURN_IF_ERROR(published);
  return sink_.Flush();
}

Status Engine::Impl::CommitToOutbox(OutboxWriter& writer) {
  committed_rows_.clear();
  auto append = [&]() -> Status {
    for (std::string& bytes : encoded_) {
      auto seq = store_.AppendOutbox(bytes);
      if (!seq.ok()) return seq.status();
      committed_rows_.push_back(OutboxRow{*seq, std::move(bytes), 0});
    }
    encoded_.clear();
    return Status::Ok();
  };
  PATRON_RETURN_IF_ERROR(outbox_.ForEach(
      [&](const Action& action, uint32_t) {
        PATRON_RETURN_IF_ERROR(writer.EncodeAction(action, encoded_));
        return append();
      },
      [&](const DeadLetter& dead) {
        PATRON_RETURN_IF_ERROR(writer.EncodeDead(dead, encoded_));
        return append();
      }));
  if (const TimePoint now = clock_.Now(); now != INT64_MIN && options_.outbox_prune_slice > 0) {
    auto pruned = store_.PruneOutbox(now - options_.outbox_tombstone_ttl, options_.outbox_prune_slice);
    if (!pruned.ok()) return pruned.status();
    stats_.outbox_pruned += *pruned;
  }
  PATRON_RETURN_IF_ERROR(store_.Commit());
  RuleCounters& counters = parts_->counters;
  (void)outbox_.ForEach(
      [&](const Action&, uint32_t rule) {
        counters.CountAction(rule);
        return Status::Ok();
      },
      [](const DeadLetter&) { return Status::Ok(); });
  outbox_.Clear();
  pending_ = 0;
  stats_.outbox_rows += committed_rows_.size();
  if (!committed_rows_.empty()) writer.Committed(committed_rows_);
  return Status::Ok();
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

Status Engine::MarkOutboxSent(std::span<const uint64_t> seqs) {
  TimePoint now = impl_->clock_.Now();
  if (now <= 0) now = 1;  // a sent time is after 1970
  for (uint64_t seq : seqs) PATRON_RETURN_IF_ERROR(impl_->store_.MarkOutboxSent(seq, now));
  impl_->stats_.outbox_sent += seqs.size();
  return Status::Ok();
}

Status Engine::GiveUpOutboxRow(uint64_t seq, std::string_view message, std::string reason,
                               std::string_view address) {
  const uint64_t one[] = {seq};
  PATRON_RETURN_IF_ERROR(MarkOutboxSent(one));
  ++impl_->stats_.undeliverable;
  if (impl_->log_) impl_->log_->error("undeliverable: {}", MaskPhonesInText(reason));
  impl_->outbox_.AddDead(
      MakeDeadLetter(message, std::move(reason), address, {}, impl_->options_.limits.max_dead_message_bytes));
  return Status::Ok();
}

void Engine::AcceptRefused(std::string_view message, std::string_view subject, DeliveryToken token,
                           std::string reason) {
  ++impl_->stats_.events_read;
  ++impl_->pending_;
  impl_->Reject(message, std::move(reason), subject, token);
}

Status Engine::ListOutboxToSend(uint64_t after, size_t max, TimePoint sent_since, std::vector<OutboxRow>& out) {
  out.clear();
  std::vector<OutboxRow> page;
  while (out.size() < max) {
    PATRON_RETURN_IF_ERROR(impl_->store_.ListOutbox(after, max - out.size(), page));
    if (page.empty()) break;
    after = page.back().seq;
    for (OutboxRow& row : page) {
      if (row.sent_at == 0 || row.sent_at >= sent_since) out.push_back(std::move(row));
    }
  }
  return Status::Ok();
}

Status Engine::SwapRules(const CompiledRules& rules) {
  if (impl_->pending_ != 0 || impl_->outbox_.size() != 0)
    return Status::Invalid("rules can only be swapped between batches (commit first)");
  impl_->Build(rules);
  return Status::Ok();
}

const CompiledRules& Engine::rules() const { return impl_->parts_->rules; }

size_t Engine::pending() const { return impl_->pending_; }

const EngineStats& Engine::stats() const { return impl_->stats_; }

}  // namespace patron
