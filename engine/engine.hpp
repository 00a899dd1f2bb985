#pragma once
// The engine: takes raw messages, decodes and dedupes them, resolves and
// merges customers, applies the built-in profile updates, runs the compiled
// rule graph, and hands actions to the sink after each group commit.
// One Engine owns one partition's state; every method runs on one thread.
//
// Per event, in language.md's order of work: decode (failures become dead
// letters), check declared field types (dead letter naming the field), drop
// duplicates of (source, id), resolve identities (create with decision 1's
// id, merge customers the identifiers join), apply the built-in profile
// update (a coupon redemption records a kConverted outcome), then run the
// candidate rules in priority order: trigger, where, limit, holdout,
// actions in written order. Events the rules emit follow, breadth first.
// Events naming no customer: customer.* is null, `first` and aggregate
// triggers do not fire, `limit ... per customer` does not limit, and
// tag/untag/set/points are recorded as suppressed ("no customer").
// Actions and dead letters wait in memory until Commit().

#include <cstdint>
#include <map>
#include <optional>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "base/time.hpp"
#include "engine/action_sink.hpp"
#include "engine/clock.hpp"
#include "engine/evaluation_observer.hpp"
#include "engine/outbox_writer.hpp"
#include "engine/intake_limits.hpp"
#include "engine/state_store.hpp"
#include "model/delivery.hpp"

namespace spdlog {
class logger;
}

namespace patron {

class CompiledRules;  // engine/compile/compiler.hpp

struct EngineOptions {
  // Mask phone numbers in staff-facing actions (ticket, remind).
  bool mask_staff_phones = true;
  // Depth of `emit` chains (an emitted event emitting again); deeper emits
  // are dropped and counted.
  int max_emit_depth = 8;
  // Coupons remembered per customer for conversion attribution.
  size_t max_coupons_per_customer = 64;
  // Where the engine logs (dead letters, malformed built-in fields, dropped
  // emits; never a phone unmasked). Null (the default) logs nothing.
  // shared_ptr because spdlog hands loggers out that way.
  std::shared_ptr<spdlog::logger> logger;
  // Also record an Outcome (kFired) for every firing that runs its actions.
  // Off by default: it costs a write per firing; EngineStats counts firings.
  bool record_fired_outcomes = false;
  // Customers visited per slice of a schedule broadcast (`every day at`,
  // `on <date> at`). The engine commits before each slice.
  size_t broadcast_slice = 1000;
  // Slices of a broadcast run per FireDue() before it returns to take
  // events again (`patron run`: 1, so a broadcast over millions of customers
  // never stalls intake). Replay and tests finish every broadcast before the
  // next event (the default), which keeps their output deterministic.
  size_t max_slices_per_fire = SIZE_MAX;
  // Told every step of every rule's evaluation (engine/evaluation_observer.hpp),
  // for explanations and reports; null (the default) observes nothing. Must
  // outlive the engine.
  EvaluationObserver* observer = nullptr;
  // The durable outbox (engine/outbox_writer.hpp, `patron run`): set, every
  // action and dead letter becomes outbox rows in the batch's transaction
  // and the sink is not used; null (replay, tests), they go to the sink
  // after the commit. Must outlive the engine.
  OutboxWriter* outbox_writer = nullptr;
  // Rows marked sent stay this long (for `--republish-since`), by the
  // engine's clock, then are pruned, at most outbox_prune_slice rows looked
  // at per commit.
  Duration outbox_tombstone_ttl = 10 * kMicrosPerMinute;
  size_t outbox_prune_slice = 512;
  // Size, depth, time and length limits at the door (engine/intake_limits.hpp).
  IntakeLimits limits;
};

// Counters since the engine started. Read on the engine's thread.
struct EngineStats {
  uint64_t events_read = 0;       // messages handed to Accept()
  uint64_t events_processed = 0;  // accepted and evaluated
  uint64_t duplicates = 0;        // dropped: (source, id) already processed
  uint64_t rejected = 0;          // sent to dead letters
  // Valid events whose time was before the clock's Now() when they arrived
  // (in `run`: later than the grace for late events; in `replay`: older
  // than an event before them). Processed at their own time for windows and
  // aggregates; timers that fired before them are not undone.
  uint64_t late_events = 0;
  uint64_t actions = 0;           // actions published
  std::map<std::string, uint64_t> actions_per_rule;  // rule name -> actions published
  std::map<std::string, uint64_t> fired_per_rule;    // rule name -> firings (incl. held out)
  uint64_t held_out = 0;          // firings held out (no action run)
  uint64_t skipped_limit = 0;     // firings skipped by `limit`
  uint64_t skipped_policy = 0;    // firings skipped by the limit of their policy
  uint64_t segment_changes = 0;   // customers found entering or leaving a watched segment
  uint64_t suppressed = 0;        // actions not emitted because of an opt-out
  uint64_t emits_dropped = 0;     // `emit`s deeper than max_emit_depth
  uint64_t customers_created = 0;
  uint64_t merges = 0;            // customers merged into another
  uint64_t timers_armed = 0;      // timers put (absence, sequence, wait, deferred, date, schedule)
  uint64_t timers_fired = 0;      // timers that came due and ran
  uint64_t timers_cancelled = 0;  // timers removed before they came due (re-armed, B arrived, date changed)
  uint64_t broadcast_customers = 0;  // customers visited by schedule broadcasts
  uint64_t outbox_rows = 0;          // durable outbox: rows written
  uint64_t outbox_sent = 0;          // ... marked sent
  uint64_t outbox_pruned = 0;        // ... pruned after their tombstone time
  uint64_t undeliverable = 0;        // ... given up (the last retry failed): a dead letter each
  uint64_t texts_cut = 0;            // ticket titles and reminder texts cut to IntakeLimits::max_text_bytes
  uint64_t timers_refused = 0;       // timers not armed: due after 9999-12-31T23:59:59Z
};

class Engine {
 public:
  // `rules`, `store`, `sink` and `clock` must outlive the engine.
  Engine(const CompiledRules& rules, StateStore& store, ActionSink& sink, Clock& clock,
         EngineOptions options = {});
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Processes one message. A message that is not a valid event goes to the
  // sink's dead letters with its reason and `token` as its origin; that is
  // not an error. Returns a failed Status only when the store or sink
  // failed, after which the engine must not be used.
  Status Accept(std::string_view message, std::string_view subject = {}, DeliveryToken token = {});

  // Fires, in due order (ties: arming order), every timer due at or before
  // the clock's Now(), and arms the schedule rules that have no timer yet.
  // Accept() calls it before each event; `patron run` also calls it when
  // its Asio timer expires, and replay after setting the clock to --until.
  // Returns true when a broadcast is still unfinished because
  // EngineOptions::max_slices_per_fire slices ran (call again soon).
  Result<bool> FireDue();
  // When the next timer is due, or nullopt when none is armed (for the run
  // loop's Asio timer). Reads the store (no I/O when cached).
  Result<std::optional<TimePoint>> NextDue();

  // Commits every change since the last commit, then publishes the actions
  // and dead letters of that batch in the order they were produced (with an
  // outbox writer: writes them as outbox rows in the commit, then hands the
  // rows to the writer).
  Status Commit();

  // Durable outbox: the rows `seqs` were delivered; they become tombstones
  // at the next Commit() (sent at the clock's Now()).
  Status MarkOutboxSent(std::span<const uint64_t> seqs);
  // Durable outbox: the row `seq` could not be delivered (its last retry
  // failed, or the server refused it): it is marked sent, and a dead letter
  // of `message` (what was to be sent to `address`, kept within the dead
  // letter limit) with `reason` is written, at the next Commit().
  Status GiveUpOutboxRow(uint64_t seq, std::string_view message, std::string reason, std::string_view address);
  // A message the intake refuses without evaluation (InboundMessage::refused:
  // delivered max_deliver times): counted as read and rejected, and sent to
  // the dead letters with `reason`, in the batch.
  void AcceptRefused(std::string_view message, std::string_view subject, DeliveryToken token, std::string reason);
  // Durable outbox: up to `max` committed rows with seq > `after` to send
  // (again) at start: those not sent, and those sent at or after
  // `sent_since` (INT64_MAX: none of them; `--republish-since`).
  Status ListOutboxToSend(uint64_t after, size_t max, TimePoint sent_since, std::vector<OutboxRow>& out);

  // Replaces the rule set between batches (hot reload). Call it right after
  // Commit() (or FireDue() and Commit()): when a message was accepted since,
  // kInvalidArgument and nothing changes. (Timer and state changes of a
  // FireDue() not yet committed are not detected: commit them first.)
  // Rule state is keyed by rule name (decision 3), so a rule that keeps its
  // name keeps its state; timers of rules no longer in the set are dropped
  // when they come due; schedules of new rules are armed at the next
  // FireDue(). `rules` must outlive the engine (or the next swap).
  Status SwapRules(const CompiledRules& rules);
  // The rule set in use.
  const CompiledRules& rules() const;

  // Messages accepted since the last Commit().
  size_t pending() const;
  const EngineStats& stats() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
