// stores/internal/batch_writer.hpp: one transaction per batch, the map grown
// and the batch written again when it does not fit (a real LMDB environment
// in a temporary directory).

#include "stores/internal/batch_writer.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

constexpr size_t kSmallMap = 64 << 10;

// An environment with a 64 KiB map and one table "t", and a writer over it.
struct Fixture {
  explicit Fixture(size_t max_map_size) {
    auto created = lmdb::CreateEnv(2);
    REQUIRE(created.ok());
    env = std::move(created).value();
    REQUIRE(mdb_env_set_mapsize(env.get(), kSmallMap) == 0);
    REQUIRE(mdb_env_open(env.get(), dir.str().c_str(), MDB_NOTLS | MDB_NOSYNC, 0644) == 0);
    lmdb::Txn txn;
    REQUIRE(txn.Begin(env.get(), 0) == 0);
    REQUIRE(mdb_dbi_open(txn.get(), "t", MDB_CREATE, &dbi) == 0);
    REQUIRE(txn.Commit() == 0);
    max_key = static_cast<size_t>(mdb_env_get_maxkeysize(env.get()));
    snapshot = std::make_unique<lmdb::ReadSnapshot>(env.get(), max_key);
    writer = std::make_unique<BatchWriter>(env.get(), *snapshot, kSmallMap, max_map_size, max_key);
  }
  ~Fixture() {
    writer.reset();
    snapshot.reset();
  }
  // The number of rows of "t" in a new snapshot.
  size_t Rows() {
    snapshot->Reset();
    REQUIRE(snapshot->Ensure() == 0);
    MDB_stat stat;
    REQUIRE(mdb_stat(snapshot->get(), dbi, &stat) == 0);
    return stat.ms_entries;
  }

  testing::TempDir dir;
  lmdb::EnvPtr env;
  MDB_dbi dbi = 0;
  size_t max_key = 0;
  std::unique_ptr<lmdb::ReadSnapshot> snapshot;
  std::unique_ptr<BatchWriter> writer;
};

// A batch of `rows` 1000-byte values (about 1.2 KiB a row with its page share).
std::function<Status(BatchTxn&)> Rows(MDB_dbi dbi, int rows, int& attempts) {
  return [dbi, rows, &attempts](BatchTxn& txn) {
    ++attempts;
    const std::string value(1000, 'v');
    for (int i = 0; i < rows; ++i)
      if (!txn.Put(dbi, "key-" + std::to_string(100000 + i), value)) return txn.status();
    return Status::Ok();
  };
}

TEST_CASE("BatchWriter: a batch that fits is written in one attempt") {
  Fixture f(size_t{1} << 30);
  int attempts = 0;
  REQUIRE(f.writer->Write(Rows(f.dbi, 10, attempts)).ok());
  CHECK(attempts == 1);
  CHECK(f.writer->map_size() == kSmallMap);
  CHECK(f.Rows() == 10);
}

TEST_CASE("BatchWriter: a full map doubles and the whole batch is written again") {
  Fixture f(size_t{1} << 30);
  int attempts = 0;
  REQUIRE(f.writer->Write(Rows(f.dbi, 500, attempts)).ok());
  CHECK(attempts > 1);
  CHECK(f.writer->map_size() == kSmallMap << (attempts - 1));
  CHECK(f.Rows() == 500);
}

TEST_CASE("BatchWriter: past the maximum the batch fails and nothing of it is written") {
  Fixture f(2 * kSmallMap);
  int attempts = 0;
  Status st = f.writer->Write(Rows(f.dbi, 500, attempts));
  CHECK_FALSE(st.ok());
  CHECK(st.message().rfind("lmdb commit: ", 0) == 0);
  CHECK(attempts == 2);
  CHECK(f.writer->map_size() == 2 * kSmallMap);
  CHECK(f.Rows() == 0);
}

TEST_CASE("BatchWriter: a failure of the batch itself is returned as it is, without retry") {
  Fixture f(size_t{1} << 30);
  int attempts = 0;
  Status st = f.writer->Write([&](BatchTxn& txn) {
    ++attempts;
    REQUIRE(txn.Put(f.dbi, "k", "v"));
    return Status::Corruption("damaged");
  });
  CHECK(st.code() == StatusCode::kCorruption);
  CHECK(st.message() == "damaged");
  CHECK(attempts == 1);
  CHECK(f.Rows() == 0);
}

TEST_CASE("BatchTxn: deleting a missing key is not a failure, fixed values are big-endian") {
  Fixture f(size_t{1} << 30);
  REQUIRE(f.writer
              ->Write([&](BatchTxn& txn) {
                CHECK(txn.Delete(f.dbi, "absent"));
                CHECK(txn.PutFixed64(f.dbi, "n", 0x0102030405060708ULL));
                auto got = txn.Get(f.dbi, "n");
                REQUIRE(got.ok());
                CHECK(**got == std::string_view("\x01\x02\x03\x04\x05\x06\x07\x08", 8));
                CHECK(txn.rc() == 0);
                return txn.status();
              })
              .ok());
  CHECK(f.Rows() == 1);
}

}  // namespace
}  // namespace patron
