#include "stores/customer_codec.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>

#include <boost/json/parse.hpp>

#include "stores/outcome_codec.hpp"

namespace patron {
namespace {

CustomerRecord FullRecord() {
  CustomerRecord r;
  CustomerProfile& p = r.profile;
  p.id = "c-0123456789abcdef";
  p.name = "韩梅梅";
  p.phone = "13800138000";
  p.gender = "f";
  p.birthday = *ParseDate("1990-05-01");
  p.tier = "gold";
  p.points = Decimal::FromMicros(-12'500'000);
  p.tags = {"vip", "no-marketing", ""};
  p.orders = 12;
  p.spent = *Decimal::Parse("1234.56");
  p.first_order_at = *ParseRfc3339("2025-01-02T03:04:05Z");
  p.last_order_at = *ParseRfc3339("2026-03-01T12:34:56.5+08:00");
  p.joined_at = *ParseRfc3339("2024-12-31T23:59:59Z");
  p.registered = true;
  p.last_seen_at = *ParseRfc3339("2026-03-02T00:00:00Z");
  p.store = "s012";
  p.owner = "staff-7";
  p.attrs = boost::json::parse(R"({"vip_since":"2025-06-01","kids":2,"nested":{"a":[1,2.5,null,true]}})")
                .as_object();
  p.store_orders = {{"s012", 8, *ParseRfc3339("2026-03-01T04:34:56Z")}, {"s001", 4, -5}};
  p.opted_out = kOptOutSms | kOptOutAll;
  r.identities = {{IdentityKind::kPhone, "13800138000"},
                  {IdentityKind::kOpenid, "oAbc"},
                  {IdentityKind::kMemberNo, "M-1"}};
  RuleState& a = r.StateOf(UINT64_MAX);
  a.seen_first = true;
  a.count = 3;
  a.sum = *Decimal::Parse("500");
  a.min = *Decimal::Parse("-166.66");
  a.max = *Decimal::Parse("166.67");
  a.firings = {100, 5'000'000'000, 5'000'000'001};
  a.timer = TimerKey{-1'000, UINT64_MAX};
  a.armed = INT64_MIN;
  a.open = {{5, 1}, {-7, 2}, {INT64_MAX, 0}};
  a.window = {
      {INT64_MIN, *Decimal::Parse("-0.5")}, {0, Decimal()}, {1'700'000'000'000'000, Decimal::FromInt(12)}};
  RuleState& b = r.StateOf(7);
  b.count = 1;
  b.armed = 20'000;  // a date value, without a timer
  r.coupons = {{"COMEBACK20", "Wake sleeping customers", 1'700'000'000'000'000, false},
               {"WELCOME", "Welcome", 1'600'000'000'000'000, true}};
  return r;
}

void CheckSame(const CustomerRecord& a, const CustomerRecord& b) {
  const CustomerProfile& p = a.profile;
  const CustomerProfile& q = b.profile;
  CHECK(p.id == q.id);
  CHECK(p.name == q.name);
  CHECK(p.phone == q.phone);
  CHECK(p.gender == q.gender);
  CHECK(p.birthday == q.birthday);
  CHECK(p.tier == q.tier);
  CHECK(p.points == q.points);
  CHECK(p.tags == q.tags);
  CHECK(p.orders == q.orders);
  CHECK(p.spent == q.spent);
  CHECK(p.first_order_at == q.first_order_at);
  CHECK(p.last_order_at == q.last_order_at);
  CHECK(p.joined_at == q.joined_at);
  CHECK(p.registered == q.registered);
  CHECK(p.last_seen_at == q.last_seen_at);
  CHECK(p.store == q.store);
  CHECK(p.owner == q.owner);
  CHECK(p.attrs == q.attrs);
  REQUIRE(p.store_orders.size() == q.store_orders.size());
  for (size_t i = 0; i < p.store_orders.size(); ++i) {
    CHECK(p.store_orders[i].store == q.store_orders[i].store);
    CHECK(p.store_orders[i].orders == q.store_orders[i].orders);
    CHECK(p.store_orders[i].last_order_at == q.store_orders[i].last_order_at);
  }
  CHECK(p.opted_out == q.opted_out);
  CHECK(a.identities == b.identities);
  REQUIRE(a.rules.size() == b.rules.size());
  for (size_t i = 0; i < a.rules.size(); ++i) {
    CHECK(a.rules[i].rule_key == b.rules[i].rule_key);
    CHECK(a.rules[i].seen_first == b.rules[i].seen_first);
    CHECK(a.rules[i].count == b.rules[i].count);
    CHECK(a.rules[i].sum == b.rules[i].sum);
    CHECK(a.rules[i].min == b.rules[i].min);
    CHECK(a.rules[i].max == b.rules[i].max);
    CHECK(a.rules[i].firings == b.rules[i].firings);
    CHECK(a.rules[i].timer == b.rules[i].timer);
    CHECK(a.rules[i].armed == b.rules[i].armed);
    CHECK(a.rules[i].open == b.rules[i].open);
    CHECK(a.rules[i].window == b.rules[i].window);
  }
  REQUIRE(a.coupons.size() == b.coupons.size());
  for (size_t i = 0; i < a.coupons.size(); ++i) {
    CHECK(a.coupons[i].code == b.coupons[i].code);
    CHECK(a.coupons[i].rule == b.coupons[i].rule);
    CHECK(a.coupons[i].issued_at == b.coupons[i].issued_at);
    CHECK(a.coupons[i].redeemed == b.coupons[i].redeemed);
  }
}

TEST_CASE("customer codec: a full record round-trips") {
  CustomerRecord original = FullRecord();
  std::string bytes = EncodeCustomer(original);
  CHECK(static_cast<uint8_t>(bytes[0]) == kCustomerCodecVersion);
  CustomerRecord decoded;
  REQUIRE(DecodeCustomer(bytes, decoded).ok());
  CheckSame(original, decoded);
  CHECK(EncodeCustomer(decoded) == bytes);
}

TEST_CASE("customer codec: an empty record round-trips and is small") {
  CustomerRecord original;
  original.profile.id = "c-1";
  std::string bytes = EncodeCustomer(original);
  CHECK(bytes.size() < 32);
  CustomerRecord decoded = FullRecord();  // every member must be overwritten
  REQUIRE(DecodeCustomer(bytes, decoded).ok());
  CheckSame(original, decoded);
}

TEST_CASE("customer codec: every truncation and trailing bytes are Corruption") {
  std::string bytes = EncodeCustomer(FullRecord());
  for (size_t n = 0; n < bytes.size(); ++n) {
    CustomerRecord out;
    Status st = DecodeCustomer(std::string_view(bytes).substr(0, n), out);
    INFO("prefix of " << n << " bytes");
    CHECK(st.code() == StatusCode::kCorruption);
  }
  CustomerRecord out;
  CHECK(DecodeCustomer(bytes + "x", out).code() == StatusCode::kCorruption);
  std::string wrong_version = bytes;
  wrong_version[0] = kCustomerCodecVersion + 1;
  CHECK(DecodeCustomer(wrong_version, out).code() == StatusCode::kCorruption);
  wrong_version[0] = 0;
  CHECK(DecodeCustomer(wrong_version, out).code() == StatusCode::kCorruption);
}

TEST_CASE("customer codec: random garbage and bit flips never crash") {
  std::mt19937_64 rng(12345);
  std::string bytes = EncodeCustomer(FullRecord());
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input = bytes;
      for (int flips = 0; flips < 1 + i % 4; ++flips)
        input[rng() % input.size()] ^= static_cast<char>(1 << (rng() % 8));
    } else {
      input.resize(rng() % 64);
      for (char& c : input) c = static_cast<char>(rng());
      if (!input.empty()) input[0] = static_cast<char>(kCustomerCodecVersion);
    }
    CustomerRecord out;
    if (DecodeCustomer(input, out).ok()) {
      ++accepted;
      // Whatever decodes re-encodes to bytes that decode to the same thing.
      CustomerRecord again;
      REQUIRE(DecodeCustomer(EncodeCustomer(out), again).ok());
      CHECK(EncodeCustomer(again) == EncodeCustomer(out));
    }
  }
  CHECK(accepted < 20000);
}

TEST_CASE("customer codec: a version 1 record (before time-driven state) still decodes") {
  // Written by the version 1 encoder: customer "c-1" with 2 orders and the
  // state of rule 300 (first seen, count 3, sum 5, max 4, firings 1000 and 1500).
  const std::string v1(
      "\x01\x03\x63\x2d\x31\x00\x00\x00\x00\x07\x72\x65\x67\x75\x6c\x61\x72\x00\x00\x04\x00\x00"
      "\x00\x00\x00\x00\x00\x01\xac\x02\x05\x06\x80\xad\xe2\x04\x80\xa4\xe8\x03\x02\xd0\x0f\xe8\x07\x00",
      46);
  CustomerRecord out = FullRecord();  // the time-driven members must be cleared
  REQUIRE(DecodeCustomer(v1, out).ok());
  CHECK(out.profile.id == "c-1");
  CHECK(out.profile.tier == "regular");
  CHECK(out.profile.orders == 2);
  CHECK(out.identities.empty());
  CHECK(out.coupons.empty());
  REQUIRE(out.rules.size() == 1);
  const RuleState& s = out.rules[0];
  CHECK(s.rule_key == 300);
  CHECK(s.seen_first);
  CHECK(s.count == 3);
  CHECK(s.sum == Decimal::FromInt(5));
  CHECK_FALSE(s.min.has_value());
  CHECK(s.max == Decimal::FromInt(4));
  CHECK(s.firings == std::vector<TimePoint>{1000, 1500});
  CHECK_FALSE(s.timer.has_value());
  CHECK_FALSE(s.armed.has_value());
  CHECK(s.open.empty());
  CHECK(s.window.empty());
  // Written again, it is a current-version record with the same contents.
  std::string now = EncodeCustomer(out);
  CHECK(static_cast<uint8_t>(now[0]) == kCustomerCodecVersion);
  CustomerRecord again;
  REQUIRE(DecodeCustomer(now, again).ok());
  CheckSame(out, again);
  // A version 1 state cannot carry the new presence bits.
  std::string bad_flags = v1;
  bad_flags[30] = static_cast<char>(0x01 | 0x08);  // the rule's flags byte: seen first + timer
  CHECK(DecodeCustomer(bad_flags, out).code() == StatusCode::kCorruption);
}

TEST_CASE("customer codec: a huge declared count is rejected without allocating") {
  std::string bytes;
  bytes.push_back(static_cast<char>(kCustomerCodecVersion));
  bytes.push_back(0);                               // id ""
  bytes.push_back(0);                               // name
  bytes.push_back(0);                               // phone
  bytes.push_back(0);                               // gender
  bytes.push_back(0);                               // flags
  bytes.push_back(0);                               // tier ""
  bytes.push_back(0);                               // points
  bytes += "\xff\xff\xff\xff\xff\xff\xff\xff\x7f";  // tags: 2^63-1 of them
  CustomerRecord out;
  CHECK(DecodeCustomer(bytes, out).code() == StatusCode::kCorruption);
}

TEST_CASE("customer codec: unsorted rule states are Corruption") {
  CustomerRecord r;
  r.rules.resize(2);
  r.rules[0].rule_key = 9;
  r.rules[1].rule_key = 3;
  CustomerRecord out;
  CHECK(DecodeCustomer(EncodeCustomer(r), out).code() == StatusCode::kCorruption);
}

TEST_CASE("rule state codec: round trip and truncation") {
  RuleState s;
  s.rule_key = 0x8000000000000001ULL;
  s.seen_first = true;
  s.count = -1;
  s.sum = *Decimal::Parse("0.000001");
  s.max = Decimal::FromInt(3);
  s.firings = {-10, 0, 10};
  std::string bytes = EncodeRuleState(s);
  RuleState out;
  REQUIRE(DecodeRuleState(bytes, out).ok());
  CHECK(out.rule_key == s.rule_key);
  CHECK(out.seen_first);
  CHECK(out.count == -1);
  CHECK(out.sum == s.sum);
  CHECK_FALSE(out.min.has_value());
  CHECK(out.max == s.max);
  CHECK(out.firings == s.firings);
  for (size_t n = 0; n < bytes.size(); ++n)
    CHECK(DecodeRuleState(std::string_view(bytes).substr(0, n), out).code() == StatusCode::kCorruption);
  CHECK(DecodeRuleState(bytes + '\0', out).code() == StatusCode::kCorruption);
}

TEST_CASE("rule state codec: time-driven members round-trip") {
  RuleState s;
  s.rule_key = 11;
  s.timer = TimerKey{-86'400'000'000, 42};
  s.armed = 1'767'225'600'000'000;
  s.open = {{100, 7}, {100, 8}, {50, 9}};  // any order survives (deltas are signed)
  s.window = {{10, *Decimal::Parse("9.99")}, {20, Decimal::FromInt(-1)}};
  std::string bytes = EncodeRuleState(s);
  CHECK(static_cast<uint8_t>(bytes[0]) == kCustomerCodecVersion);
  RuleState out;
  out.firings = {1};  // overwritten
  REQUIRE(DecodeRuleState(bytes, out).ok());
  CHECK(out.rule_key == 11);
  CHECK(out.firings.empty());
  CHECK(out.timer == s.timer);
  CHECK(out.armed == s.armed);
  CHECK(out.open == s.open);
  CHECK(out.window == s.window);
  for (size_t n = 0; n < bytes.size(); ++n)
    CHECK(DecodeRuleState(std::string_view(bytes).substr(0, n), out).code() == StatusCode::kCorruption);

  // Empty members are cheap: two count bytes more than version 1.
  RuleState plain;
  plain.rule_key = 7;
  plain.count = 1;
  plain.firings = {-5};
  CHECK(EncodeRuleState(plain) == std::string("\x02\x07\x00\x02\x00\x01\x09\x00\x00", 9));
}

TEST_CASE("rule state codec: a version 1 state decodes with empty time-driven members") {
  // Written by the version 1 encoder: rule 7, count 1, firings {-5}.
  const std::string v1("\x01\x07\x00\x02\x00\x01\x09", 7);
  RuleState out;
  out.timer = TimerKey{1, 1};
  out.armed = 3;
  out.open = {{1, 1}};
  out.window = {{1, Decimal()}};
  REQUIRE(DecodeRuleState(v1, out).ok());
  CHECK(out.rule_key == 7);
  CHECK(out.count == 1);
  CHECK(out.firings == std::vector<TimePoint>{-5});
  CHECK_FALSE(out.timer.has_value());
  CHECK_FALSE(out.armed.has_value());
  CHECK(out.open.empty());
  CHECK(out.window.empty());
  // The version 2 layout read as version 1 has trailing bytes.
  std::string v2_as_v1 = EncodeRuleState(out);
  v2_as_v1[0] = 1;
  CHECK(DecodeRuleState(v2_as_v1, out).code() == StatusCode::kCorruption);
}

TEST_CASE("outcome codec: round trip and kind names") {
  Outcome o;
  o.kind = OutcomeKind::kSuppressed;
  o.rule = "Wake";
  o.customer_id = "c-1";
  o.time = 1'700'000'000'000'000;
  o.cause = "e-1";
  o.detail = "opted out of sms";
  std::string bytes = EncodeOutcome(o);
  Outcome out;
  REQUIRE(DecodeOutcome(bytes, out).ok());
  CHECK(out.kind == OutcomeKind::kSuppressed);
  CHECK(out.rule == "Wake");
  CHECK(out.customer_id == "c-1");
  CHECK(out.time == o.time);
  CHECK(out.cause == "e-1");
  CHECK(out.detail == "opted out of sms");
  for (size_t n = 0; n < bytes.size(); ++n) CHECK_FALSE(DecodeOutcome(bytes.substr(0, n), out).ok());
  CHECK(OutcomeKindName(OutcomeKind::kSkippedLimit) == "skipped_limit");
  CHECK(OutcomeKindFromName("held_out") == OutcomeKind::kHeldOut);
  CHECK_FALSE(OutcomeKindFromName("nope").has_value());
}

TEST_CASE("customer record: StateOf keeps rules sorted and FindState finds them") {
  CustomerRecord r;
  r.StateOf(30).count = 3;
  r.StateOf(10).count = 1;
  r.StateOf(20).count = 2;
  r.StateOf(10).count += 10;
  REQUIRE(r.rules.size() == 3);
  CHECK(r.rules[0].rule_key == 10);
  CHECK(r.rules[1].rule_key == 20);
  CHECK(r.rules[2].rule_key == 30);
  CHECK(r.FindState(10)->count == 11);
  CHECK(r.FindState(25) == nullptr);
  CHECK(r.FindState(31) == nullptr);
}

}  // namespace
}  // namespace patron
