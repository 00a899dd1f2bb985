#include "stores/memory_state_store.hpp"

#include <catch2/catch.hpp>

namespace patron {
namespace {

TEST_CASE("MemoryStateStore: customers, identities, processed ids, keyed states, outcomes") {
  MemoryStateStore store(/*max_kept_outcomes=*/1);
  auto created = store.CreateCustomer("c-1");
  REQUIRE(created.ok());
  CustomerRecord* c = *created;
  CHECK(c->profile.id == "c-1");
  CHECK(*store.FindCustomer("c-1") == c);
  CHECK(*store.FindCustomer("c-2") == nullptr);
  CHECK_FALSE(store.CreateCustomer("c-1").ok());
  CHECK_FALSE(store.CreateCustomer("").ok());

  REQUIRE(store.PutIdentity(IdentityKind::kPhone, "13800138000", "c-1").ok());
  CHECK(*store.FindIdentity(IdentityKind::kPhone, "13800138000") == std::optional<std::string>("c-1"));
  CHECK_FALSE(store.FindIdentity(IdentityKind::kOpenid, "13800138000")->has_value());

  CHECK_FALSE(*store.IsProcessed("pos", "e-1"));
  REQUIRE(store.MarkProcessed("pos", "e-1").ok());
  CHECK(*store.IsProcessed("pos", "e-1"));
  CHECK_FALSE(*store.IsProcessed("po", "se-1"));

  RuleState keyed;
  keyed.rule_key = 5;
  keyed.count = 2;
  REQUIRE(store.PutKeyedState("sku", keyed).ok());
  CHECK((*store.FindKeyedState(5, "sku"))->count == 2);
  CHECK_FALSE(store.FindKeyedState(6, "sku")->has_value());

  Outcome o;
  o.rule = "R";
  REQUIRE(store.RecordOutcome(o).ok());
  o.kind = OutcomeKind::kHeldOut;
  REQUIRE(store.RecordOutcome(o).ok());
  REQUIRE(store.RecordOutcome(o).ok());
  CHECK(store.outcomes().size() == 1);
  std::map<std::string, std::map<std::string, uint64_t>> expected = {{"R", {{"fired", 1}, {"held_out", 2}}}};
  CHECK(store.RuleStats() == expected);

  REQUIRE(store.Commit().ok());
  CHECK(*store.FindCustomer("c-1") == c);  // records outlive commits here
  REQUIRE(store.EraseCustomer("c-1").ok());
  CHECK(*store.FindCustomer("c-1") == nullptr);
  CHECK(store.customer_count() == 0);
}

}  // namespace
}  // namespace patron
