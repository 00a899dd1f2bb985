#include "stores/internal/batch_writer.hpp"

#include <algorithm>

#include "base/crash_point.hpp"
#include "stores/byte_codec.hpp"
#include "stores/internal/stored_key.hpp"

namespace patron {

bool BatchTxn::Put(MDB_dbi dbi, std::string_view raw_key, std::string_view value) {
  MDB_val k = lmdb::ToVal(stored_key::Of(raw_key, max_key_, long_buf_)), v = lmdb::ToVal(value);
  return Check(mdb_put(txn_, dbi, &k, &v, 0));
}

bool BatchTxn::PutFixed64(MDB_dbi dbi, std::string_view raw_key, uint64_t value) {
  value_buf_.clear();
  codec::PutFixed64BigEndian(value_buf_, value);
  return Put(dbi, raw_key, value_buf_);
}

bool BatchTxn::Delete(MDB_dbi dbi, std::string_view raw_key) {
  MDB_val k = lmdb::ToVal(stored_key::Of(raw_key, max_key_, long_buf_));
  int rc = mdb_del(txn_, dbi, &k, nullptr);
  return Check(rc == MDB_NOTFOUND ? 0 : rc);
}

Result<std::optional<std::string_view>> BatchTxn::Get(MDB_dbi dbi, std::string_view raw_key) {
  return lmdb::Get(txn_, dbi, stored_key::Of(raw_key, max_key_, long_buf_));
}

Status BatchTxn::status() const { return rc_ == 0 ? Status::Ok() : lmdb::Error("commit", rc_); }

Status BatchWriter::Attempt(const std::function<Status(BatchTxn&)>& write, int& rc) {
  lmdb::Txn txn;
  if ((rc = txn.Begin(env_, 0)) != 0) return lmdb::Error("commit", rc);
  BatchTxn batch(txn.get(), max_key_);
  Status st = write(batch);
  if (st.ok()) batch.Check(txn.Commit());
  rc = batch.rc();
  return st.ok() ? batch.status() : st;
}

Status BatchWriter::Write(const std::function<Status(BatchTxn&)>& write) {
  for (;;) {
    int rc = 0;
    Status st = Attempt(write, rc);
    if (st.ok() || rc != MDB_MAP_FULL || map_size_ >= max_map_size_) return st;
    // Grow the map and retry the whole batch; no transaction may be open.
    snapshot_.Drop();
    size_t grown = std::min(max_map_size_, map_size_ * 2);
    if (int set_rc = mdb_env_set_mapsize(env_, grown); set_rc != 0) return lmdb::Error("grow map", set_rc);
    map_size_ = grown;
    PATRON_CRASH_POINT("map-resize");
  }
}

}  // namespace patron
