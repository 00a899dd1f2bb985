#pragma once
// The OutboxWriter of `patron run` (engine/outbox_writer.hpp): renders each
// action as its CloudEvents JSON (actions/action_json.hpp) into a row for
// "<prefix>.actions.<kind>.<store or _>", plus, for a webhook action whose
// endpoint is configured, a second row for the HTTP POST; each dead letter
// into a row for "<prefix>.dead" whose id is a stable hash of what was
// rejected (a redelivered bad message gives the same id). A row whose
// payload would be above `max_payload` (the server's limit: it would refuse
// it) is replaced, before the commit, by a dead letter saying so and
// carrying the start of the payload, so a refused publish never happens
// and nothing is lost silently. Committed rows go to `on_committed`.
// Engine thread only.

#include <cstddef>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "actions/outbox_row.hpp"
#include "engine/outbox_writer.hpp"

namespace spdlog {
class logger;
}

namespace patron {

struct OutboxEncoderOptions {
  std::string subject_prefix = "patron";
  // Webhook endpoint names that are configured (others: logged once, not
  // POSTed; the NATS copy still goes).
  std::set<std::string, std::less<>> webhook_endpoints;
  // The largest payload the server takes (its max_payload), less room for
  // headers. 0: no limit.
  size_t max_payload = 0;
  // Receives the committed rows (moved out of the vector).
  std::function<void(std::vector<OutboxRow>&)> on_committed;
  std::shared_ptr<spdlog::logger> logger;  // null: silent
};

class OutboxEncoder final : public OutboxWriter {
 public:
  explicit OutboxEncoder(OutboxEncoderOptions options);

  Status EncodeAction(const Action& action, std::vector<std::string>& rows) override;
  Status EncodeDead(const DeadLetter& dead, std::vector<std::string>& rows) override;
  void Committed(std::vector<OutboxRow>& rows) override;

  // The server's limit, when a new connection tells another one.
  void set_max_payload(size_t max_payload) { options_.max_payload = max_payload; }

  // Actions replaced by a dead letter because they were too large.
  uint64_t oversized() const { return oversized_; }

 private:
  // Appends the row of (target, id, address, payload_), or, when the
  // payload is too large, the row of a dead letter saying so.
  void AppendRow(OutboxTarget target, std::string_view id, std::string_view address,
                 std::vector<std::string>& rows);

  OutboxEncoderOptions options_;
  std::string dead_subject_;
  std::string payload_;  // reused
  uint64_t oversized_ = 0;
  std::set<std::string, std::less<>> unconfigured_;  // endpoints already logged as not configured
};

}  // namespace patron
