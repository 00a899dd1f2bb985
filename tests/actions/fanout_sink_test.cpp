// actions/fanout_sink: every sink gets everything; webhook actions also go
// to the webhook sink; failures are reported but do not stop the others.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "actions/action_json.hpp"
#include "actions/fanout_sink.hpp"
#include "actions/jsonl_sink.hpp"
#include "actions/webhook_sink.hpp"
#include "tests/support/http_test_server.hpp"
#include "tests/support/temp_dir.hpp"

namespace patron {
namespace {

using namespace std::chrono_literals;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::string Line(const Action& a) {
  std::string out;
  AppendActionJson(out, a);
  return out + "\n";
}

Action MakeAction(const std::string& id, ActionKind kind) {
  Action a;
  a.id = id;
  a.kind = kind;
  a.rule = "r";
  a.endpoint = "crm";
  a.tag = "t";
  return a;
}

// A sink whose every call fails: a broken transport.
class BrokenSink final : public ActionSink {
 public:
  Status Publish(const Action&) override {
    ++calls;
    return Status::Unavailable("broken");
  }
  Status PublishDead(const DeadLetter&) override {
    ++calls;
    return Status::Unavailable("broken");
  }
  Status Flush() override {
    ++calls;
    return Status::Unavailable("broken");
  }
  int calls = 0;
};

}  // namespace

TEST_CASE("FanoutSink forwards to every sink, webhooks also to the webhook sink", "[fanout]") {
  testing::TempDir dir;
  auto first = JsonlSink::Open(dir.str() + "/a.jsonl", dir.str() + "/a.dead");
  auto second = JsonlSink::Open(dir.str() + "/b.jsonl", "");
  REQUIRE((first.ok() && second.ok()));
  testing::TestHttpServer server([](size_t) { return 200; });
  WebhookSinkOptions options;
  options.endpoints = {{"crm", server.url("/h")}};
  auto webhooks = WebhookSink::Create(options);
  REQUIRE(webhooks.ok());

  FanoutSink fanout({first->get(), second->get()}, webhooks->get());
  const Action tag = MakeAction("a1", ActionKind::kTag);
  const Action hook = MakeAction("a2", ActionKind::kWebhook);
  REQUIRE(fanout.Publish(tag).ok());
  REQUIRE(fanout.Publish(hook).ok());
  DeadLetter d;
  d.message = "x";
  d.reason = "r";
  REQUIRE(fanout.PublishDead(d).ok());
  REQUIRE(fanout.Flush().ok());

  CHECK(ReadFile(dir.str() + "/a.jsonl") == Line(tag) + Line(hook));
  CHECK(ReadFile(dir.str() + "/b.jsonl") == Line(tag) + Line(hook));
  CHECK(ReadFile(dir.str() + "/a.dead") == "{\"reason\":\"r\",\"message\":\"x\",\"message_bytes\":0,\"message_hash\":\"0000000000000000\"}\n");
  CHECK((*second)->dead_letters() == 1);

  REQUIRE((*webhooks)->WaitUntilIdle(10s));
  CHECK((*webhooks)->stats().queued == 1);
  CHECK((*webhooks)->stats().delivered == 1);
  const auto requests = server.requests();
  REQUIRE(requests.size() == 1);
  CHECK(requests[0].body + "\n" == Line(hook));
}

TEST_CASE("FanoutSink reports the first failure and still reaches the others", "[fanout]") {
  testing::TempDir dir;
  auto good = JsonlSink::Open(dir.str() + "/a.jsonl", "");
  REQUIRE(good.ok());
  BrokenSink broken;
  FanoutSink fanout({&broken, good->get()});
  const Action tag = MakeAction("a1", ActionKind::kTag);
  Status s = fanout.Publish(tag);
  CHECK(s.code() == StatusCode::kUnavailable);
  CHECK(s.message() == "broken");
  CHECK(fanout.PublishDead(DeadLetter{}).code() == StatusCode::kUnavailable);
  CHECK(fanout.Flush().code() == StatusCode::kUnavailable);
  CHECK(broken.calls == 3);
  CHECK((*good)->dead_letters() == 1);
  CHECK(ReadFile(dir.str() + "/a.jsonl") == Line(tag));
}

}  // namespace patron
