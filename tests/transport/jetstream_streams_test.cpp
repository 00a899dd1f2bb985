// transport/jetstream_streams: the events and actions streams and the
// durable consumer against a real nats-server with JetStream on disk:
// created when missing, and existing ones with other settings used as they
// are, each difference logged.
#include <catch2/catch.hpp>

#include "tests/transport/jetstream_fixture.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;
using testing::JetStreamFixture;

}  // namespace

TEST_CASE("EnsureStream creates a missing stream, then finds it with no differences", "[jetstream]") {
  JetStreamFixture f;
  testing::CapturedLog log;
  const StreamSettings wanted = EventsStreamSettings("patron");
  auto first = EnsureStream(*f.conn, wanted, {5s, log.logger});
  INFO(first.status().ToString());
  REQUIRE(first.ok());
  CHECK(first->created);
  CHECK(first->effective.name == "PATRON_EVENTS");
  CHECK(first->effective.subjects == std::vector<std::string>{"patron.events.>"});
  CHECK(first->effective.max_age == std::chrono::hours(24 * 7));
  CHECK(first->effective.duplicate_window == 2min);
  CHECK(first->effective.file_storage);
  CHECK(first->max_payload == 1024 * 1024);  // nats-server's default
  CHECK(log.Text().find("created stream PATRON_EVENTS") != std::string::npos);

  auto again = EnsureStream(*f.conn, wanted, {5s, log.logger});
  REQUIRE(again.ok());
  CHECK_FALSE(again->created);
  CHECK(again->differences.empty());

  auto actions = EnsureStream(*f.conn, ActionsStreamSettings("patron"));
  REQUIRE(actions.ok());
  CHECK(actions->effective.subjects == std::vector<std::string>{"patron.actions.>", "patron.dead"});
}

TEST_CASE("an existing stream with other settings is used as it is, each difference logged", "[jetstream]") {
  JetStreamFixture f;
  StreamSettings theirs = EventsStreamSettings("patron");
  theirs.max_age = 24h;
  theirs.max_bytes = 1 << 20;
  theirs.duplicate_window = 30s;
  REQUIRE(EnsureStream(*f.conn, theirs).ok());

  testing::CapturedLog log;
  auto report = EnsureStream(*f.conn, EventsStreamSettings("patron"), {5s, log.logger});
  INFO(report.status().ToString());
  REQUIRE(report.ok());
  CHECK_FALSE(report->created);
  CHECK(report->effective.max_age == 24h);
  CHECK(report->effective.duplicate_window == 30s);
  CHECK(report->differences == std::vector<std::string>{
                                   "stream PATRON_EVENTS: max_age is 24h, configured 7d; using the stream's",
                                   "stream PATRON_EVENTS: max_bytes is 1048576, configured unlimited; using the stream's",
                                   "stream PATRON_EVENTS: duplicate_window is 30s, configured 2m; using the stream's"});
  const std::string logged = log.Text();
  for (const auto& line : report->differences) {
    INFO(logged);
    CHECK(logged.find(line) != std::string::npos);
  }
}

TEST_CASE("EnsureConsumer creates the durable consumer, and uses an existing one as it is", "[jetstream]") {
  JetStreamFixture f;
  REQUIRE(EnsureStream(*f.conn, EventsStreamSettings("patron")).ok());
  for (IntakeMode mode : {IntakeMode::kPull, IntakeMode::kPush}) {
    ConsumerSettings wanted = EventsConsumerSettings("patron", "PATRON_EVENTS",
                                                     std::string("patron_") + IntakeModeName(mode));
    wanted.mode = mode;
    INFO(IntakeModeName(mode));
    auto created = EnsureConsumer(*f.conn, wanted);
    INFO(created.status().ToString());
    REQUIRE(created.ok());
    CHECK(created->created);
    CHECK(created->effective.mode == mode);
    CHECK(created->effective.ack_wait == 30s);
    CHECK(created->effective.max_deliver == 10);
    CHECK(created->effective.max_ack_pending == 20'000);
    CHECK(created->effective.filter_subject == "patron.events.>");

    testing::CapturedLog log;
    ConsumerSettings other = wanted;
    other.ack_wait = 5s;
    other.max_deliver = 3;
    other.mode = mode == IntakeMode::kPush ? IntakeMode::kPull : IntakeMode::kPush;
    auto found = EnsureConsumer(*f.conn, other, {5s, log.logger});
    REQUIRE(found.ok());
    CHECK_FALSE(found->created);
    CHECK(found->effective.ack_wait == 30s);
    CHECK(found->effective.mode == mode);
    const std::string name = "consumer PATRON_EVENTS > " + wanted.durable + ": ";
    REQUIRE(found->differences.size() == 3);
    CHECK(found->differences[0] == name + "mode is " + IntakeModeName(mode) + ", configured " +
                                       IntakeModeName(other.mode) + "; using the consumer's");
    CHECK(found->differences[1] == name + "ack_wait is 30s, configured 5s; using the consumer's");
    CHECK(found->differences[2] == name + "max_deliver is 10, configured 3; using the consumer's");
    CHECK(log.Text().find(found->differences[1]) != std::string::npos);
  }
}

TEST_CASE("EnsureConsumer on a missing stream is kNotFound", "[jetstream]") {
  JetStreamFixture f;
  auto c = EnsureConsumer(*f.conn, EventsConsumerSettings("patron", "NO_SUCH_STREAM"));
  REQUIRE_FALSE(c.ok());
  CHECK(c.status().code() == StatusCode::kNotFound);
}

TEST_CASE("EnsureStream without JetStream on the server fails with the reason", "[jetstream]") {
  testing::NatsServer server;
  testing::RequireStarted(server);
  NatsConnection conn = testing::RequireConnect(server.url());
  auto s = EnsureStream(conn, EventsStreamSettings("patron"), {2s, nullptr});
  REQUIRE_FALSE(s.ok());
  CHECK(s.status().code() != StatusCode::kNotFound);
}

}  // namespace patron
