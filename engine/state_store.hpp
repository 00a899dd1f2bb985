#pragma once
// What the engine needs from durable state. Implemented over LMDB in
// stores/lmdb_state_store.hpp. One writer: every method is called on the
// engine's thread only. Changes accumulate in one open batch and become
// durable together at Commit() (group commit); nothing is visible to other
// processes before that.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "base/time.hpp"
#include "model/customer_record.hpp"
#include "model/identity.hpp"
#include "model/outcome.hpp"
#include "model/timer.hpp"

namespace patron {

// One row of the outbox (see StateStore::AppendOutbox).
struct OutboxRow {
  uint64_t seq = 0;
  std::string bytes;
  // When the row was marked sent (MarkOutboxSent): it is then a tombstone,
  // kept for a republish until PruneOutbox removes it; 0 while not sent.
  TimePoint sent_at = 0;
  friend bool operator==(const OutboxRow&, const OutboxRow&) = default;
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // The record of `customer_id`, or nullptr if there is none. The pointer
  // stays valid until Commit() or EraseCustomer(customer_id); changes made
  // through it must be announced with MarkDirty().
  virtual Result<CustomerRecord*> FindCustomer(std::string_view customer_id) = 0;
  // A new, empty record with profile.id = customer_id (which must not exist).
  virtual Result<CustomerRecord*> CreateCustomer(std::string_view customer_id) = 0;
  // The record will be written at the next Commit().
  virtual void MarkDirty(CustomerRecord* record) = 0;
  // Removes the record (after a merge into another customer).
  virtual Status EraseCustomer(std::string_view customer_id) = 0;

  // Identity index: normalised identifier -> customer id.
  virtual Result<std::optional<std::string>> FindIdentity(IdentityKind kind, std::string_view value) = 0;
  virtual Status PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) = 0;

  // Processed events, keyed by (source, id). `at` is the engine clock's time
  // of the processing: a store may forget an id once its retention, measured
  // on these times, has passed (then the event counts as new again).
  virtual Result<bool> IsProcessed(std::string_view source, std::string_view id) = 0;
  virtual Status MarkProcessed(std::string_view source, std::string_view id, TimePoint at) = 0;

  // State of `limit ... per <path>` keys (not per customer): nullopt if none.
  virtual Result<std::optional<RuleState>> FindKeyedState(uint64_t rule_key, std::string_view key) = 0;
  virtual Status PutKeyedState(std::string_view key, const RuleState& state) = 0;
  // Removes the state of (rule_key, key); removing one that is not there is not an error.
  virtual Status DeleteKeyedState(uint64_t rule_key, std::string_view key) = 0;

  // Appends an outcome record (held out, suppressed, skipped, converted) and
  // counts it per rule.
  virtual Status RecordOutcome(const Outcome& outcome) = 0;

  // Durable timers (engine/timer.hpp). Like everything else they belong to
  // the open batch until Commit(); lookups see the batch's puts and deletes.
  // The next arming sequence number (strictly increasing, persisted at Commit()).
  virtual uint64_t NextTimerSeq() = 0;
  // Adds `timer`, or replaces the one with the same key.
  virtual Status PutTimer(const TimerRecord& timer) = 0;
  // Removes the timer at `key`; removing one that is not there is not an error.
  virtual Status DeleteTimer(const TimerKey& key) = 0;
  // The timer with the smallest key whose due <= `up_to`, or nullopt.
  // O(log n); costs no I/O when nothing is due.
  virtual Result<std::optional<TimerRecord>> NextDueTimer(TimePoint up_to) = 0;
  // The due time of the earliest timer, or nullopt when there is none.
  virtual Result<std::optional<TimePoint>> EarliestTimerDue() = 0;
  // Number of timers stored (committed and in the batch).
  virtual Result<uint64_t> TimerCount() = 0;

  // Outbox rows: opaque bytes (serialised actions) that become durable in the
  // same commit as the state that produced them, to be published after the
  // commit, marked sent once published (a tombstone, kept for a republish)
  // and pruned some time after (the durable outbox, engine/outbox_writer.hpp).
  //
  // Appends a row holding a copy of `bytes` to the open batch; returns its
  // sequence number: strictly increasing, and persisted at Commit() (like
  // the timer seq), so a seq is never reused once committed (a seq handed
  // out to a batch that never commits may be handed out again after a
  // restart). Seqs start at 1. An error, and nothing appended, when the
  // store cannot take the row (e.g. after a failed Commit()).
  virtual Result<uint64_t> AppendOutbox(std::string_view bytes) = 0;
  // Up to `max` rows with seq > `after` (0 = from the first), committed ones
  // and then the open batch's, in seq order, without those deleted by
  // DeleteOutboxUpTo or PruneOutbox, with the sent times of MarkOutboxSent.
  // Replaces the contents of `out` (empty on failure).
  virtual Status ListOutbox(uint64_t after, size_t max, std::vector<OutboxRow>& out) = 0;
  // Marks the row `seq` sent at `sent_at` (> 0), in the open batch; a row
  // that is not there (pruned, never committed) is ignored.
  virtual Status MarkOutboxSent(uint64_t seq, TimePoint sent_at) = 0;
  // Deletes, in the open batch, the sent rows whose sent_at is before
  // `sent_before`, looking at no more than `max_rows` rows from the first
  // (rows not yet sent are skipped, not deleted): one small slice of
  // pruning per call, so a commit never stalls on it. Returns how many rows
  // it deleted.
  virtual Result<size_t> PruneOutbox(TimePoint sent_before, size_t max_rows) = 0;
  // Deletes every row with seq <= `seq` that exists now (committed or in the
  // batch), in the open batch: gone from ListOutbox at once, from the store
  // at Commit(). Rows appended later are not affected.
  virtual Status DeleteOutboxUpTo(uint64_t seq) = 0;

  // Up to `max` customer ids greater than `after` ("" = from the start), in
  // byte order, from the committed state (customers created in the open
  // batch are not listed; commit first). Replaces the contents of `out`.
  virtual Status ListCustomerIds(std::string_view after, size_t max, std::vector<std::string>& out) = 0;

  // Writes every change since the last Commit() in one transaction and makes
  // it durable. On failure nothing of the batch is written and the store
  // must not be used again.
  virtual Status Commit() = 0;
};

}  // namespace patron
