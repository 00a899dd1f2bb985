// The engine when its state store fails (engine.hpp: "Returns a failed
// Status only when the store or sink failed, after which the engine must not
// be used"; state_store.hpp: "On failure nothing of the batch is written").
// A FaultInjectingStore (tests/support) over real LMDB fails a chosen call;
// the tests check that the engine returns that very Status, that the sink
// saw nothing of the failed batch, that the directory reopened from disk
// holds nothing of it, and that feeding the uncommitted events again to a
// new engine on the reopened store gives exactly the actions of a run that
// never failed: nothing lost, nothing twice. Time is event time
// (EventTimeClock), moved on by hand like replay's --until; nothing sleeps.
// Rules compile in Asia/Shanghai: 10:00 local is 02:00Z.

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actions/action_json.hpp"
#include "tests/engine/engine_fixture.hpp"
#include "tests/support/fault_injecting_store.hpp"

namespace patron::testing {
namespace {

using Lines = std::vector<std::string>;

// What a downstream consumer saw, across restarts: each action and dead
// letter as the JSON line a sink writes for it.
class LineSink final : public ActionSink {
 public:
  Status Publish(const Action& action) override {
    AppendActionJson(actions.emplace_back(), action);
    return Status::Ok();
  }
  Status PublishDead(const DeadLetter& dead) override {
    AppendDeadLetterJson(dead_letters.emplace_back(), dead);
    return Status::Ok();
  }
  Status Flush() override { return Status::Ok(); }

  Lines actions;
  Lines dead_letters;
};

// The engine over a FaultInjectingStore in a directory that survives
// restarts, publishing to one LineSink. Each (re)open starts a new
// EventTimeClock, as a restarted process would.
class FaultHarness {
 public:
  // `processed_retention`: the store's (LmdbStoreOptions) retention of processed ids.
  explicit FaultHarness(const std::string& rules_text, EngineOptions options = {},
                        Duration processed_retention = 7 * kMicrosPerDay)
      : rules_(CompileText(rules_text)),
        options_(std::move(options)),
        processed_retention_(processed_retention) {
    Reopen();
  }

  // Closes the engine and the store (an uncommitted batch is discarded) and
  // opens both again on what is on disk.
  void Reopen() {
    engine_.reset();
    store_.reset();
    LmdbStoreOptions o;
    o.sync_on_commit = false;
    o.processed_retention = processed_retention_;
    auto store = FaultInjectingStore::Open(dir_.str(), o);
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    store_ = std::move(*store);
    clock_ = std::make_unique<EventTimeClock>();
    engine_ = std::make_unique<Engine>(*rules_, *store_, sink_, *clock_, options_);
  }

  Status Accept(const std::string& message) { return engine_->Accept(message); }
  Status Commit() { return engine_->Commit(); }
  // Like replay's --until: moves the clock to `time` and fires what is due
  // (every broadcast finished); does not commit.
  Status FireUntil(const std::string& time) {
    clock_->Set(TimeOf(time));
    for (;;) {
      Result<bool> more = engine_->FireDue();
      if (!more.ok()) return more.status();
      if (!*more) return Status::Ok();
    }
  }

  // Accepts `messages` and commits; the test fails on any error.
  void Feed(const std::vector<std::string>& messages) {
    for (const std::string& m : messages) {
      Status s = Accept(m);
      INFO(s.ToString());
      REQUIRE(s.ok());
    }
    Status s = Commit();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }
  // FireUntil(time), then Commit(); the test fails on any error.
  void Advance(const std::string& time) {
    Status s = FireUntil(time);
    if (s.ok()) s = Commit();
    INFO(s.ToString());
    REQUIRE(s.ok());
  }

  // Lookups in the store as it is now (after Reopen(): what is on disk).
  CustomerRecord* Customer(const std::string& id) {
    auto r = store_->FindCustomer(id);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  bool Processed(const std::string& id) {
    auto r = store_->IsProcessed("test", id);
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  uint64_t Timers() {
    auto r = store_->TimerCount();
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }
  std::string EarliestDue() {
    auto r = store_->EarliestTimerDue();
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return r->has_value() ? FormatRfc3339Utc(**r) : std::string();
  }

  FaultInjectingStore& store() { return *store_; }
  Engine& engine() { return *engine_; }
  LineSink& sink() { return sink_; }

 private:
  CompiledRulesPtr rules_;
  EngineOptions options_;
  Duration processed_retention_;
  TempDir dir_;
  LineSink sink_;
  std::unique_ptr<EventTimeClock> clock_;
  std::unique_ptr<FaultInjectingStore> store_;
  std::unique_ptr<Engine> engine_;
};

// One step of a script: accept a message, commit, or fire what is due by a
// time and commit (replay's --until).
struct Step {
  enum class Kind { kAccept, kCommit, kFireUntil };
  Kind kind;
  std::string text;
};
Step AcceptStep(std::string message) { return {Step::Kind::kAccept, std::move(message)}; }
Step CommitStep() { return {Step::Kind::kCommit, {}}; }
Step FireStep(std::string time) { return {Step::Kind::kFireUntil, std::move(time)}; }
// Appends a step per message and a commit.
void AddBatch(std::vector<Step>& steps, const std::vector<std::string>& messages) {
  for (const std::string& m : messages) steps.push_back(AcceptStep(m));
  steps.push_back(CommitStep());
}

Status RunStep(FaultHarness& h, const Step& step) {
  switch (step.kind) {
    case Step::Kind::kAccept:
      return h.Accept(step.text);
    case Step::Kind::kCommit:
      return h.Commit();
    case Step::Kind::kFireUntil:
      PATRON_RETURN_IF_ERROR(h.FireUntil(step.text));
      return h.Commit();
  }
  return Status::Ok();
}

// Runs steps [from, end) and stops at the first failure. `committed`: the
// index after the last step that committed successfully (where a restarted
// intake would resume: the messages after it were never acknowledged).
Status RunSteps(FaultHarness& h, const std::vector<Step>& steps, size_t from, size_t& committed) {
  committed = from;
  for (size_t i = from; i < steps.size(); ++i) {
    Status s = RunStep(h, steps[i]);
    if (!s.ok()) return s;
    if (steps[i].kind != Step::Kind::kAccept) committed = i + 1;
  }
  return Status::Ok();
}

// The lines of a run that never fails.
LineSink CleanRun(const std::string& rules, const std::vector<Step>& steps, EngineOptions options = {}) {
  FaultHarness h(rules, options);
  size_t committed = 0;
  Status s = RunSteps(h, steps, 0, committed);
  INFO(s.ToString());
  REQUIRE(s.ok());
  return h.sink();
}

bool SameStatus(const Status& a, const Status& b) {
  return a.code() == b.code() && a.message() == b.message();
}

std::string Order(const std::string& id, const std::string& time, const std::string& who,
                  const std::string& amount, const std::string& store = "s1") {
  return Ev(id, "order.completed", time,
            CustomerRef(who) + R"(,"store":")" + store + R"(","amount":)" + amount);
}

// ------------------------------------------------------------ the rule set

// First order coupon, a spend threshold, a 30-day silence, a sequence on a
// field, a keyed limit, a wait, a weekly broadcast, a holdout and a quiet
// window: between them they make the engine write every kind of state.
const std::string kRules = R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 15 valid 30 days
end

rule "vip"
  when sum(order.completed.amount) > 300
  then
    set customer.tier = "VIP"
    tag "VIP"
end

rule "wake"
  when no order.completed for 30 days
  then coupon "BACK" value 20
       message sms "miss_you"
end

rule "reassure"
  when order.placed not followed by order.accepted within 10 minutes on order_id
  then message wechat "order_reassure"
end

rule "stock"
  when stock.low
  then remind purchasing "{event.item} low"
  limit 1 per event.sku per 1 day
end

rule "second"
  when first order.completed
  wait 24 hours
  where customer.orders == 1
  then coupon "SECOND" value 10
end

rule "weekly"
  when every monday at 10:00
  where customer.orders >= 1
  then message sms "weekly"
end

rule "review"
  when review.posted
  then message app "thanks"
  holdout 50%
end

rule "late"
  when review.posted where event.rating <= 2
  then ticket "bad review {event.rating}"
  between 09:00 and 21:00
end
)";

// 2026-03-02 is a Monday. Erin orders under a phone that dave's update then
// claims too, which merges erin into dave (who joined first); carol's coupon
// redemption records a conversion; dave opts out of SMS before the broadcast
// and the wake-up, which suppresses those messages; bob's review is held out
// and his bad review's ticket waits for 09:00 local.
std::vector<Step> Script() {
  return {
      AcceptStep(Order("o1", "2026-03-01T01:00:00Z", "alice", "120")),
      AcceptStep(Order("o2", "2026-03-01T02:00:00Z", "bob", "80")),
      AcceptStep(Order("o3", "2026-03-01T03:00:00Z", "carol", "50")),
      AcceptStep(Order("o4", "2026-03-01T04:00:00Z", "dave", "60", "s2")),
      CommitStep(),
      AcceptStep(
          Ev("p1", "order.placed", "2026-03-01T05:00:00Z", CustomerRef("alice") + R"(,"order_id":"A1")")),
      AcceptStep(
          Ev("p2", "order.placed", "2026-03-01T05:01:00Z", CustomerRef("bob") + R"(,"order_id":"B1")")),
      AcceptStep(Ev("a1", "order.accepted", "2026-03-01T05:05:00Z", R"("order_id":"A1")")),
      AcceptStep(Ev("s1", "stock.low", "2026-03-01T06:00:00Z", R"("store":"s1","sku":"fish","item":"fish")")),
      AcceptStep(Ev("s2", "stock.low", "2026-03-01T07:00:00Z", R"("store":"s1","sku":"fish","item":"fish")")),
      AcceptStep("not json"),
      CommitStep(),
      AcceptStep(Order("o5", "2026-03-01T08:00:00Z", "alice", "200")),
      AcceptStep(Ev("o7", "order.completed", "2026-03-01T09:00:00Z",
                    R"("customer":{"id":"erin","phone":"13800000005"},"store":"s2","amount":30)")),
      AcceptStep(Ev("u1", "customer.updated", "2026-03-01T10:00:00Z",
                    R"("customer":{"id":"dave","phone":"13800000005"},"name":"Dave")")),
      AcceptStep(Ev("r1", "review.posted", "2026-03-01T14:00:00Z", CustomerRef("bob") + R"(,"rating":1)")),
      AcceptStep(
          Ev("x1", "coupon.redeemed", "2026-03-01T15:00:00Z", CustomerRef("carol") + R"(,"code":"WELCOME")")),
      AcceptStep(Ev("q1", "customer.opted_out", "2026-03-01T16:00:00Z",
                    CustomerRef("dave") + R"(,"channel":"sms")")),
      CommitStep(),
      FireStep("2026-03-02T03:00:00Z"),  // seconds, the ticket at 09:00 local, the weekly broadcast
      AcceptStep(Order("o6", "2026-03-05T00:00:00Z", "bob", "300")),
      CommitStep(),
      FireStep("2026-04-10T00:00:00Z"),  // wake-ups, more broadcasts
  };
}

EngineOptions SliceOfOne() {
  EngineOptions o;
  o.broadcast_slice = 1;  // a cursor write and a commit per customer
  return o;
}

}  // namespace

TEST_CASE("store failure: the script's clean run produces what the rules say", "[store_failure]") {
  // The reference the other tests compare with; checked here so that a
  // broken reference cannot make them pass vacuously.
  LineSink clean = CleanRun(kRules, Script(), SliceOfOne());
  auto count = [&](const std::string& needle) {
    size_t n = 0;
    for (const std::string& line : clean.actions) n += line.find(needle) != std::string::npos;
    return n;
  };
  CHECK(count(R"("rule":"welcome")") == 5);   // erin's too, before her merge into dave
  CHECK(count(R"("rule":"vip")") == 4);       // alice at o5, bob at o6: set and tag each
  CHECK(count(R"("rule":"reassure")") == 1);  // B1 never accepted
  CHECK(count(R"("rule":"stock")") == 1);     // the second within a day is limited
  CHECK(count(R"("rule":"second")") ==
        2);                               // bob, carol: alice ordered again, dave and erin merged (2 orders)
  CHECK(count(R"("rule":"late")") == 1);  // deferred to 09:00 local
  CHECK(count(R"("rule":"weekly")") == 18);  // 6 Mondays, alice, bob, carol: dave opted out of SMS
  CHECK(count(R"("rule":"wake")") == 7);     // coupon and SMS each, but dave's SMS
  CHECK(count(R"("rule":"review")") == 0);   // bob is held out (bucket 63723 < 500000)
  CHECK(clean.actions.size() == 39);

  CHECK(clean.dead_letters.size() == 1);
}

TEST_CASE("store failure: a failed Commit publishes nothing of its batch and writes nothing of it",
          "[store_failure]") {
  const std::string rules = R"(
rule "welcome" when first order.completed then coupon "WELCOME" value 15 valid 30 days end
rule "wake" when no order.completed for 30 days then coupon "BACK" value 20 end
rule "big" when order.completed where event.amount >= 100 then tag "big" end
)";
  const std::vector<std::string> batch1 = {Order("o1", "2026-03-01T01:00:00Z", "alice", "50")};
  const std::vector<std::string> batch2 = {
      Order("o2", "2026-03-01T02:00:00Z", "bob", "150"), Order("o3", "2026-03-01T03:00:00Z", "alice", "120"),
      "{\"bad\":",  // a dead letter in the failed batch
  };
  const std::string until = "2026-05-01T00:00:00Z";

  // The reference: the same messages, nothing failing.
  std::vector<Step> steps;
  AddBatch(steps, batch1);
  AddBatch(steps, batch2);
  steps.push_back(FireStep(until));
  LineSink clean = CleanRun(rules, steps);
  REQUIRE(clean.actions.size() == 6);  // 2 welcome, 2 big, 2 wake
  REQUIRE(clean.dead_letters.size() == 1);

  FaultHarness h(rules);
  h.Feed(batch1);
  const Lines after_batch1 = h.sink().actions;
  REQUIRE(after_batch1.size() == 1);

  for (const auto& m : batch2) REQUIRE(h.Accept(m).ok());
  const Status injected = Status::Io("injected: commit");
  h.store().FailNext(StoreOp::kCommit, injected);
  Status committed = h.engine().Commit();
  CHECK(SameStatus(committed, injected));
  CHECK(h.store().failed_op() == StoreOp::kCommit);
  CHECK(h.store().calls_after_failure() == 0);
  // The sink saw nothing of the failed batch: no action, no dead letter.
  CHECK(h.sink().actions == after_batch1);
  CHECK(h.sink().dead_letters.empty());

  // On disk: batch 1 only.
  h.Reopen();
  CHECK(h.Customer("bob") == nullptr);
  CustomerRecord* alice = h.Customer("alice");
  REQUIRE(alice != nullptr);
  CHECK(alice->profile.orders == 1);
  CHECK(alice->profile.spent == Decimal::FromInt(50));
  CHECK(alice->profile.tags.empty());
  CHECK(h.Processed("o1"));
  CHECK_FALSE(h.Processed("o2"));
  CHECK_FALSE(h.Processed("o3"));
  CHECK(h.Timers() == 1);  // alice's silence from o1, not the re-armed one nor bob's
  CHECK(h.EarliestDue() == "2026-03-31T01:00:00Z");

  // The intake delivers the unacknowledged messages again.
  h.Feed(batch2);
  h.Advance(until);
  CHECK(h.sink().actions == clean.actions);
  CHECK(h.sink().dead_letters == clean.dead_letters);
}

TEST_CASE(
    "store failure: a PutTimer failing in Accept loses the open batch, which then arms once and fires once",
    "[store_failure]") {
  const std::string rules = R"(
rule "welcome" when first order.completed then coupon "WELCOME" value 15 end
rule "wake" when no order.completed for 30 days then coupon "BACK" value 20 end
rule "thanks" when review.posted then message app "thanks" end
)";
  const std::vector<std::string> batch = {
      Ev("r1", "review.posted", "2026-03-01T00:30:00Z", CustomerRef("alice")),
      Order("o1", "2026-03-01T01:00:00Z", "alice", "50"),  // welcome runs, then the silence is armed
  };
  std::vector<Step> steps;
  AddBatch(steps, batch);
  steps.push_back(FireStep("2026-03-31T00:59:59Z"));
  steps.push_back(FireStep("2026-03-31T01:00:00Z"));
  steps.push_back(FireStep("2026-06-01T00:00:00Z"));
  LineSink clean = CleanRun(rules, steps);
  REQUIRE(clean.actions.size() == 3);  // thanks, welcome, wake

  FaultHarness h(rules);
  REQUIRE(h.Accept(batch[0]).ok());
  const Status injected = Status::Io("injected: timer");
  h.store().FailNext(StoreOp::kPutTimer, injected);
  Status accepted = h.Accept(batch[1]);
  CHECK(SameStatus(accepted, injected));
  CHECK(h.store().failed_op() == StoreOp::kPutTimer);
  CHECK(h.store().calls_after_failure() == 0);
  CHECK(h.sink().actions.empty());  // thanks and welcome were only in the open batch

  h.Reopen();
  CHECK(h.Customer("alice") == nullptr);
  CHECK_FALSE(h.Processed("r1"));
  CHECK_FALSE(h.Processed("o1"));
  CHECK(h.Timers() == 0);

  h.Feed(batch);
  CHECK(h.engine().stats().timers_armed == 1);
  CHECK(h.Timers() == 1);
  CHECK(h.EarliestDue() == "2026-03-31T01:00:00Z");
  h.Advance("2026-03-31T00:59:59Z");
  CHECK(h.sink().actions.size() == 2);
  h.Advance("2026-03-31T01:00:00Z");
  h.Advance("2026-06-01T00:00:00Z");
  CHECK(h.engine().stats().timers_fired == 1);
  CHECK(h.Timers() == 0);
  CHECK(h.sink().actions == clean.actions);
}

TEST_CASE(
    "store failure: a write failing in FireDue publishes none of the firings, which happen once after "
    "reopening",
    "[store_failure]") {
  const std::string rules = R"(
rule "wake" when no order.completed for 30 days then coupon "BACK" value 20 message sms "miss_you" end
)";
  const std::vector<std::string> orders = {
      Order("o1", "2026-03-01T01:00:00Z", "alice", "50"),
      Order("o2", "2026-03-02T01:00:00Z", "bob", "50"),
  };
  const std::string until = "2026-04-02T00:00:00Z";  // both deadlines (03-31, 04-01) are due by then
  std::vector<Step> steps;
  AddBatch(steps, orders);
  steps.push_back(FireStep(until));
  steps.push_back(FireStep("2026-07-01T00:00:00Z"));
  LineSink clean = CleanRun(rules, steps);
  REQUIRE(clean.actions.size() == 4);

  struct Fault {
    const char* what;
    StoreOp op;
    uint64_t nth;
  };
  // Alice's timer is removed and fired first; the failure comes with bob's
  // timer (its DeleteTimer), or after both (the commit).
  const Fault faults[] = {
      {"the second timer's DeleteTimer", StoreOp::kDeleteTimer, 2},
      {"the first timer's DeleteTimer", StoreOp::kDeleteTimer, 1},
      {"the commit after the firings", StoreOp::kCommit, 1},
  };
  for (const Fault& fault : faults) {
    SECTION(fault.what) {
      FaultHarness h(rules);
      h.Feed(orders);
      REQUIRE(h.sink().actions.empty());

      const Status injected = Status::Io(std::string("injected: ") + fault.what);
      h.store().FailNth(fault.op, fault.nth, injected);
      Status fired = h.FireUntil(until);
      if (fault.op == StoreOp::kCommit) {
        REQUIRE(fired.ok());
        fired = h.Commit();
      }
      CHECK(SameStatus(fired, injected));
      CHECK(h.store().calls_after_failure() == 0);
      CHECK(h.sink().actions.empty());

      h.Reopen();
      CHECK(h.Timers() == 2);
      CHECK(h.EarliestDue() == "2026-03-31T01:00:00Z");
      REQUIRE(h.Customer("alice") != nullptr);
      const RuleState* state = h.Customer("alice")->FindState(StableHash({"rule", "wake"}));
      REQUIRE(state != nullptr);
      CHECK(state->timer.has_value());  // still armed, not yet fired

      h.Advance(until);
      h.Advance("2026-07-01T00:00:00Z");
      CHECK(h.engine().stats().timers_fired == 2);
      CHECK(h.Timers() == 0);
      CHECK(h.sink().actions == clean.actions);
    }
  }
}

TEST_CASE(
    "store failure: a broadcast slice that fails keeps the slices committed before it, and goes on after "
    "them",
    "[store_failure]") {
  const std::string rules = R"(
rule "weekly" when every monday at 10:00 then message sms "weekly" end
)";
  const std::vector<std::string> members = {
      Ev("m1", "member.registered", "2026-03-01T01:00:00Z", CustomerRef("alice")),
      Ev("m2", "member.registered", "2026-03-01T02:00:00Z", CustomerRef("bob")),
      Ev("m3", "member.registered", "2026-03-01T03:00:00Z", CustomerRef("carol")),
  };
  const std::string until = "2026-03-02T02:00:00Z";  // Monday 10:00 local
  std::vector<Step> steps;
  AddBatch(steps, members);
  steps.push_back(FireStep(until));
  steps.push_back(FireStep("2026-03-09T01:59:59Z"));
  LineSink clean = CleanRun(rules, steps, SliceOfOne());
  REQUIRE(clean.actions.size() == 3);

  FaultHarness h(rules, SliceOfOne());
  h.Feed(members);
  // Slice 1 visits alice and saves the cursor (PutTimer 1); slice 2 commits
  // slice 1 (publishing alice's message), visits bob, and fails to save its cursor.
  const Status injected = Status::Io("injected: cursor");
  h.store().FailNth(StoreOp::kPutTimer, 2, injected);
  Status fired = h.FireUntil(until);
  CHECK(SameStatus(fired, injected));
  CHECK(h.store().calls_after_failure() == 0);
  REQUIRE(h.sink().actions.size() == 1);
  CHECK(h.sink().actions[0] == clean.actions[0]);

  h.Reopen();
  h.Advance(until);
  h.Advance("2026-03-09T01:59:59Z");
  CHECK(h.sink().actions == clean.actions);
  CHECK(h.EarliestDue() == "2026-03-09T02:00:00Z");  // the next Monday, armed once
  CHECK(h.Timers() == 1);
}

TEST_CASE(
    "store failure: whichever store call fails, a restart from the last commit gives the clean run's actions",
    "[store_failure][sweep]") {
  // leveldb-style exhaustive injection: the k-th write (or the k-th call of
  // any kind that can fail, reads included) of the script fails, for every
  // k. At the failure the engine returns the injected Status, makes no
  // further store call that could fail, and the sink holds a prefix of the
  // clean run's actions (nothing the clean run would not publish, in the
  // same order); the harness reopens the directory and runs the steps after
  // the last successful commit again (an intake redelivering what it never
  // saw acknowledged). In the end the sink holds exactly the clean run's
  // actions and dead letters.
  //
  // The store keeps processed ids for one day here, so that o6 (four days
  // on) prunes the first day's ids in its commit: pruning is part of the
  // batch like every other write. The clean run keeps them seven days; with
  // no redelivery in the script, the retention changes no action.
  const std::vector<Step> steps = Script();
  const LineSink clean = CleanRun(kRules, steps, SliceOfOne());
  constexpr Duration kRetention = kMicrosPerDay;
  uint64_t total_writes = 0, total_calls = 0;
  {
    FaultHarness h(kRules, SliceOfOne(), kRetention);
    size_t committed = 0;
    REQUIRE(RunSteps(h, steps, 0, committed).ok());
    total_writes = h.store().writes();
    total_calls = h.store().fallible_calls();
    CHECK(h.store().base().processed_ids().pruned > 0);
    CHECK(h.sink().actions == clean.actions);
  }
  REQUIRE(total_writes > 50);

  const bool writes = GENERATE(true, false);
  const uint64_t total = writes ? total_writes : total_calls;
  std::set<StoreOp> failed_ops;
  for (uint64_t k = 1; k <= total; ++k) {
    INFO((writes ? "write " : "call ") << k << " of " << total << " fails");
    FaultHarness h(kRules, SliceOfOne(), kRetention);
    const Status injected = Status::Io("injected at " + std::to_string(k));
    if (writes)
      h.store().FailNthWrite(k, injected);
    else
      h.store().FailNthCall(k, injected);
    size_t committed = 0;
    Status s = RunSteps(h, steps, 0, committed);
    REQUIRE(h.store().failed());
    INFO("failed in " << StoreOpName(h.store().failed_op()) << " at step " << committed << " or later");
    failed_ops.insert(h.store().failed_op());
    CHECK(SameStatus(s, injected));
    CHECK(h.store().calls_after_failure() == 0);
    const Lines& seen = h.sink().actions;
    REQUIRE(seen.size() <= clean.actions.size());
    CHECK(Lines(clean.actions.begin(), clean.actions.begin() + static_cast<std::ptrdiff_t>(seen.size())) ==
          seen);

    h.Reopen();
    size_t done = 0;
    Status resumed = RunSteps(h, steps, committed, done);
    INFO(resumed.ToString());
    REQUIRE(resumed.ok());
    CHECK(h.sink().actions == clean.actions);
    CHECK(h.sink().dead_letters == clean.dead_letters);
  }
  // The script makes the engine write (and read) every kind of state.
  std::set<StoreOp> expected = {StoreOp::kCreateCustomer, StoreOp::kEraseCustomer, StoreOp::kPutIdentity,
                                StoreOp::kMarkProcessed,  StoreOp::kPutKeyedState, StoreOp::kDeleteKeyedState,
                                StoreOp::kRecordOutcome,  StoreOp::kPutTimer,      StoreOp::kDeleteTimer,
                                StoreOp::kCommit};
  if (!writes) {
    expected.insert({StoreOp::kFindCustomer, StoreOp::kFindIdentity, StoreOp::kIsProcessed,
                     StoreOp::kFindKeyedState, StoreOp::kNextDueTimer, StoreOp::kListCustomerIds});
  }
  for (StoreOp op : expected) {
    INFO(StoreOpName(op));
    CHECK(failed_ops.count(op) == 1);
  }
}

TEST_CASE("store failure: LMDB itself failing a commit (map full) publishes and writes nothing of the batch",
          "[store_failure]") {
  // No injection: a real LMDB environment whose map may not grow enough for
  // the batch (MDB_MAP_FULL at max_map_size).
  const std::string rules = R"(
rule "welcome" when first order.completed then coupon "WELCOME" value 15 end
)";
  auto compiled = CompileText(rules);
  TempDir dir;
  LineSink sink;
  {
    LmdbStoreOptions small;
    small.sync_on_commit = false;
    small.initial_map_size = size_t{256} << 10;
    small.max_map_size = size_t{512} << 10;
    auto store = LmdbStateStore::Open(dir.str(), small);
    INFO(store.status().ToString());
    REQUIRE(store.ok());
    EventTimeClock clock;
    Engine engine(*compiled, **store, sink, clock);
    REQUIRE(engine.Accept(Order("o0", "2026-03-01T00:00:00Z", "first", "10")).ok());
    REQUIRE(engine.Commit().ok());
    REQUIRE(sink.actions.size() == 1);
    const std::string long_name(4000, 'x');
    for (int i = 0; i < 400; ++i) {
      const std::string who = "c" + std::to_string(i);
      REQUIRE(engine
                  .Accept(Ev("m" + std::to_string(i), "member.registered", "2026-03-01T01:00:00Z",
                             CustomerRef(who) + R"(,"name":")" + long_name + "\""))
                  .ok());
      REQUIRE(engine.Accept(Order("o" + std::to_string(i + 1), "2026-03-01T02:00:00Z", who, "10")).ok());
    }
    Status committed = engine.Commit();
    INFO(committed.ToString());
    CHECK_FALSE(committed.ok());
    CHECK(sink.actions.size() == 1);
    // The store refuses every later call with that error.
    CHECK(SameStatus((*store)->Commit(), committed));
  }
  auto reopened = LmdbStateStore::Open(dir.str());
  INFO(reopened.status().ToString());
  REQUIRE(reopened.ok());
  auto first = (*reopened)->FindCustomer("first");
  REQUIRE(first.ok());
  CHECK(*first != nullptr);
  for (const char* id : {"c0", "c199", "c399"}) {
    auto c = (*reopened)->FindCustomer(id);
    REQUIRE(c.ok());
    CHECK(*c == nullptr);
  }
  auto processed = (*reopened)->IsProcessed("test", "m0");
  REQUIRE(processed.ok());
  CHECK_FALSE(*processed);
}

}  // namespace patron::testing
