// Engine::SwapRules: a new rule set between batches (the seam of hot reload).

#include <catch2/catch.hpp>

#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {

TEST_CASE("SwapRules: kept rules keep their state, removed ones stop, new ones start", "[swap]") {
  Harness h(R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 5
end

rule "big"
  when order.completed
  where event.amount > 100
  then tag "big"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":150)"));
  REQUIRE(h.Count("welcome") == 1);
  REQUIRE(h.Count("big") == 1);

  CompiledRulesPtr next = CompileText(R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 5
end

rule "regular"
  when order.completed
  where customer.orders >= 2
  then tag "regular"
end
)");
  REQUIRE(h.engine().SwapRules(*next).ok());
  CHECK(&h.engine().rules() == next.get());
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", Phone("13800138000") + R"(,"amount":150)"));
  CHECK(h.Count("welcome") == 1);  // its `first` state was kept: no second welcome
  CHECK(h.Count("big") == 1);      // removed: nothing more
  CHECK(h.Count("regular") == 1);  // new: fires at once
  CHECK(h.engine().stats().actions == 3);
}

TEST_CASE("SwapRules refuses while a batch is open", "[swap]") {
  Harness h(R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 5
end
)");
  CompiledRulesPtr next = CompileText(R"(
rule "other"
  when order.completed
  then tag "x"
end
)");
  h.Queue(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":150)"));
  Status refused = h.engine().SwapRules(*next);
  CHECK(refused.code() == StatusCode::kInvalidArgument);
  CHECK(&h.engine().rules() == &h.rules());  // nothing changed
  h.Commit();
  CHECK(h.Count("welcome") == 1);
  CHECK(h.engine().SwapRules(*next).ok());
}

}  // namespace patron::testing
