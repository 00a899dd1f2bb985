// The evaluation observer (engine/evaluation_observer.hpp): for each reason a
// rule can fail to act, the steps the engine reports, in order.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "engine/evaluation_observer.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

const char* StepName(EvaluationStep step) {
  switch (step) {
    case EvaluationStep::kTrigger: return "trigger";
    case EvaluationStep::kWhere: return "where";
    case EvaluationStep::kWait: return "wait";
    case EvaluationStep::kLimit: return "limit";
    case EvaluationStep::kHoldout: return "holdout";
    case EvaluationStep::kDeferred: return "deferred";
    case EvaluationStep::kSuppressed: return "suppressed";
    case EvaluationStep::kAction: return "action";
  }
  return "?";
}

// Each step as "<rule> <step> yes|no[ <detail>][ until <time>][ <action kind>]".
class RecordingObserver final : public EvaluationObserver {
 public:
  void Observe(const EvaluationRecord& r) override {
    std::string line = std::string(r.rule) + " " + StepName(r.step) + (r.passed ? " yes" : " no");
    if (!r.detail.empty()) line += " " + std::string(r.detail);
    if (r.until != 0) line += " until " + FormatRfc3339Utc(r.until);
    if (r.action != nullptr) line += " " + std::string(ActionKindName(r.action->kind));
    lines.push_back(line);
    customers.emplace_back(r.customer_id);
    causes.emplace_back(r.cause);
  }
  std::vector<std::string> lines, customers, causes;
};

EngineOptions Observed(RecordingObserver& observer) {
  EngineOptions o;
  o.observer = &observer;
  return o;
}

using Lines = std::vector<std::string>;

}  // namespace

TEST_CASE("observer: a where that fails, then one that holds and acts", "[observer]") {
  RecordingObserver seen;
  Harness h(R"(
rule "big order"
  when order.completed
  where customer.orders >= 2
  then coupon "BIG" value 10
end
)", Observed(seen));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  h.Send(Ev("o2", "order.completed", "2026-03-01T11:00:00Z", Phone("13800138000") + R"(,"amount":150)"));
  CHECK(seen.lines == Lines{"big order trigger yes", "big order where no", "big order trigger yes",
                            "big order where yes", "big order action yes coupon"});
  CHECK(seen.causes == std::vector<std::string>{"o1", "o1", "o2", "o2", "o2"});
  CHECK(seen.customers[0] == "c-" + Hex64(StableHash({"phone:13800138000"})));
}

TEST_CASE("observer: an indexed rule reports its where like any other", "[observer]") {
  RecordingObserver seen;
  Harness h(R"(
rule "s1 big"
  when order.completed
  where event.store == "s1" and event.amount > 100
  then tag "s1-big"
end
)", Observed(seen));
  REQUIRE(h.rules().rules[0].indexed);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"store":"s1","amount":50)"));
  h.Send(Ev("o2", "order.completed", "2026-03-01T11:00:00Z", Phone("13800138000") + R"(,"store":"s2","amount":500)"));
  h.Send(Ev("o3", "order.completed", "2026-03-01T12:00:00Z", Phone("13800138000") + R"(,"store":"s1","amount":500)"));
  // o1: the bucket of s1 holds the rule, the range index does not (amount 50);
  // o2: no bucket for s2, so the rule is not even a candidate.
  CHECK(seen.lines == Lines{"s1 big trigger yes", "s1 big where yes", "s1 big action yes tag"});
  CHECK(seen.causes[0] == "o3");
}

TEST_CASE("observer: first fires once, then its trigger no longer holds", "[observer]") {
  RecordingObserver seen;
  Harness h(R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 5
end
)", Observed(seen));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  CHECK(seen.lines ==
        Lines{"welcome trigger yes", "welcome where yes", "welcome action yes coupon", "welcome trigger no"});
}

TEST_CASE("observer: over the limit, held out", "[observer]") {
  RecordingObserver seen;
  Harness h(R"(
rule "limited"
  when order.completed
  then tag "ordered"
  limit 1 per customer per 7 days
end

rule "held"
  when order.completed
  then coupon "H" value 1
  holdout 100%
end
)", Observed(seen));
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  h.Send(Ev("o2", "order.completed", "2026-03-02T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  CHECK(seen.lines == Lines{"limited trigger yes", "limited where yes", "limited limit yes", "limited action yes tag",
                            "held trigger yes", "held where yes", "held holdout no",
                            "limited trigger yes", "limited where yes", "limited limit no",
                            "held trigger yes", "held where yes", "held holdout no"});
}

TEST_CASE("observer: an opt-out and a missing customer suppress actions, with the reason", "[observer]") {
  RecordingObserver seen;
  Harness h(R"(
rule "thanks"
  when review.posted
  then
    message sms "thanks"
    tag "reviewer"
end
)", Observed(seen));
  h.Send(Ev("x1", "customer.opted_out", "2026-03-01T09:00:00Z", Phone("13800138000") + R"(,"channel":"sms")"));
  h.Send(Ev("r1", "review.posted", "2026-03-01T10:00:00Z", Phone("13800138000")));
  h.Send(Ev("r2", "review.posted", "2026-03-01T11:00:00Z", R"("store":"s1")"));
  CHECK(seen.lines == Lines{"thanks trigger yes", "thanks where yes", "thanks suppressed no opted out of sms",
                            "thanks action yes tag", "thanks trigger yes", "thanks where yes",
                            "thanks action yes message", "thanks suppressed no no customer"});
  CHECK(seen.customers.back().empty());
}

TEST_CASE("observer: quiet hours defer the actions, a wait delays the rest", "[observer]") {
  RecordingObserver seen;
  TimeHarnessOptions options;
  options.timezone = "UTC";
  options.engine.observer = &seen;
  TimeHarness h(R"(
rule "daytime"
  when order.completed
  then message sms "hello"
  between 09:00 and 21:00
end

rule "later"
  when order.completed
  wait 2 hours
  where customer.orders >= 1
  then tag "followed-up"
end
)", options);
  h.Send(Ev("o1", "order.completed", "2026-03-01T22:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  CHECK(seen.lines == Lines{"daytime trigger yes", "daytime where yes", "daytime deferred yes until 2026-03-02T09:00:00Z",
                            "later trigger yes", "later where yes", "later wait yes until 2026-03-02T00:00:00Z"});
  seen.lines.clear();
  h.AdvanceTo("2026-03-02T10:00:00Z");
  CHECK(seen.lines == Lines{"later where yes", "later action yes tag", "daytime action yes message"});
}

TEST_CASE("observer: a deadline firing reports its trigger from the timer", "[observer]") {
  RecordingObserver seen;
  TimeHarnessOptions options;
  options.engine.observer = &seen;
  TimeHarness h(R"(
rule "sleeping"
  when no order.completed for 30 days
  then coupon "BACK" value 10
end
)", options);
  h.Send(Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800138000") + R"(,"amount":50)"));
  CHECK(seen.lines.empty());  // the order only arms the deadline
  h.AdvanceTo("2026-04-01T00:00:00Z");
  CHECK(seen.lines == Lines{"sleeping trigger yes", "sleeping where yes", "sleeping action yes coupon"});
  CHECK(seen.causes.back() == "2026-03-31T10:00:00Z");
}

}  // namespace patron::testing
