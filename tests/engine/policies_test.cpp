// Policies across rules (language.md "Policies across rules") against
// timelines computed by hand (Asia/Shanghai, UTC+8): only firings with a
// message or coupon count; counts are per customer across the policy's
// rules in any window (t - D, t]; a firing over the limit is skipped and
// recorded as "policy <name>"; the rule's limit is checked first and a
// firing skipped by either counts against neither; the policy's `between`
// defers only messages and coupons, to the first moment both windows are
// open; counters and deferrals are durable.
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

using Strings = std::vector<std::string>;

std::string Order(const std::string& who) { return CustomerRef(who) + R"(,"store":"s1","amount":10)"; }

// Keeps the limit steps the engine reports.
struct LimitSteps : EvaluationObserver {
  Strings steps;  // "<rule> passed|skipped <detail>"
  void Observe(const EvaluationRecord& r) override {
    if (r.step != EvaluationStep::kLimit) return;
    steps.push_back(std::string(r.rule) + (r.passed ? " passed" : " skipped") +
                    (r.detail.empty() ? "" : " " + std::string(r.detail)));
  }
};

const char* kTwoRules = R"(
policy marketing default
  limit 2 per customer per 7 days
end
rule "thanks"
  when order.completed
  then message sms "thanks"
end
rule "sorry"
  when review.posted
  then coupon "SORRY"
end
rule "tagger"
  when order.completed
  then tag "buyer"
end
rule "service"
  when review.posted
  then message app "reply"
  policy none
end
)";

}  // namespace

TEST_CASE("policy limit counts across two rules per customer", "[policies]") {
  TimeHarness h(kTwoRules);
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice")));      // 1 of 2
  h.Send(Ev("r1", "review.posted", "2026-03-02T02:00:00Z", CustomerRef("alice")));  // 2 of 2
  h.Send(Ev("o2", "order.completed", "2026-03-03T02:00:00Z", Order("alice")));      // over: skipped
  h.Send(Ev("o3", "order.completed", "2026-03-03T03:00:00Z", Order("bob")));        // bob has his own count
  h.Send(Ev("r2", "review.posted", "2026-03-08T02:00:00Z",
            CustomerRef("alice")));  // o1 is 7 days old: (t - 7d, t]
  h.Send(
      Ev("o4", "order.completed", "2026-03-08T03:00:00Z", Order("alice")));  // r1 and r2 in the window: over
  CHECK(ActionCauses(h.ActionsOf("thanks")) == Strings{"o1", "o3"});
  CHECK(ActionCauses(h.ActionsOf("sorry")) == Strings{"r1", "r2"});
  // A rule with neither message nor coupon is not limited; `policy none` keeps one out.
  CHECK(h.Count("tagger") == 2);  // alice's tag once (then a no-op), bob's
  CHECK(ActionCauses(h.ActionsOf("service")) == Strings{"r1", "r2"});
  CHECK(h.engine().stats().skipped_policy == 2);
  auto counts = h.OutcomeCounts();
  CHECK(counts["thanks"]["skipped_policy"] == 2);
  CHECK(counts["sorry"].count("skipped_policy") == 0);
}

TEST_CASE("a skipped firing is recorded as policy <name> and counts against nothing", "[policies]") {
  LimitSteps steps;
  TimeHarnessOptions options;
  options.engine.observer = &steps;
  TimeHarness h(R"(
policy weekly
  limit 1 per customer per 7 days
end
rule "A"
  when order.completed
  then message sms "a"
  policy weekly
  limit 2 per customer per 30 days
end
rule "B"
  when review.posted
  then coupon "B"
  policy weekly
  limit 1 per customer per 30 days
end
)",
                options);
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice")));  // A: rule 1/2, policy 1/1
  h.Send(Ev("o2", "order.completed", "2026-03-02T02:00:00Z",
            Order("alice")));  // policy skips; rule count stays 1
  h.Send(Ev("o3", "order.completed", "2026-03-08T02:00:00Z", Order("alice")));  // policy free again; rule 2/2
  h.Send(Ev("r1", "review.posted", "2026-03-08T03:00:00Z", CustomerRef("alice")));  // policy skips B
  h.Send(Ev("o4", "order.completed", "2026-03-16T02:00:00Z",
            Order("alice")));  // rule limit skips A (2 in 30 days)
  h.Send(
      Ev("r2", "review.posted", "2026-03-16T03:00:00Z", CustomerRef("alice")));  // o4 did not count: B runs
  CHECK(ActionCauses(h.ActionsOf("A")) == Strings{"o1", "o3"});
  CHECK(ActionCauses(h.ActionsOf("B")) == Strings{"r2"});
  CHECK(steps.steps == Strings{"A passed", "A skipped policy weekly", "A passed", "B skipped policy weekly",
                               "A skipped", "B passed"});
  auto counts = h.OutcomeCounts();
  CHECK(counts["A"]["skipped_policy"] == 1);
  CHECK(counts["A"]["skipped_limit"] == 1);
  CHECK(counts["B"]["skipped_policy"] == 1);
}

TEST_CASE("policy between defers only the message and coupon actions", "[policies]") {
  TimeHarness h(R"(
policy quiet default
  between 09:00 and 21:00
end
rule "late order"
  when order.completed
  then
    tag "ordered"
    message sms "thanks"
    ticket "check order"
    coupon "NEXT"
end
)");
  // 22:30 local on 1 March: tag and ticket now; message and coupon at 09:00 on 2 March.
  h.Send(Ev("o1", "order.completed", "2026-03-01T14:30:00Z", Order("alice")));
  auto now = h.ActionsOf("late order");
  REQUIRE(now.size() == 2);
  CHECK(now[0].kind == ActionKind::kTag);
  CHECK(now[1].kind == ActionKind::kTicket);
  CHECK(ActionTimes(now) == Strings(2, "2026-03-01T14:30:00Z"));
  CHECK(h.NextDue() == "2026-03-02T01:00:00Z");
  h.Open();  // the deferral is durable
  h.AdvanceTo("2026-03-02T01:00:00Z");
  auto all = h.ActionsOf("late order");
  REQUIRE(all.size() == 4);
  CHECK(all[2].kind == ActionKind::kMessage);
  CHECK(all[3].kind == ActionKind::kCoupon);
  CHECK(ActionTimes(all) == Strings{"2026-03-01T14:30:00Z", "2026-03-01T14:30:00Z", "2026-03-02T01:00:00Z",
                                    "2026-03-02T01:00:00Z"});
  // Each keeps its rule's name and the cause's id (action index as written).
  CHECK(all[2].rule == "late order");
  CHECK(all[2].id == Hex64(StableHash({"late order", "alice", "test", "o1", "1"})));
  CHECK(all[3].id == Hex64(StableHash({"late order", "alice", "test", "o1", "3"})));
  // Inside the window everything runs at once.
  h.Send(Ev("o2", "order.completed", "2026-03-02T02:00:00Z", Order("alice")));
  CHECK(h.Count("late order") == 7);  // message, ticket, coupon: the tag is held already (a no-op)
}

TEST_CASE("rule between and policy between: deferred actions run when both are open", "[policies]") {
  TimeHarness h(R"(
policy day default
  between 09:00 and 21:00
end
rule "evening"
  when order.completed
  then
    tag "evening"
    message sms "evening"
  between 20:00 and 23:00
end
rule "morning"
  when review.posted
  then
    message sms "morning"
    remind store_manager "review"
  between 08:00 and 10:00
end
)");
  // 22:30 local: inside the rule's window, not the policy's: the tag now, the
  // message at the next moment both are open, 20:00 on 2 March.
  h.Send(Ev("o1", "order.completed", "2026-03-01T14:30:00Z", Order("alice")));
  auto evening = h.ActionsOf("evening");
  REQUIRE(evening.size() == 1);
  CHECK(evening[0].kind == ActionKind::kTag);
  // 07:00 local on 3 March: the reminder at the rule's 08:00, the message at 09:00.
  h.Send(Ev("r1", "review.posted", "2026-03-02T23:00:00Z", CustomerRef("carol")));
  // 08:00 local on 3 March: outside both: the tag waits for 20:00 that day,
  // where the policy is open too: both then.
  h.Send(Ev("o2", "order.completed", "2026-03-03T00:00:00Z", Order("bob")));
  h.AdvanceTo("2026-03-04T00:00:00Z");
  evening = h.ActionsOf("evening");
  CHECK(ActionCauses(evening) == Strings{"o1", "o1", "o2", "o2"});
  CHECK(ActionTimes(evening) == Strings{"2026-03-01T14:30:00Z", "2026-03-02T12:00:00Z",
                                        "2026-03-03T12:00:00Z", "2026-03-03T12:00:00Z"});
  auto morning = h.ActionsOf("morning");
  REQUIRE(morning.size() == 2);
  CHECK(morning[0].kind == ActionKind::kRemind);
  CHECK(morning[1].kind == ActionKind::kMessage);
  CHECK(ActionTimes(morning) == Strings{"2026-03-03T00:00:00Z", "2026-03-03T01:00:00Z"});
}

TEST_CASE("policy counters survive a restart", "[policies][restart]") {
  TimeHarness h(kTwoRules);
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice")));
  h.Open();
  h.Send(Ev("r1", "review.posted", "2026-03-02T02:00:00Z", CustomerRef("alice")));
  h.Open();
  h.Send(Ev("o2", "order.completed", "2026-03-03T02:00:00Z", Order("alice")));
  CHECK(h.Count("thanks") == 1);
  CHECK(h.Count("sorry") == 1);
  CHECK(h.engine().stats().skipped_policy == 1);
}

TEST_CASE("policy limit with wait: decided when the wait ends", "[policies]") {
  TimeHarness h(R"(
policy marketing default
  limit 1 per customer per 1 day
end
rule "later"
  when order.completed
  wait 2 hours
  then message sms "later"
end
rule "now"
  when visit
  then coupon "NOW"
end
)");
  h.Send(Ev("o1", "order.completed", "2026-03-01T02:00:00Z", Order("alice")));
  h.Send(Ev("v1", "visit", "2026-03-01T03:00:00Z", CustomerRef("alice")));  // counts first
  h.AdvanceTo("2026-03-01T04:00:00Z");
  CHECK(h.Count("now") == 1);
  CHECK(h.Count("later") == 0);
  CHECK(h.engine().stats().skipped_policy == 1);
}

}  // namespace patron::testing
