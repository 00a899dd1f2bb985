#pragma once
// A StateStore for engine tests that forwards every call to a real
// LmdbStateStore (real LMDB in a directory the test owns) and fails the
// calls it is told to, the way leveldb's SpecialEnv (db/db_test.cc) wraps
// the real Env to inject write errors. It also counts every call.
//
//   auto store = FaultInjectingStore::Open(dir.str());
//   (*store)->FailNext(StoreOp::kCommit);               // the next Commit()
//   (*store)->FailNth(StoreOp::kPutTimer, 2);           // the 2nd PutTimer() from now
//   (*store)->FailNthWrite(5, Status::Io("disk full"));  // the 5th write of any kind
//   (*store)->FailNthCall(40);                           // the 40th call that can fail, reads too
//
// What a failure looks like: the chosen call is not forwarded and returns
// the chosen Status. From then on the store behaves as the StateStore
// contract says a failed store may ("must not be used again"), and as
// LmdbStateStore does after a failed Commit(): every later call that can
// report an error returns the same Status without being forwarded, so
// nothing of the open batch can reach disk afterwards either. The real
// store's open batch is discarded when it is closed (destroyed), which is
// what a test does before reopening the directory to look at what is on disk.
// Calls made after the failure are counted separately (calls_after_failure):
// an engine that heeds the failed Status makes none that could fail.
//
// MarkDirty() and NextTimerSeq() cannot report errors; they are counted and
// forwarded (also after a failure, where they are harmless: nothing is
// committed any more).
//
// Single-threaded, like the store it wraps. Header-only so that the test
// support library needs no link dependency on patron_stores.

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "engine/state_store.hpp"
#include "stores/lmdb_state_store.hpp"

namespace patron::testing {

// The StateStore methods, for counting and choosing what fails.
enum class StoreOp : uint8_t {
  kFindCustomer,
  kCreateCustomer,
  kMarkDirty,
  kEraseCustomer,
  kFindIdentity,
  kPutIdentity,
  kIsProcessed,
  kMarkProcessed,
  kFindKeyedState,
  kPutKeyedState,
  kDeleteKeyedState,
  kRecordOutcome,
  kNextTimerSeq,
  kPutTimer,
  kDeleteTimer,
  kNextDueTimer,
  kEarliestTimerDue,
  kTimerCount,
  kListCustomerIds,
  kAppendOutbox,
  kListOutbox,
  kDeleteOutboxUpTo,
  kMarkOutboxSent,
  kPruneOutbox,
  kCommit,
};
inline constexpr size_t kStoreOpCount = static_cast<size_t>(StoreOp::kCommit) + 1;

// The method's name ("PutTimer"), for messages.
inline std::string_view StoreOpName(StoreOp op) {
  static constexpr std::array<std::string_view, kStoreOpCount> kNames = {
      "FindCustomer",     "CreateCustomer",   "MarkDirty",     "EraseCustomer",   "FindIdentity",
      "PutIdentity",      "IsProcessed",      "MarkProcessed", "FindKeyedState",  "PutKeyedState",
      "DeleteKeyedState", "RecordOutcome",    "NextTimerSeq",  "PutTimer",        "DeleteTimer",
      "NextDueTimer",     "EarliestTimerDue", "TimerCount",    "ListCustomerIds", "AppendOutbox",
      "ListOutbox",       "DeleteOutboxUpTo", "MarkOutboxSent", "PruneOutbox",   "Commit"};
  return kNames[static_cast<size_t>(op)];
}

// Calls that change the open batch or make it durable (the ones FailNthWrite counts).
inline bool IsWrite(StoreOp op) {
  switch (op) {
    case StoreOp::kCreateCustomer:
    case StoreOp::kEraseCustomer:
    case StoreOp::kPutIdentity:
    case StoreOp::kMarkProcessed:
    case StoreOp::kPutKeyedState:
    case StoreOp::kDeleteKeyedState:
    case StoreOp::kRecordOutcome:
    case StoreOp::kPutTimer:
    case StoreOp::kDeleteTimer:
    case StoreOp::kAppendOutbox:
    case StoreOp::kDeleteOutboxUpTo:
    case StoreOp::kMarkOutboxSent:
    case StoreOp::kPruneOutbox:
    case StoreOp::kCommit:
      return true;
    default:
      return false;
  }
}

// The Status injected when none is given.
inline Status InjectedError() { return Status::Io("injected"); }

class FaultInjectingStore final : public StateStore {
 public:
  // Opens a real LmdbStateStore in `dir` (see LmdbStateStore::Open) and wraps it.
  static Result<std::unique_ptr<FaultInjectingStore>> Open(const std::string& dir,
                                                           const LmdbStoreOptions& options = {}) {
    auto base = LmdbStateStore::Open(dir, options);
    if (!base.ok()) return base.status();
    return std::make_unique<FaultInjectingStore>(std::move(*base));
  }

  explicit FaultInjectingStore(std::unique_ptr<LmdbStateStore> base) : base_(std::move(base)) {}

  // ---- what to fail. Counting starts at the call after this one; a later
  // plan replaces an earlier one that has not struck yet.

  // Fails the `nth` (1-based) call of `op` from now with `status`.
  // `op` must be able to report an error (not kMarkDirty or kNextTimerSeq).
  void FailNth(StoreOp op, uint64_t nth, Status status = InjectedError()) {
    plan_ = Plan{Plan::kOne, op, calls_[Index(op)] + nth, std::move(status)};
  }
  // Fails the next call of `op`.
  void FailNext(StoreOp op, Status status = InjectedError()) { FailNth(op, 1, std::move(status)); }
  // Fails the `nth` (1-based) write from now, whatever its kind (IsWrite).
  void FailNthWrite(uint64_t nth, Status status = InjectedError()) {
    plan_ = Plan{Plan::kWrite, StoreOp::kCommit, writes_ + nth, std::move(status)};
  }
  // Fails the `nth` (1-based) call from now that can report an error (all
  // but MarkDirty and NextTimerSeq), reads included.
  void FailNthCall(uint64_t nth, Status status = InjectedError()) {
    plan_ = Plan{Plan::kCall, StoreOp::kCommit, fallible_calls_ + nth, std::move(status)};
  }
  // Forgets a plan that has not struck yet (an injected failure stays).
  void CancelPlan() { plan_.reset(); }

  // ---- what happened

  // Calls of `op` so far, including failed and refused ones.
  uint64_t calls(StoreOp op) const { return calls_[Index(op)]; }
  // Writes (IsWrite) so far.
  uint64_t writes() const { return writes_; }
  // Calls that can report an error so far.
  uint64_t fallible_calls() const { return fallible_calls_; }
  // True once a failure was injected.
  bool failed() const { return failure_.has_value(); }
  // The call that was failed, and the Status it returned (valid when failed()).
  StoreOp failed_op() const { return failed_op_; }
  const Status& failure() const { return *failure_; }
  // Calls of any kind after the injected failure that could have reported an
  // error (all but MarkDirty and NextTimerSeq).
  uint64_t calls_after_failure() const { return calls_after_failure_; }

  // The real store (for lookups a test makes itself).
  LmdbStateStore& base() { return *base_; }

  // ---- StateStore

  Result<CustomerRecord*> FindCustomer(std::string_view customer_id) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kFindCustomer));
    return base_->FindCustomer(customer_id);
  }
  Result<CustomerRecord*> CreateCustomer(std::string_view customer_id) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kCreateCustomer));
    return base_->CreateCustomer(customer_id);
  }
  void MarkDirty(CustomerRecord* record) override {
    Count(StoreOp::kMarkDirty);
    base_->MarkDirty(record);
  }
  Status EraseCustomer(std::string_view customer_id) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kEraseCustomer));
    return base_->EraseCustomer(customer_id);
  }
  Result<std::optional<std::string>> FindIdentity(IdentityKind kind, std::string_view value) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kFindIdentity));
    return base_->FindIdentity(kind, value);
  }
  Status PutIdentity(IdentityKind kind, std::string_view value, std::string_view customer_id) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kPutIdentity));
    return base_->PutIdentity(kind, value, customer_id);
  }
  Result<bool> IsProcessed(std::string_view source, std::string_view id) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kIsProcessed));
    return base_->IsProcessed(source, id);
  }
  Status MarkProcessed(std::string_view source, std::string_view id, TimePoint at) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kMarkProcessed));
    return base_->MarkProcessed(source, id, at);
  }
  Result<std::optional<RuleState>> FindKeyedState(uint64_t rule_key, std::string_view key) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kFindKeyedState));
    return base_->FindKeyedState(rule_key, key);
  }
  Status PutKeyedState(std::string_view key, const RuleState& state) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kPutKeyedState));
    return base_->PutKeyedState(key, state);
  }
  Status DeleteKeyedState(uint64_t rule_key, std::string_view key) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kDeleteKeyedState));
    return base_->DeleteKeyedState(rule_key, key);
  }
  Status RecordOutcome(const Outcome& outcome) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kRecordOutcome));
    return base_->RecordOutcome(outcome);
  }
  uint64_t NextTimerSeq() override {
    Count(StoreOp::kNextTimerSeq);
    return base_->NextTimerSeq();
  }
  Status PutTimer(const TimerRecord& timer) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kPutTimer));
    return base_->PutTimer(timer);
  }
  Status DeleteTimer(const TimerKey& key) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kDeleteTimer));
    return base_->DeleteTimer(key);
  }
  Result<std::optional<TimerRecord>> NextDueTimer(TimePoint up_to) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kNextDueTimer));
    return base_->NextDueTimer(up_to);
  }
  Result<std::optional<TimePoint>> EarliestTimerDue() override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kEarliestTimerDue));
    return base_->EarliestTimerDue();
  }
  Result<uint64_t> TimerCount() override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kTimerCount));
    return base_->TimerCount();
  }
  Status ListCustomerIds(std::string_view after, size_t max, std::vector<std::string>& out) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kListCustomerIds));
    return base_->ListCustomerIds(after, max, out);
  }
  Result<uint64_t> AppendOutbox(std::string_view bytes) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kAppendOutbox));
    return base_->AppendOutbox(bytes);
  }
  Status ListOutbox(uint64_t after, size_t max, std::vector<OutboxRow>& out) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kListOutbox));
    return base_->ListOutbox(after, max, out);
  }
  Status DeleteOutboxUpTo(uint64_t seq) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kDeleteOutboxUpTo));
    return base_->DeleteOutboxUpTo(seq);
  }
  Status MarkOutboxSent(uint64_t seq, TimePoint sent_at) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kMarkOutboxSent));
    return base_->MarkOutboxSent(seq, sent_at);
  }
  Result<size_t> PruneOutbox(TimePoint sent_before, size_t max_rows) override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kPruneOutbox));
    return base_->PruneOutbox(sent_before, max_rows);
  }
  Status Commit() override {
    PATRON_RETURN_IF_ERROR(Enter(StoreOp::kCommit));
    return base_->Commit();
  }

 private:
  struct Plan {
    enum Kind { kOne, kWrite, kCall } kind;
    StoreOp op;   // kOne: the operation
    uint64_t at;  // the count that fails: calls_[op] (kOne), writes_ (kWrite), fallible_calls_ (kCall)
    Status status;
  };

  static size_t Index(StoreOp op) { return static_cast<size_t>(op); }

  void Count(StoreOp op) {
    ++calls_[Index(op)];
    if (IsWrite(op)) ++writes_;
  }

  // Counts the call; the Status it must return instead of forwarding, if any.
  Status Enter(StoreOp op) {
    Count(op);
    ++fallible_calls_;
    if (failure_) {
      ++calls_after_failure_;
      return *failure_;
    }
    if (!plan_) return Status::Ok();
    bool strikes = false;
    switch (plan_->kind) {
      case Plan::kOne:
        strikes = plan_->op == op && calls_[Index(op)] == plan_->at;
        break;
      case Plan::kWrite:
        strikes = IsWrite(op) && writes_ == plan_->at;
        break;
      case Plan::kCall:
        strikes = fallible_calls_ == plan_->at;
        break;
    }
    if (!strikes) return Status::Ok();
    failure_ = std::move(plan_->status);
    failed_op_ = op;
    plan_.reset();
    return *failure_;
  }

  std::unique_ptr<LmdbStateStore> base_;
  std::array<uint64_t, kStoreOpCount> calls_{};
  uint64_t writes_ = 0;
  uint64_t fallible_calls_ = 0;
  std::optional<Plan> plan_;
  std::optional<Status> failure_;
  StoreOp failed_op_ = StoreOp::kCommit;
  uint64_t calls_after_failure_ = 0;
};

}  // namespace patron::testing
