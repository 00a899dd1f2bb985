#include "stores/internal/outbox_table.hpp"

#include <algorithm>
#include <limits>

#include "stores/byte_codec.hpp"
#include "stores/internal/schema.hpp"

namespace patron {

namespace {

// The seq of an outbox key; Corruption unless it is 8 bytes.
Status DecodeSeq(const MDB_val& key, uint64_t& seq) {
  if (key.mv_size != 8) return Status::Corruption("outbox: malformed key");
  seq = codec::GetFixed64BigEndian(lmdb::FromVal(key));
  return Status::Ok();
}

// A stored value: 8-byte big-endian sent_at (0: not sent), then the bytes.
Status DecodeValue(const MDB_val& value, OutboxRow& row) {
  std::string_view v = lmdb::FromVal(value);
  if (v.size() < 8) return Status::Corruption("outbox: malformed row");
  row.sent_at = static_cast<TimePoint>(codec::GetFixed64BigEndian(v.substr(0, 8)));
  row.bytes.assign(v.substr(8));
  return Status::Ok();
}

void EncodeValue(std::string& out, TimePoint sent_at, std::string_view bytes) {
  out.clear();
  codec::PutFixed64BigEndian(out, static_cast<uint64_t>(sent_at));
  out.append(bytes);
}

}  // namespace

Result<uint64_t> OutboxTable::Append(std::string_view bytes) {
  if (next_seq_ == std::numeric_limits<uint64_t>::max())
    return Status::Invalid("AppendOutbox: the outbox sequence is exhausted");
  uint64_t seq = next_seq_++;
  rows_.push_back(OutboxRow{seq, std::string(bytes)});
  return seq;
}

Status OutboxTable::List(uint64_t after, size_t max, std::vector<OutboxRow>& out) {
  out.clear();
  uint64_t from = std::max(after, delete_up_to_);  // rows above it are listed
  // Committed seqs are below committed_seq_: read the table only if one may be above `from`.
  if (max > 0 && from < committed_seq_ - 1) {
    int rc = snapshot_.Ensure();
    if (rc != 0) return lmdb::Error("begin read", rc);
    lmdb::CursorPtr cursor;
    if ((rc = lmdb::OpenCursor(snapshot_.get(), outbox_, cursor)) != 0) return lmdb::Error("cursor", rc);
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, from + 1);
    MDB_val k = lmdb::ToVal(key_buf_), v;
    for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_SET_RANGE); rc == 0 && out.size() < max;
         rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
      uint64_t seq;
      if (Status st = DecodeSeq(k, seq); !st.ok()) {
        out.clear();
        return st;
      }
      if (Gone(seq)) continue;
      OutboxRow& row = out.emplace_back();
      row.seq = seq;
      if (Status st = DecodeValue(v, row); !st.ok()) {
        out.clear();
        return st;
      }
      if (auto mark = marks_.find(seq); mark != marks_.end()) row.sent_at = mark->second;
    }
    if (rc != 0 && rc != MDB_NOTFOUND) {
      out.clear();
      return lmdb::Error("scan outbox", rc);
    }
  }
  for (const OutboxRow& row : rows_) {
    if (out.size() >= max) break;
    if (row.seq > from) out.push_back(row);
  }
  return Status::Ok();
}

void OutboxTable::DeleteUpTo(uint64_t seq) {
  auto kept = std::find_if(rows_.begin(), rows_.end(), [&](const OutboxRow& row) { return row.seq > seq; });
  rows_.erase(rows_.begin(), kept);
  // Only committed rows (below committed_seq_) are left to delete at Write().
  delete_up_to_ = std::max(delete_up_to_, std::min(seq, committed_seq_ - 1));
}

void OutboxTable::MarkSent(uint64_t seq, TimePoint sent_at) {
  for (OutboxRow& row : rows_) {
    if (row.seq == seq) {
      row.sent_at = sent_at;
      return;
    }
  }
  if (seq < committed_seq_ && !Gone(seq)) marks_[seq] = sent_at;
}

Result<size_t> OutboxTable::Prune(TimePoint sent_before, size_t max_rows) {
  if (max_rows == 0 || committed_seq_ <= 1) return size_t{0};
  int rc = snapshot_.Ensure();
  if (rc != 0) return lmdb::Error("begin read", rc);
  lmdb::CursorPtr cursor;
  if ((rc = lmdb::OpenCursor(snapshot_.get(), outbox_, cursor)) != 0) return lmdb::Error("cursor", rc);
  size_t looked = 0, deleted = 0;
  MDB_val k, v;
  for (rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST); rc == 0 && looked < max_rows;
       rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_NEXT)) {
    uint64_t seq;
    PATRON_RETURN_IF_ERROR(DecodeSeq(k, seq));
    if (Gone(seq)) continue;  // already deleted by this batch: not counted
    ++looked;
    std::string_view value = lmdb::FromVal(v);
    if (value.size() < 8) return Status::Corruption("outbox: malformed row");
    TimePoint sent_at = static_cast<TimePoint>(codec::GetFixed64BigEndian(value.substr(0, 8)));
    if (auto mark = marks_.find(seq); mark != marks_.end()) sent_at = mark->second;
    if (sent_at != 0 && sent_at < sent_before) {
      pruned_.insert(seq);
      marks_.erase(seq);
      ++deleted;
    }
  }
  if (rc != 0 && rc != MDB_NOTFOUND) return lmdb::Error("scan outbox", rc);
  return deleted;
}

Status OutboxTable::Write(BatchTxn& txn) {
  if (delete_up_to_ > 0) {
    lmdb::CursorPtr cursor;
    if (!txn.Check(lmdb::OpenCursor(txn.get(), outbox_, cursor))) return txn.status();
    MDB_val k, v;
    int rc;
    // From the first row each time: no reliance on where a delete leaves the cursor.
    while ((rc = mdb_cursor_get(cursor.get(), &k, &v, MDB_FIRST)) == 0) {
      uint64_t seq;
      PATRON_RETURN_IF_ERROR(DecodeSeq(k, seq));
      if (seq > delete_up_to_) break;
      if (!txn.Check(mdb_cursor_del(cursor.get(), 0))) return txn.status();
    }
    if (rc != 0 && rc != MDB_NOTFOUND && !txn.Check(rc)) return txn.status();
  }
  for (uint64_t seq : pruned_) {
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, seq);
    MDB_val k = lmdb::ToVal(key_buf_);
    int rc = mdb_del(txn.get(), outbox_, &k, nullptr);
    if (rc != 0 && rc != MDB_NOTFOUND && !txn.Check(rc)) return txn.status();
  }
  for (const auto& [seq, sent_at] : marks_) {
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, seq);
    MDB_val k = lmdb::ToVal(key_buf_), v;
    int rc = mdb_get(txn.get(), outbox_, &k, &v);
    if (rc == MDB_NOTFOUND) continue;
    if (!txn.Check(rc)) return txn.status();
    std::string_view old = lmdb::FromVal(v);
    if (old.size() < 8) return Status::Corruption("outbox: malformed row");
    EncodeValue(value_buf_, sent_at, old.substr(8));
    if (!txn.Put(outbox_, key_buf_, value_buf_)) return txn.status();
  }
  for (const OutboxRow& row : rows_) {
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, row.seq);
    EncodeValue(value_buf_, row.sent_at, row.bytes);
    if (!txn.Put(outbox_, key_buf_, value_buf_)) return txn.status();
  }
  if (next_seq_ != committed_seq_ && !txn.PutFixed64(meta_, schema::kNextOutboxSeqKey, next_seq_))
    return txn.status();
  return Status::Ok();
}

void OutboxTable::Committed() {
  committed_seq_ = next_seq_;
  delete_up_to_ = 0;
  rows_.clear();
  marks_.clear();
  pruned_.clear();
}

}  // namespace patron
