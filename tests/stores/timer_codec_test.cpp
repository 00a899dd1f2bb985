#include "stores/timer_codec.hpp"

#include <catch2/catch.hpp>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace patron {
namespace {

TimerRecord FullTimer() {
  TimerRecord t;
  t.key = TimerKey{1'767'225'600'000'000, 17};
  t.kind = TimerKind::kDeferred;
  t.rule_key = 0xfedcba9876543210ULL;
  t.customer_id = "c-0123456789abcdef";
  t.correlation = "\"ord-1\"";
  t.cause_deadline = -1;
  StoredEvent e;
  e.source = "pos/s012";
  e.id = "e-42";
  e.type = "order.completed";
  e.time = 1'767'200'000'123'456;
  e.time_text = "2025-12-31T16:53:20.123456Z";
  e.store = "s012";
  e.data_json = R"({"customer":{"id":"c-1"},"amount":"88.50","note":"二楼"})";
  t.event = e;
  t.limit_key = "s012";
  t.fired_at = 1'767'200'000'123'456;
  return t;
}

void CheckSame(const TimerRecord& a, const TimerRecord& b) {
  CHECK(a.key == b.key);
  CHECK(a.kind == b.kind);
  CHECK(a.rule_key == b.rule_key);
  CHECK(a.customer_id == b.customer_id);
  CHECK(a.correlation == b.correlation);
  CHECK(a.cause_deadline == b.cause_deadline);
  REQUIRE(a.event.has_value() == b.event.has_value());
  if (a.event) {
    CHECK(a.event->source == b.event->source);
    CHECK(a.event->id == b.event->id);
    CHECK(a.event->type == b.event->type);
    CHECK(a.event->time == b.event->time);
    CHECK(a.event->time_text == b.event->time_text);
    CHECK(a.event->store == b.event->store);
    CHECK(a.event->data_json == b.event->data_json);
  }
  CHECK(a.limit_key == b.limit_key);
  CHECK(a.fired_at == b.fired_at);
}

TEST_CASE("timer codec: a timer with its event round-trips under the given key") {
  TimerRecord original = FullTimer();
  std::string bytes = EncodeTimer(original);
  CHECK(static_cast<uint8_t>(bytes[0]) == kTimerCodecVersion);
  TimerRecord decoded;
  REQUIRE(DecodeTimer(bytes, original.key, decoded).ok());
  CheckSame(original, decoded);
  CHECK(EncodeTimer(decoded) == bytes);
  // The key is not in the value: the same bytes decode under another key.
  REQUIRE(DecodeTimer(bytes, TimerKey{5, 6}, decoded).ok());
  CHECK(decoded.key == TimerKey{5, 6});
}

TEST_CASE("timer codec: a timer without event or deadline round-trips, overwriting everything") {
  TimerRecord original;
  original.kind = TimerKind::kAbsence;
  original.rule_key = 3;
  original.customer_id = "c-1";
  std::string bytes = EncodeTimer(original);
  // version, kind, rule key, "c-1", "", flags, "", fired_at 0
  CHECK(bytes == std::string("\x01\x00\x03\x03"
                             "c-1"
                             "\x00\x00\x00\x00",
                             11));
  TimerRecord decoded = FullTimer();
  REQUIRE(DecodeTimer(bytes, TimerKey{}, decoded).ok());
  CheckSame(original, decoded);
}

TEST_CASE("timer codec: every kind round-trips, an unknown kind, flag or version is Corruption") {
  for (TimerKind kind : {TimerKind::kAbsence, TimerKind::kSequence, TimerKind::kWait, TimerKind::kDeferred,
                         TimerKind::kDate, TimerKind::kSchedule}) {
    TimerRecord t;
    t.kind = kind;
    TimerRecord out;
    REQUIRE(DecodeTimer(EncodeTimer(t), TimerKey{}, out).ok());
    CHECK(out.kind == kind);
  }
  TimerRecord out;
  std::string bytes = EncodeTimer(TimerRecord{});
  std::string bad = bytes;
  bad[1] = 6;  // kind
  CHECK(DecodeTimer(bad, TimerKey{}, out).code() == StatusCode::kCorruption);
  bad = bytes;
  bad[5] = 4;  // flags: an unknown bit
  CHECK(DecodeTimer(bad, TimerKey{}, out).code() == StatusCode::kCorruption);
  bad = bytes;
  bad[0] = kTimerCodecVersion + 1;
  CHECK(DecodeTimer(bad, TimerKey{}, out).code() == StatusCode::kCorruption);
}

TEST_CASE("timer codec: every truncation and trailing bytes are Corruption") {
  std::string bytes = EncodeTimer(FullTimer());
  for (size_t n = 0; n < bytes.size(); ++n) {
    TimerRecord out;
    INFO("prefix of " << n << " bytes");
    CHECK(DecodeTimer(std::string_view(bytes).substr(0, n), TimerKey{}, out).code() ==
          StatusCode::kCorruption);
  }
  TimerRecord out;
  CHECK(DecodeTimer(bytes + "x", TimerKey{}, out).code() == StatusCode::kCorruption);
}

TEST_CASE("timer codec: random garbage and bit flips never crash") {
  std::mt19937_64 rng(777);
  std::string bytes = EncodeTimer(FullTimer());
  int accepted = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input;
    if (i % 2 == 0) {
      input = bytes;
      for (int flips = 0; flips < 1 + i % 4; ++flips)
        input[rng() % input.size()] ^= static_cast<char>(1 << (rng() % 8));
    } else {
      input.resize(rng() % 48);
      for (char& c : input) c = static_cast<char>(rng());
      if (!input.empty()) input[0] = static_cast<char>(kTimerCodecVersion);
    }
    TimerRecord out;
    if (DecodeTimer(input, TimerKey{1, 2}, out).ok()) {
      ++accepted;
      TimerRecord again;
      REQUIRE(DecodeTimer(EncodeTimer(out), TimerKey{1, 2}, again).ok());
      CHECK(EncodeTimer(again) == EncodeTimer(out));
    }
  }
  CHECK(accepted < 20000);
}

TEST_CASE("timer key: 16 bytes, sign bit flipped, big-endian, byte order is (due, seq) order") {
  CHECK(EncodeTimerKey(TimerKey{0, 1}) == std::string("\x80\0\0\0\0\0\0\0\0\0\0\0\0\0\0\x01", 16));
  CHECK(EncodeTimerKey(TimerKey{-1, 0}) ==
        std::string("\x7f\xff\xff\xff\xff\xff\xff\xff\0\0\0\0\0\0\0\0", 16));
  CHECK(EncodeTimerKey(TimerKey{0x0102030405060708, 0x1112131415161718ULL}) ==
        std::string("\x81\x02\x03\x04\x05\x06\x07\x08\x11\x12\x13\x14\x15\x16\x17\x18", 16));

  // Sorted by TimerKey: negative times first, ties broken by seq.
  const std::vector<TimerKey> sorted = {{INT64_MIN, 0},
                                        {INT64_MIN, UINT64_MAX},
                                        {-86'400'000'000, 3},
                                        {-1, 9},
                                        {0, 0},
                                        {0, 1},
                                        {0, 256},
                                        {1, 0},
                                        {1'767'225'600'000'000, 2},
                                        {INT64_MAX, 0},
                                        {INT64_MAX, UINT64_MAX}};
  for (size_t i = 0; i < sorted.size(); ++i) {
    TimerKey back;
    REQUIRE(DecodeTimerKey(EncodeTimerKey(sorted[i]), back).ok());
    CHECK(back == sorted[i]);
    if (i > 0) {
      INFO("keys " << i - 1 << " and " << i);
      CHECK(sorted[i - 1] < sorted[i]);
      CHECK(EncodeTimerKey(sorted[i - 1]) < EncodeTimerKey(sorted[i]));
    }
  }
  TimerKey out;
  CHECK(DecodeTimerKey(std::string(15, '\0'), out).code() == StatusCode::kCorruption);
  CHECK(DecodeTimerKey(std::string(17, '\0'), out).code() == StatusCode::kCorruption);
}

}  // namespace
}  // namespace patron
