#include "stores/internal/timer_table.hpp"

#include "stores/internal/schema.hpp"
#include "stores/timer_codec.hpp"

namespace patron {

Status TimerTable::ReadTableState(MDB_txn* txn, MDB_dbi dbi, TableState& out) {
  MDB_stat stat;
  int rc = mdb_stat(txn, dbi, &stat);
  if (rc != 0) return lmdb::Error("stat timers", rc);
  out.count = stat.ms_entries;
  out.min_due.reset();
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(txn, dbi, cursor)) != 0) return lmdb::Error("cursor", rc);
  MDB_val k, v;
  rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST);
  if (rc == MDB_NOTFOUND) return Status::Ok();
  if (rc != 0) return lmdb::Error("first timer", rc);
  TimerKey first;
  if (!DecodeTimerKey(lmdb::FromVal(k), first).ok()) return Status::Corruption("timers: malformed key");
  out.min_due = first.due;
  return Status::Ok();
}

Status TimerTable::Load() {
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  TableState state;
  PATRON_RETURN_IF_ERROR(ReadTableState(snapshot_.get(), timers_, state));
  committed_count_ = state.count;
  committed_min_due_ = state.min_due;
  return Status::Ok();
}

void TimerTable::Put(const TimerRecord& timer) {
  // Keep "every stored seq is below the counter" even for keys not from NextSeq().
  if (timer.key.seq >= next_seq_)
    next_seq_ = timer.key.seq == std::numeric_limits<uint64_t>::max() ? timer.key.seq : timer.key.seq + 1;
  if (MaybeCommitted(timer.key)) Shadow(timer.key);
  deletes_.erase(timer.key);
  puts_.insert_or_assign(timer.key, timer);
}

void TimerTable::Delete(const TimerKey& key) {
  puts_.erase(key);
  if (MaybeCommitted(key)) {
    Shadow(key);
    deletes_.insert(key);
  }
}

Status TimerTable::FirstCommitted(std::optional<TimerKey>& key, std::string_view& value) {
  key.reset();
  if (!committed_min_due_) return Status::Ok();
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), timers_, cursor)) != 0) return lmdb::Error("cursor", rc);
  key_buf_.clear();
  AppendTimerKey(key_buf_, committed_scan_from_);
  MDB_val k = lmdb::ToVal(key_buf_), v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    TimerKey found;
    if (!DecodeTimerKey(lmdb::FromVal(k), found).ok()) return Status::Corruption("timers: malformed key");
    if (Shadowed(found)) continue;
    committed_scan_from_ = found;
    committed_min_due_ = found.due;
    committed_min_exact_ = true;
    key = found;
    value = lmdb::FromVal(v);
    return Status::Ok();
  }
  if (rc != MDB_NOTFOUND) return lmdb::Error("scan timers", rc);
  committed_min_due_.reset();
  return Status::Ok();
}

Result<bool> TimerTable::IsCommitted(const TimerKey& key) {
  key_buf_.clear();
  AppendTimerKey(key_buf_, key);
  auto found = snapshot_.Get(timers_, key_buf_);
  if (!found.ok()) return found.status();
  return found->has_value();
}

Result<std::optional<TimerRecord>> TimerTable::NextDue(TimePoint up_to) {
  using Found = std::optional<TimerRecord>;
  const TimerRecord* put = nullptr;
  if (!puts_.empty() && puts_.begin()->first.due <= up_to) put = &puts_.begin()->second;
  if (committed_min_due_ && *committed_min_due_ <= up_to) {
    std::optional<TimerKey> key;
    std::string_view value;
    PATRON_RETURN_IF_ERROR(FirstCommitted(key, value));
    if (key && key->due <= up_to && (put == nullptr || *key < put->key)) {
      TimerRecord timer;
      Status st = DecodeTimer(value, *key, timer);
      if (!st.ok()) return st;
      return Found(std::move(timer));
    }
  }
  if (put != nullptr) return Found(*put);
  return Found();
}

Result<std::optional<TimePoint>> TimerTable::EarliestDue() {
  std::optional<TimePoint> earliest;
  if (!puts_.empty()) earliest = puts_.begin()->first.due;
  if (committed_min_due_ && (!earliest || *committed_min_due_ < *earliest)) {
    if (committed_min_exact_) return committed_min_due_;
    std::optional<TimerKey> key;
    std::string_view value;
    PATRON_RETURN_IF_ERROR(FirstCommitted(key, value));
    if (key && (!earliest || key->due < *earliest)) earliest = key->due;
  }
  return earliest;
}

Result<uint64_t> TimerTable::Count() {
  uint64_t count = committed_count_;
  for (const auto& [key, timer] : puts_) {
    bool committed = false;
    if (MaybeCommitted(key)) {
      auto found = IsCommitted(key);
      if (!found.ok()) return found.status();
      committed = *found;
    }
    if (!committed) ++count;
  }
  for (const TimerKey& key : deletes_) {
    auto found = IsCommitted(key);
    if (!found.ok()) return found.status();
    if (*found) --count;
  }
  return count;
}

Status TimerTable::Write(BatchTxn& txn) {
  TableState state{committed_count_, committed_min_due_};
  if (Changed()) {
    // The puts and deletes, merged in key order.
    auto put = puts_.begin();
    auto del = deletes_.begin();
    while (put != puts_.end() || del != deletes_.end()) {
      bool take_put = del == deletes_.end() || (put != puts_.end() && put->first < *del);
      key_buf_.clear();
      AppendTimerKey(key_buf_, take_put ? put->first : *del);
      bool ok;
      if (take_put) {
        value_buf_ = EncodeTimer(put->second);
        ok = txn.Put(timers_, key_buf_, value_buf_);
        ++put;
      } else {
        ok = txn.Delete(timers_, key_buf_);
        ++del;
      }
      if (!ok) return txn.status();
    }
    PATRON_RETURN_IF_ERROR(ReadTableState(txn.get(), timers_, state));
  }
  if (next_seq_ != committed_seq_ && !txn.PutFixed64(meta_, schema::kNextTimerSeqKey, next_seq_))
    return txn.status();
  written_ = state;
  return Status::Ok();
}

void TimerTable::Committed() {
  if (written_) {
    committed_seq_ = next_seq_;
    committed_count_ = written_->count;
    committed_min_due_ = written_->min_due;
    committed_min_exact_ = true;  // no batch shadows the table any more
    written_.reset();
  }
  puts_.clear();
  deletes_.clear();
  committed_scan_from_ = kFirstKey;
}

}  // namespace patron
