// The equality hash and range index choose exactly the rules whose where
// holds: W3-style cells (store, channel, amount band) and W1-style
// thresholds, checked event by event against expectations computed here in
// integer cents, boundaries and odd values included.
#include <random>

#include "tests/engine/engine_fixture.hpp"

namespace patron::testing {
namespace {

const char* kChannels[] = {"dine_in", "takeaway", "delivery"};

std::string Cents(int64_t cents) {
  std::string s = std::to_string(cents / 100);
  int64_t frac = cents % 100;
  if (frac != 0) s += (frac < 10 ? ".0" : ".") + std::to_string(frac);
  return s;
}

}  // namespace

TEST_CASE("W3 cells: each order fires exactly the rule of its cell", "[index]") {
  const int kStores = 4, kBands = 10;
  auto edge = [&](int b) { return 1000 + 49000 * b / kBands; };  // cents
  std::string text;
  for (int s = 0; s < kStores; ++s)
    for (int c = 0; c < 3; ++c)
      for (int b = 0; b < kBands; ++b) {
        int k = (s * 3 + c) * kBands + b;
        text += "rule \"k" + std::to_string(k) + "\" when order.completed where event.store == \"s" +
                std::to_string(s) + "\" and event.channel == \"" + kChannels[c] + "\" and event.amount " +
                (b == 0 ? ">=" : ">") + " " + Cents(edge(b)) + " and event.amount <= " + Cents(edge(b + 1)) +
                " then coupon \"K" + std::to_string(k) + "\" end\n";
      }
  Harness h(text);
  GraphStats stats = h.rules().Stats();
  CHECK(stats.indexed_rules == static_cast<size_t>(kStores * 3 * kBands));
  CHECK(stats.buckets == static_cast<size_t>(kStores * 3));
  CHECK(stats.range_indexes == static_cast<size_t>(kStores * 3));

  std::mt19937 rng(7);
  std::vector<std::string> expected;
  for (int i = 0; i < 600; ++i) {
    int s = static_cast<int>(rng() % (kStores + 1));  // s4 has no rules
    int c = static_cast<int>(rng() % 3);
    int64_t cents;
    switch (i % 4) {
      case 0: cents = edge(static_cast<int>(rng() % (kBands + 1))); break;  // exactly on an edge
      case 1: cents = 1000 + rng() % 49001; break;
      case 2: cents = 500 + rng() % 50000; break;  // below and above every band too
      default: cents = edge(static_cast<int>(rng() % kBands)) + 1; break;
    }
    std::string data = Phone("138" + std::to_string(10000000 + i)) + R"(,"store":"s)" + std::to_string(s) +
                       R"(","channel":")" + kChannels[c] + R"(","amount":)" + Cents(cents);
    h.Queue(Ev("e" + std::to_string(i), "order.completed", "2026-03-01T10:00:00Z", data));
    if (s < kStores) {
      for (int b = 0; b < kBands; ++b) {
        bool lo = b == 0 ? cents >= edge(b) : cents > edge(b);
        if (lo && cents <= edge(b + 1)) expected.push_back("K" + std::to_string((s * 3 + c) * kBands + b));
      }
    }
  }
  // Odd values: a string amount, no amount, a numeric store: no rule fires.
  h.Queue(Ev("x1", "order.completed", "2026-03-01T10:00:00Z", R"("store":"s1","channel":"dine_in","amount":"50")"));
  h.Queue(Ev("x2", "order.completed", "2026-03-01T10:00:00Z", R"("store":"s1","channel":"dine_in")"));
  h.Queue(Ev("x3", "order.completed", "2026-03-01T10:00:00Z", R"("store":1,"channel":"dine_in","amount":50)"));
  h.Commit();
  std::vector<std::string> fired;
  for (const Action& a : h.ActionsOf()) fired.push_back(a.code);
  CHECK(fired == expected);
}

TEST_CASE("W1 thresholds: every rule of the store whose threshold is passed, in rule order", "[index]") {
  const int kRules = 200;
  auto threshold = [](int k) { return 50 + (k * 7919 + 13) % 401; };
  std::string text;
  for (int k = 0; k < kRules; ++k)
    text += "rule \"r" + std::to_string(k) + "\" when order.completed where event.store == \"s" +
            std::to_string(k % 5) + "\" and event.amount > " + std::to_string(threshold(k)) +
            " then coupon \"C" + std::to_string(k) + "\" end\n";
  text += "rule \"bad_review\" when review.posted where event.rating <= 2 then ticket \"bad review\" priority high end\n";
  Harness h(text);
  std::mt19937 rng(11);
  std::vector<std::string> expected;
  for (int i = 0; i < 300; ++i) {
    int s = static_cast<int>(rng() % 5);
    int64_t cents = (i % 3 == 0) ? threshold(static_cast<int>(rng() % kRules)) * 100  // exactly a threshold
                                 : 1000 + rng() % 49001;
    h.Queue(Ev("o" + std::to_string(i), "order.completed", "2026-03-01T10:00:00Z",
               R"("store":"s)" + std::to_string(s) + R"(","amount":)" + Cents(cents)));
    for (int k = 0; k < kRules; ++k)
      if (k % 5 == s && cents > threshold(k) * 100) expected.push_back("C" + std::to_string(k));
    int rating = 1 + i % 5;
    h.Queue(Ev("v" + std::to_string(i), "review.posted", "2026-03-01T10:00:00Z",
               R"("rating":)" + std::to_string(rating)));
    if (rating <= 2) expected.push_back("bad review");
  }
  h.Commit();
  std::vector<std::string> fired;
  for (const Action& a : h.ActionsOf()) fired.push_back(a.kind == ActionKind::kTicket ? a.title : a.code);
  CHECK(fired == expected);
}

TEST_CASE("contradictory and one-sided bounds", "[index]") {
  Harness h(R"(
rule "never" when t where event.x > 10 and event.x < 5 then coupon "NEVER" end
rule "point" when t where event.x >= 7 and event.x <= 7 then coupon "POINT" end
rule "open" when t where event.x > 7 and event.x < 8 then coupon "OPEN" end
rule "twice" when t where event.x > 1 and event.x > 3 and event.k == "a" and event.k == "b" then coupon "AB" end
rule "neg" when t where event.x < -2 then coupon "NEG" end
)");
  auto fire = [&](const std::string& id, const std::string& data) {
    size_t before = h.sink().actions.size();
    h.Send(Ev(id, "t", "2026-03-01T10:00:00Z", data));
    std::string codes;
    for (size_t i = before; i < h.sink().actions.size(); ++i) codes += h.sink().actions[i].code + " ";
    return codes;
  };
  CHECK(fire("1", R"("x":7)") == "POINT ");
  CHECK(fire("2", R"("x":7.5)") == "OPEN ");
  CHECK(fire("3", R"("x":8)") == "");
  CHECK(fire("4", R"("x":-2.5)") == "NEG ");
  CHECK(fire("5", R"("x":-2)") == "");
  CHECK(fire("6", R"("x":4,"k":"a")") == "");  // k cannot be both
  CHECK(fire("7", R"("x":"7")") == "");
}

}  // namespace patron::testing
