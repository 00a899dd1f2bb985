// `patron check` and the command line itself, through the built binary.

#include <catch2/catch.hpp>

#include "tests/integration/process.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron::testing {
namespace {

const std::string kExample = PATRON_SOURCE_DIR "/examples/restaurant";

TEST_CASE("check: the restaurant example loads and is summarised on stdout", "[integration][check]") {
  Ran r = RunPatron({"check", kExample});
  INFO(r.described);
  CHECK(r.code == 0);
  // 22 rules in 17 files, segment big_spenders, and the event types
  // order.completed, review.posted, stock.low, customer.became_vip,
  // order.placed, order.accepted, ticket.opened, ticket.resolved.
  CHECK(r.out == "ok: 22 rules, 1 segment, 8 event types\n");
  CHECK(r.err.empty());
}

TEST_CASE("check: an error prints path:line:col, the line and a caret, and exits 1", "[integration][check]") {
  TempDir dir;
  const std::string path = (dir.path() / "wake.rules").string();
  WriteFile(path,
            "rule \"Wake sleeping customers\"\n"
            "  when order.completed\n"
            "  where customer.teir != \"blacklist\"\n"
            "  then tag \"x\"\n"
            "end\n");
  Ran r = RunPatron({"check", path});
  INFO(r.described);
  CHECK(r.code == 1);
  CHECK(r.out.empty());
  auto lines = Lines(r.err);
  REQUIRE(lines.size() >= 3);
  CHECK(lines[0] == path + ":3:18: error: unknown customer attribute 'teir'; did you mean 'tier'?");
  CHECK(lines[1] == "  where customer.teir != \"blacklist\"");
  CHECK(lines[2] == "                 ^~~~");
}

TEST_CASE("check: every error of every file is printed", "[integration][check]") {
  TempDir dir;
  WriteFile((dir.path() / "a.rules").string(),
            "rule \"a\"\n  when order.completed\n  then tag \"x\" tag\nend\n");
  WriteFile((dir.path() / "b.rules").string(), "rule \"b\"\n  when order.completed\n  then coupon\nend\n");
  Ran r = RunPatron({"check", dir.str()});
  INFO(r.described);
  CHECK(r.code == 1);
  // Files in name order; each error where its token is.
  size_t a = r.err.find(dir.str() + "/a.rules:4:1: error: ");
  size_t b = r.err.find(dir.str() + "/b.rules:4:1: error: ");
  CHECK(a != std::string::npos);
  CHECK(b != std::string::npos);
  CHECK(a < b);
}

TEST_CASE("check: a missing file is an error, not a crash", "[integration][check]") {
  Ran r = RunPatron({"check", "/nonexistent/rules.rules"});
  INFO(r.described);
  CHECK(r.code == 1);
  CHECK(r.err.find("/nonexistent/rules.rules") != std::string::npos);
}

TEST_CASE("command line: help everywhere, usage errors exit 2", "[integration][cli]") {
  Ran top = RunPatron({"--help"});
  CHECK(top.code == 0);
  CHECK(top.out.find("Usage: patron <command>") != std::string::npos);
  for (const char* command : {"check", "replay", "run", "publish", "subscribe", "inspect"}) {
    Ran r = RunPatron({command, "--help"});
    INFO(r.described);
    CHECK(r.code == 0);
    CHECK(r.out.find(std::string("Usage: patron ") + command) != std::string::npos);
    CHECK(r.out.find("--help") != std::string::npos);
  }
  struct Bad {
    std::vector<std::string> args;
    const char* message;
  };
  const Bad bad[] = {
      {{}, "Usage: patron <command>"},
      {{"frobnicate"}, "unknown command 'frobnicate'"},
      {{"check"}, "give at least one rule file or directory"},
      {{"replay", "--rules", kExample}, "--events is required"},
      {{"replay", "--events", "x.jsonl"}, "--rules is required"},
      {{"replay", "--rules", kExample, "--events", "x", "--until", "2026-03-01T10:00:00"},
       "is not an RFC 3339 time with an offset"},
      {{"replay", "--rules", kExample, "--events", "x", "--timezone", "Mars/Olympus"}, "unknown timezone"},
      {{"replay", "--rules", kExample, "--events", "x", "--bogus"}, "unrecognised option '--bogus'"},
      {{"run", "--rules", kExample, "--data", "/tmp/x", "--republish-since", "5 minutes"}, "--republish-since"},
      {{"run", "--core", "--data", "/tmp/x"}, "--rules is required"},
      {{"run", "--core", "--rules", kExample}, "--data is required"},
      {{"run", "--core", "--rules", kExample, "--data", "/tmp/x", "--log-format", "xml"}, "log format"},
      {{"publish"}, "--events is required"},
      {{"subscribe"}, "--subject is required"},
      {{"inspect", "--data", "/tmp/x"}, "expected: customer <phone|id>"},
      {{"inspect", "customer", "1"}, "--data is required"},
  };
  for (const Bad& b : bad) {
    Ran r = RunPatron(b.args);
    INFO(r.described);
    CHECK(r.code == 2);
    CHECK(r.err.find(b.message) != std::string::npos);
  }
}

TEST_CASE("command line: --version prints one short line", "[integration][cli]") {
  Ran r = RunPatron({"--version"});
  CHECK(r.code == 0);
  CHECK(r.out == "patron 0.1.0\n");
}

}  // namespace
}  // namespace patron::testing
