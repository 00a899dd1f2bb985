// cli/config.hpp's [jetstream] section: defaults, every key, durations, and
// the mistakes it refuses.

#include <catch2/catch.hpp>

#include "cli/config.hpp"

namespace patron::cli {
namespace {

using namespace std::chrono_literals;

void CheckSame(const JetStreamConfig& got, const JetStreamConfig& want) {
  CHECK(got.events_stream == want.events_stream);
  CHECK(got.actions_stream == want.actions_stream);
  CHECK(got.consumer == want.consumer);
  CHECK(got.max_ack_pending == want.max_ack_pending);
  CHECK(got.ack_wait == want.ack_wait);
  CHECK(got.max_deliver == want.max_deliver);
  CHECK(got.backoff == want.backoff);
  CHECK(got.duplicate_window == want.duplicate_window);
  CHECK(got.max_age == want.max_age);
  CHECK(got.max_bytes == want.max_bytes);
  CHECK(got.intake == want.intake);
}

TEST_CASE("config: [jetstream] defaults, every key, durations", "[config]") {
  auto defaults = ParseConfigText("", "empty.toml");
  REQUIRE(defaults.ok());
  CheckSame(defaults->jetstream, {"PATRON_EVENTS", "PATRON_ACTIONS", "patron", 20'000, 30s, 10, {}, 2min,
                                  std::chrono::hours(24 * 7), -1, "push"});

  auto config = ParseConfigText(R"(
[jetstream]
events_stream = "EV"
actions_stream = "AC"
consumer = "engine1"
max_ack_pending = 50000
ack_wait = "45s"
max_deliver = 5
backoff = ["1s", "10s", "1m"]
duplicate_window = "5m"
max_age = "24h"
max_bytes = 1073741824
intake = "pull"
)",
                                "js.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CheckSame(config->jetstream, {"EV", "AC", "engine1", 50'000, 45s, 5, {1s, 10s, 1min}, 5min, 24h,
                                1'073'741'824, "pull"});

  CHECK(ParseDuration("250ms") == 250ms);
  CHECK(ParseDuration("7d") == std::chrono::hours(24 * 7));
  CHECK(ParseDuration("0") == 0ms);
  CHECK(ParseDuration("5") == std::nullopt);
  CHECK(ParseDuration("1.5s") == std::nullopt);
  CHECK(ParseDuration("s") == std::nullopt);
}

TEST_CASE("config: [jetstream] mistakes are refused with the setting named", "[config]") {
  struct Case {
    const char* text;
    const char* expected;
  };
  const Case cases[] = {
      {"[jetstream]\nintake = \"poll\"\n", "intake must be 'push' or 'pull'"},
      {"[jetstream]\nack_wait = 30\n", "jetstream.ack_wait must be a duration"},
      {"[jetstream]\nack_wait = \"30 seconds\"\n", "jetstream.ack_wait must be a duration"},
      {"[jetstream]\nbackoff = [\"1s\", \"x\"]\n", "jetstream.backoff must be a list of durations"},
      {"[jetstream]\nmax_deliver = 2\nbackoff = [\"1s\", \"2s\"]\n", "fewer entries than max_deliver"},
      {"[jetstream]\nmax_deliver = 0\n", "max_deliver must be -1 (unlimited) or at least 1"},
      {"[jetstream]\nconsumer = \"a.b\"\n", "JetStream name 'a.b'"},
      {"[jetstream]\nstream = \"X\"\n", "unknown setting 'jetstream.stream'"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto config = ParseConfigText(c.text, "bad.toml");
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(config.status().message(), Catch::Contains(c.expected));
  }
}

}  // namespace
}  // namespace patron::cli
