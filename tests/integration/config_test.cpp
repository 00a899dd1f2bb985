// cli/config.hpp: the TOML configuration of `patron`, its defaults, its
// errors, and the example file shipped in examples/restaurant.

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "cli/config.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::cli {
namespace {

TEST_CASE("config: an empty file keeps every documented default", "[config]") {
  auto config = ParseConfigText("", "empty.toml");
  REQUIRE(config.ok());
  CHECK(config->nats_url == "nats://127.0.0.1:4222");
  CHECK(config->subject_prefix == "patron");
  CHECK(config->rules.empty());
  CHECK(config->data_dir.empty());
  CHECK(config->timezone == "Asia/Shanghai");
  CHECK(config->batch_size == 4096);
  CHECK(config->batch_interval_ms == 10);
  CHECK(config->mask_staff_phones);
  CHECK(config->webhooks.empty());
  CHECK(config->log_format == "text");
  CHECK(config->log_level == "info");
}

TEST_CASE("config: every section and key is read", "[config]") {
  const char* text = R"(
[nats]
url = "nats://10.0.0.5:4333"
subject_prefix = "acme.patron"
[engine]
rules = "rules"
data = "/var/lib/patron"
timezone = "Europe/Paris"
batch_size = 128
batch_interval_ms = 25
mask_staff_phones = false
[webhooks]
crm = "http://127.0.0.1:8080/hook"
erp = "http://erp.example/patron"
[log]
format = "json"
level = "debug"
)";
  auto config = ParseConfigText(text, "full.toml", {}, "/etc/patron");
  REQUIRE(config.ok());
  CHECK(config->nats_url == "nats://10.0.0.5:4333");
  CHECK(config->subject_prefix == "acme.patron");
  CHECK(config->rules == std::vector<std::string>{"/etc/patron/rules"});
  CHECK(config->data_dir == "/var/lib/patron");  // absolute: kept
  CHECK(config->timezone == "Europe/Paris");
  CHECK(config->batch_size == 128);
  CHECK(config->batch_interval_ms == 25);
  CHECK_FALSE(config->mask_staff_phones);
  CHECK(config->webhooks == std::map<std::string, std::string>{{"crm", "http://127.0.0.1:8080/hook"},
                                                               {"erp", "http://erp.example/patron"}});
  CHECK(config->log_format == "json");
  CHECK(config->log_level == "debug");
}

TEST_CASE("config: rules may be a list, settings absent from the text keep the base", "[config]") {
  Config base;
  base.nats_url = "nats://base:1";
  base.batch_size = 7;
  auto config =
      ParseConfigText("[engine]\nrules = [\"a.rules\", \"/abs/b.rules\"]\n", "list.toml", base, "/cfg");
  REQUIRE(config.ok());
  CHECK(config->rules == std::vector<std::string>{"/cfg/a.rules", "/abs/b.rules"});
  CHECK(config->nats_url == "nats://base:1");
  CHECK(config->batch_size == 7);
}

TEST_CASE("config: mistakes are reported with file, line and column", "[config]") {
  struct Case {
    const char* text;
    const char* message;
  };
  const Case cases[] = {
      {"[nats]\nurl = \"nats://x:1\"\nsubjet_prefix = \"p\"\n",
       "bad.toml:3:1: unknown setting 'nats.subjet_prefix'"},
      {"[engin]\nbatch_size = 1\n", "bad.toml:1:2: unknown section 'engin'"},
      {"[engine]\nbatch_size = \"big\"\n", "bad.toml:2:14: engine.batch_size must be an integer"},
      {"[engine]\nbatch_size = 0\n", "bad.toml:2:14: engine.batch_size must be between 1 and 1000000, not 0"},
      {"[engine]\nmask_staff_phones = 1\n", "bad.toml:2:21: engine.mask_staff_phones must be true or false"},
      {"[webhooks]\ncrm = 5\n", "bad.toml:2:7: webhooks.crm must be a URL string"},
      {"[log]\nformat = \"xml\"\n", "bad.toml: log format must be 'text' or 'json', not 'xml'"},
      {"[nats]\nsubject_prefix = \"a.*\"\n", "bad.toml: subject prefix 'a.*' is not a NATS subject"},
      {"[nats]\nurl = \"http://x\"\n", "bad.toml: NATS URL must start with nats:// or tls://"},
      {"[webhooks]\ncrm = \"https://x\"\n", "bad.toml: webhook 'crm' must be an http:// URL"},
  };
  for (const Case& c : cases) {
    INFO(c.text);
    auto config = ParseConfigText(c.text, "bad.toml");
    REQUIRE_FALSE(config.ok());
    CHECK(config.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(config.status().message(), Catch::StartsWith(c.message));
  }
}

TEST_CASE("config: the intake limits are read from [engine], flags' ranges checked", "[config][door]") {
  auto config = ParseConfigText(R"([engine]
max_event_bytes = 2048
max_json_depth = 16
max_identifier_bytes = 64
max_future_skew_hours = 1
earliest_event_time = "2020-01-01T00:00:00+08:00"
max_dead_message_bytes = 1024
max_text_bytes = 200
)",
                                "limits.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  const IntakeLimits& l = config->limits;
  CHECK(l.max_event_bytes == 2048);
  CHECK(l.max_json_depth == 16);
  CHECK(l.max_identifier_bytes == 64);
  CHECK(l.max_future_skew == kMicrosPerHour);
  CHECK(FormatRfc3339Utc(l.earliest_event_time) == "2019-12-31T16:00:00Z");
  CHECK(l.max_dead_message_bytes == 1024);
  CHECK(l.max_text_bytes == 200);
  CHECK(l.time_reference == INT64_MIN);
  // The defaults when absent.
  auto empty = ParseConfigText("", "empty.toml");
  REQUIRE(empty.ok());
  CHECK(empty->limits.max_event_bytes == size_t{1} << 20);
  CHECK(FormatRfc3339Utc(empty->limits.earliest_event_time) == "2000-01-01T00:00:00Z");
  auto small = ParseConfigText("[engine]\nmax_text_bytes = 3\n", "bad.toml");
  REQUIRE_FALSE(small.ok());
  CHECK_THAT(small.status().message(),
             Catch::StartsWith("bad.toml:2:18: engine.max_text_bytes must be between 16 and 1048576, not 3"));
  auto bad_time = ParseConfigText("[engine]\nearliest_event_time = \"2000\"\n", "bad.toml");
  REQUIRE_FALSE(bad_time.ok());
  CHECK_THAT(bad_time.status().message(), Catch::Contains("earliest_event_time '2000' is not an RFC 3339 time"));
}

TEST_CASE("config: a TOML syntax error names its position", "[config]") {
  auto config = ParseConfigText("[nats]\nurl = nats://x\n", "syntax.toml");
  REQUIRE_FALSE(config.ok());
  CHECK_THAT(config.status().message(), Catch::StartsWith("syntax.toml:2:"));
}

TEST_CASE("config: files resolve relative paths against their directory", "[config]") {
  testing::TempDir dir;
  std::filesystem::create_directories(dir.path() / "conf");
  std::ofstream(dir.path() / "conf" / "patron.toml") << "[engine]\nrules = \"../rules\"\ndata = \"state\"\n";
  auto config = LoadConfigFile((dir.path() / "conf" / "patron.toml").string());
  REQUIRE(config.ok());
  CHECK(config->rules == std::vector<std::string>{(dir.path() / "rules").string()});
  CHECK(config->data_dir == (dir.path() / "conf" / "state").string());

  auto missing = LoadConfigFile((dir.path() / "nope.toml").string());
  REQUIRE_FALSE(missing.ok());
  CHECK(missing.status().code() == StatusCode::kIoError);
}

TEST_CASE("config: the example configuration parses", "[config]") {
  auto config = LoadConfigFile(PATRON_SOURCE_DIR "/examples/restaurant/patron.toml");
  INFO(config.status().ToString());
  REQUIRE(config.ok());
  CHECK(config->subject_prefix == "patron");
  CHECK(config->timezone == "Asia/Shanghai");
  CHECK(config->rules == std::vector<std::string>{PATRON_SOURCE_DIR "/examples/restaurant"});
}

TEST_CASE("config: engine.processed_retention is a duration of at least 1s, 7d by default", "[config]") {
  CHECK(ParseConfigText("", "empty.toml")->processed_retention == 7 * kMicrosPerDay);
  auto config = ParseConfigText("[engine]\nprocessed_retention = \"36h\"\n", "r.toml");
  REQUIRE(config.ok());
  CHECK(config->processed_retention == 36 * kMicrosPerHour);
  const std::pair<const char*, const char*> bad[] = {
      {"[engine]\nprocessed_retention = 7\n",
       "r.toml:2:23: engine.processed_retention must be a duration such as"},
      {"[engine]\nprocessed_retention = \"7 days\"\n",
       "r.toml:2:23: engine.processed_retention: '7 days' is not a duration"},
      {"[engine]\nprocessed_retention = \"500ms\"\n", "r.toml:2:23: engine.processed_retention must be between 1s and 3660d"},
  };
  for (const auto& [text, message] : bad) {
    INFO(text);
    auto refused = ParseConfigText(text, "r.toml");
    REQUIRE_FALSE(refused.ok());
    CHECK_THAT(refused.status().message(), Catch::StartsWith(message));
  }
}

}  // namespace
}  // namespace patron::cli
