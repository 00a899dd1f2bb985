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
      OutboxRow& row = out.emplace_back();
      if (Status st = DecodeSeq(k, row.seq); !st.ok()) {
        out.clear();
        return st;
      }
      row.bytes.assign(lmdb::FromVal(v));
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
  for (const OutboxRow& row : rows_) {
    key_buf_.clear();
    codec::PutFixed64BigEndian(key_buf_, row.seq);
    if (!txn.Put(outbox_, key_buf_, row.bytes)) return txn.status();
  }
  if (next_seq_ != committed_seq_ && !txn.PutFixed64(meta_, schema::kNextOutboxSeqKey, next_seq_))
    return txn.status();
  return Status::Ok();
}

void OutboxTable::Committed() {
  committed_seq_ = next_seq_;
  delete_up_to_ = 0;
  rows_.clear();
}

}  // namespace patron
