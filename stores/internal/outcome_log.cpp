#include "stores/internal/outcome_log.hpp"

#include "stores/byte_codec.hpp"
#include "stores/internal/schema.hpp"
#include "stores/outcome_codec.hpp"

namespace patron {

void OutcomeLog::Record(const Outcome& outcome) {
  batch_.push_back(outcome);
  std::string_view key = store_keys::RuleStat(key_buf_, outcome.rule, outcome.kind);
  if (auto it = counts_.find(key); it != counts_.end()) {
    ++it->second;
  } else {
    counts_.emplace(std::string(key), 1);
  }
}

Status OutcomeLog::Write(BatchTxn& txn) {
  uint64_t seq = next_seq_;
  for (const auto& outcome : batch_) {
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, seq++);
    if (!txn.Put(outcomes_, key_buf_, EncodeOutcome(outcome))) return txn.status();
  }
  for (const auto& [key, increment] : counts_) {
    auto old = txn.Get(rule_stats_, key);
    if (!old.ok()) return old.status();
    if (*old && (*old)->size() != 8) return Status::Corruption("rule_stats: malformed count");
    uint64_t count = *old ? codec::GetFixed64BigEndian(**old) : 0;
    if (!txn.PutFixed64(rule_stats_, key, count + increment)) return txn.status();
  }
  if (!batch_.empty() && !txn.PutFixed64(meta_, schema::kNextOutcomeSeqKey, seq)) return txn.status();
  return Status::Ok();
}

void OutcomeLog::Committed() {
  next_seq_ += batch_.size();
  batch_.clear();
  counts_.clear();
}

}  // namespace patron
