#include <catch2/catch.hpp>

#include "base/url_secrets.hpp"

using namespace patron;

TEST_CASE("URL passwords and tokens are redacted, the rest is kept") {
  CHECK(RedactUrl("nats://127.0.0.1:4222") == "nats://127.0.0.1:4222");
  CHECK(RedactUrl("nats://ann:s3cret@127.0.0.1:4222") == "nats://ann:***@127.0.0.1:4222");
  CHECK(RedactUrl("tls://ann:p@ss@host") == "tls://ann:***@host");  // '@' inside a password
  CHECK(RedactUrl("nats://mytoken@host:4222") == "nats://***@host:4222");
  CHECK(RedactUrl("nats://ann:pw@a:1,nats://b:2,nats://tok@c:3") == "nats://ann:***@a:1,nats://b:2,nats://***@c:3");
  CHECK(RedactUrl("--nats=nats://u:p@h") == "--nats=nats://u:***@h");
  CHECK(RedactUrl("http://host/path@x") == "http://host/path@x");  // '@' after the authority
  CHECK(RedactUrl("nats://ann:@host") == "nats://ann:@host");      // nothing to hide
  CHECK(RedactUrl("no url here") == "no url here");
}

TEST_CASE("secret spans point at the secret's bytes") {
  const std::string text = "nats://ann:pw@h,nats://tok@g";
  auto spans = FindUrlSecrets(text);
  REQUIRE(spans.size() == 2);
  CHECK(text.substr(spans[0].begin, spans[0].size) == "pw");
  CHECK(text.substr(spans[1].begin, spans[1].size) == "tok");
}
