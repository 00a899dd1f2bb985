// The durable outbox (engine/outbox_writer.hpp) over real LMDB: with an
// OutboxWriter (the real one of `patron run`, actions/OutboxEncoder), every
// action and dead letter becomes a row of the commit that made it, with the
// bytes the sink would have sent; rows stay listed as unsent until marked,
// then are tombstones until pruned; a given-up row leaves a dead letter.

#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "actions/action_json.hpp"
#include "actions/outbox_encoder.hpp"
#include "actions/outbox_row.hpp"
#include "tests/engine/engine_fixture.hpp"

namespace patron {
namespace {

using testing::Ev;
using testing::Harness;
using testing::Phone;

constexpr const char* kRules = R"(
rule "welcome"
  when first order.completed
  then coupon "WELCOME" value 10
end
rule "bad review"
  when review.posted where event.rating <= 2
  then ticket "bad review" priority high
end
)";

std::vector<std::string> Messages() {
  return {Ev("o1", "order.completed", "2026-03-01T10:00:00Z", Phone("13800000001") + R"(,"amount":50)"),
          Ev("r1", "review.posted", "2026-03-01T10:05:00Z", Phone("13800000001") + R"(,"rating":1)"),
          "this is not JSON",
          Ev("o2", "order.completed", "2026-03-01T10:10:00Z", Phone("13800000002") + R"(,"amount":70)")};
}

// Collects what the encoder hands on after each commit.
struct Committed {
  std::vector<OutboxRow> rows;
  std::vector<size_t> per_commit;
};

OutboxEncoderOptions EncoderInto(Committed& c) {
  OutboxEncoderOptions o;
  o.on_committed = [&c](std::vector<OutboxRow>& rows) {
    c.per_commit.push_back(rows.size());
    for (OutboxRow& r : rows) c.rows.push_back(std::move(r));
  };
  return o;
}

OutboxMessage Decode(const std::string& bytes) {
  OutboxMessage m;
  REQUIRE(DecodeOutboxRow(bytes, m));
  return m;
}

TEST_CASE("durable outbox: each action and dead letter is a row of its commit, with the sink's bytes", "[outbox]") {
  // The same messages through the sink (replay's path), for the bytes expected.
  Harness direct(kRules);
  for (const std::string& m : Messages()) direct.Send(m);
  std::vector<std::string> expected;
  for (const Action& a : direct.sink().actions) AppendActionJson(expected.emplace_back(), a);

  Committed committed;
  OutboxEncoder encoder(EncoderInto(committed));
  EngineOptions options;
  options.outbox_writer = &encoder;
  Harness durable(kRules, options);
  for (const std::string& m : Messages()) durable.Send(m);
  CHECK(durable.sink().actions.empty());  // nothing bypasses the outbox
  CHECK(durable.sink().dead_letters.empty());
  CHECK(committed.per_commit == std::vector<size_t>{1, 1, 1, 1});

  REQUIRE(committed.rows.size() == 4);
  std::vector<std::string> actions;
  for (size_t i = 0; i < committed.rows.size(); ++i) {
    CHECK(committed.rows[i].seq == i + 1);
    OutboxMessage m = Decode(committed.rows[i].bytes);
    if (m.address == "patron.dead") {
      CHECK(i == 2);
      CHECK(m.id.rfind("dead-", 0) == 0);
      CHECK(m.payload.find("this is not JSON") != std::string::npos);
    } else {
      actions.push_back(m.payload);
    }
  }
  CHECK(actions == expected);
  CHECK(Decode(committed.rows[0].bytes).address == "patron.actions.coupon._");
  CHECK(Decode(committed.rows[0].bytes).id == direct.sink().actions[0].id);
  CHECK(durable.engine().stats().outbox_rows == 4);
  CHECK(durable.engine().stats().actions == 3);
}

TEST_CASE("durable outbox: unsent rows survive a restart and sent ones are tombstones until pruned", "[outbox]") {
  Committed committed;
  OutboxEncoder encoder(EncoderInto(committed));
  EngineOptions options;
  options.outbox_writer = &encoder;
  options.outbox_tombstone_ttl = 10 * kMicrosPerMinute;
  Harness h(kRules, options);
  for (const std::string& m : Messages()) h.Send(m);
  h.Open();  // a restart: nothing was marked sent

  std::vector<OutboxRow> to_send;
  REQUIRE(h.engine().ListOutboxToSend(0, 100, INT64_MAX, to_send).ok());
  REQUIRE(to_send.size() == 4);
  for (size_t i = 0; i < 4; ++i) CHECK(to_send[i].bytes == committed.rows[i].bytes);
  // Pages: `after` and `max`.
  REQUIRE(h.engine().ListOutboxToSend(2, 1, INT64_MAX, to_send).ok());
  REQUIRE(to_send.size() == 1);
  CHECK(to_send[0].seq == 3);

  const std::vector<uint64_t> first_three = {1, 2, 3};
  REQUIRE(h.engine().MarkOutboxSent(first_three).ok());
  h.Commit();
  h.Open();
  REQUIRE(h.engine().ListOutboxToSend(0, 100, INT64_MAX, to_send).ok());
  REQUIRE(to_send.size() == 1);
  CHECK(to_send[0].seq == 4);
  // --republish-since: the tombstones since a time come back too, same bytes.
  REQUIRE(h.engine().ListOutboxToSend(0, 100, 0, to_send).ok());
  CHECK(to_send.size() == 4);

  // An event 20 minutes later: its commit prunes the tombstones (older than
  // the 10 minutes), not the unsent row.
  h.Send(Ev("o3", "order.completed", "2026-03-01T10:40:00Z", Phone("13800000003") + R"(,"amount":20)"));
  CHECK(h.engine().stats().outbox_pruned == 3);
  std::vector<OutboxRow> all;
  REQUIRE(h.store().ListOutbox(0, 100, all).ok());
  REQUIRE(all.size() == 2);
  CHECK(all[0].seq == 4);
  CHECK(all[0].sent_at == 0);
  CHECK(all[1].seq == 5);
}

TEST_CASE("durable outbox: a row given up is marked sent and leaves a dead letter saying why", "[outbox]") {
  Committed committed;
  OutboxEncoder encoder(EncoderInto(committed));
  EngineOptions options;
  options.outbox_writer = &encoder;
  Harness h(kRules, options);
  h.Send(Messages()[0]);
  REQUIRE(committed.rows.size() == 1);
  const std::string payload = Decode(committed.rows[0].bytes).payload;
  REQUIRE(h.engine().GiveUpOutboxRow(1, payload, "webhook 'crm' failed after 5 attempts: HTTP 500", "crm").ok());
  h.Commit();
  CHECK(h.engine().stats().undeliverable == 1);
  REQUIRE(committed.rows.size() == 2);
  OutboxMessage dead = Decode(committed.rows[1].bytes);
  CHECK(dead.address == "patron.dead");
  CHECK(dead.payload.find("HTTP 500") != std::string::npos);
  CHECK(dead.payload.find("WELCOME") != std::string::npos);  // what it was
  std::vector<OutboxRow> to_send;
  REQUIRE(h.engine().ListOutboxToSend(0, 100, INT64_MAX, to_send).ok());
  REQUIRE(to_send.size() == 1);  // only the dead letter is left to send
  CHECK(to_send[0].seq == 2);
}

TEST_CASE("outbox encoder: a webhook row per configured endpoint and a payload over the limit becomes a dead letter",
          "[outbox]") {
  Committed committed;
  OutboxEncoderOptions o = EncoderInto(committed);
  o.webhook_endpoints = {"crm"};
  o.max_payload = 900;
  OutboxEncoder encoder(std::move(o));
  Action webhook;
  webhook.id = "a1";
  webhook.kind = ActionKind::kWebhook;
  webhook.rule = "r";
  webhook.endpoint = "crm";
  std::vector<std::string> rows;
  REQUIRE(encoder.EncodeAction(webhook, rows).ok());
  REQUIRE(rows.size() == 2);
  CHECK(Decode(rows[0]).target == OutboxTarget::kNats);
  CHECK(Decode(rows[1]).target == OutboxTarget::kWebhook);
  CHECK(Decode(rows[1]).address == "crm");
  CHECK(Decode(rows[1]).id == "a1");
  webhook.endpoint = "elsewhere";  // not configured: NATS only
  rows.clear();
  REQUIRE(encoder.EncodeAction(webhook, rows).ok());
  CHECK(rows.size() == 1);

  Action ticket;
  ticket.id = "a2";
  ticket.kind = ActionKind::kTicket;
  ticket.rule = "r";
  ticket.title = std::string(2000, 'x');
  rows.clear();
  REQUIRE(encoder.EncodeAction(ticket, rows).ok());
  REQUIRE(rows.size() == 1);
  OutboxMessage m = Decode(rows[0]);
  CHECK(m.address == "patron.dead");
  CHECK(m.payload.size() <= 900);
  CHECK(m.payload.find("above the server's max payload of 900") != std::string::npos);
  CHECK(encoder.oversized() == 1);
}

}  // namespace
}  // namespace patron
