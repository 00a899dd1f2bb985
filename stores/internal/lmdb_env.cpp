#include "stores/internal/lmdb_env.hpp"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <system_error>

#include "stores/internal/stored_key.hpp"

namespace patron::lmdb {

Status Error(std::string_view what, int rc) {
  std::string message = "lmdb " + std::string(what) + ": " + mdb_strerror(rc);
  if (rc == MDB_CORRUPTED || rc == MDB_PAGE_NOTFOUND || rc == MDB_INVALID || rc == MDB_VERSION_MISMATCH)
    return Status::Corruption(std::move(message));
  return Status::Io(std::move(message));
}

Result<EnvPtr> CreateEnv(unsigned max_dbs) {
  MDB_env* raw = nullptr;
  int rc = mdb_env_create(&raw);
  if (rc != 0) return Error("env_create", rc);
  EnvPtr env(raw);
  if ((rc = mdb_env_set_maxdbs(env.get(), max_dbs)) != 0) return Error("set_maxdbs", rc);
  return env;
}

Result<EnvPtr> OpenReadOnlyEnv(const std::string& dir, unsigned max_dbs) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "data.mdb", ec))
    return Status::NotFound("no Patron store in " + dir);
  auto env = CreateEnv(max_dbs);
  if (!env.ok()) return env.status();
  if (int rc = mdb_env_open(env->get(), dir.c_str(), MDB_RDONLY | MDB_NOTLS, 0644); rc != 0)
    return Error("open " + dir, rc);
  return env;
}

size_t RoundToPage(size_t size) {
  long page = sysconf(_SC_PAGESIZE);
  size_t p = page > 0 ? static_cast<size_t>(page) : 4096;
  return std::max(p, (size + p - 1) / p * p);
}

int OpenCursor(MDB_txn* txn, MDB_dbi dbi, CursorPtr& out) {
  MDB_cursor* raw = nullptr;
  int rc = mdb_cursor_open(txn, dbi, &raw);
  if (rc == 0) out.reset(raw);
  return rc;
}

Result<std::optional<std::string_view>> Get(MDB_txn* txn, MDB_dbi dbi, std::string_view key) {
  if (key.empty()) return std::optional<std::string_view>();
  MDB_val k = ToVal(key), v;
  int rc = mdb_get(txn, dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != 0) return Error("get", rc);
  return std::optional<std::string_view>(FromVal(v));
}

Result<std::optional<std::string_view>> ReadSnapshot::Get(MDB_dbi dbi, std::string_view raw_key) {
  int rc = Ensure();
  if (rc != 0) return Error("begin read", rc);
  return lmdb::Get(txn_, dbi, stored_key::Of(raw_key, max_key_, long_buf_));
}

}  // namespace patron::lmdb
