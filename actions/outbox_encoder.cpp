#include "actions/outbox_encoder.hpp"

#include <algorithm>

#include <spdlog/logger.h>

#include "actions/action_json.hpp"
#include "actions/outbox_row.hpp"
#include "base/json_string.hpp"
#include "base/stable_hash.hpp"

namespace patron {

namespace {

// The id of a dead letter: the same rejected message and reason give the
// same id, so a redelivery's dead letter is dropped by the stream.
std::string DeadLetterId(const DeadLetter& dead) {
  return "dead-" + Hex64(StableHash({dead.subject, dead.reason, dead.message}));
}

}  // namespace

OutboxEncoder::OutboxEncoder(OutboxEncoderOptions options)
    : options_(std::move(options)), dead_subject_(DeadLetterSubject(options_.subject_prefix)) {}

void OutboxEncoder::AppendRow(OutboxTarget target, std::string_view id, std::string_view address,
                              std::vector<std::string>& rows) {
  OutboxMessage m;
  m.target = target;
  m.id.assign(id);
  m.address.assign(address);
  if (options_.max_payload == 0 || payload_.size() <= options_.max_payload) {
    m.payload = payload_;
  } else {
    ++oversized_;
    if (options_.logger) {
      options_.logger->error("action {} is {} bytes, above the server's max payload of {}: sent as a dead letter",
                             id, payload_.size(), options_.max_payload);
    }
    DeadLetter dead;
    dead.reason = "action " + std::string(id) + " for " + std::string(address) + " is " +
                  std::to_string(payload_.size()) + " bytes, above the server's max payload of " +
                  std::to_string(options_.max_payload) + ": not sent";
    // Its start, escaped well inside the limit (escaping may grow text 6 times).
    dead.message.assign(payload_.substr(0, JsonEscapedPrefix(payload_, options_.max_payload / 2)));
    dead.message_bytes = payload_.size();
    dead.message_hash = StableHash({payload_});
    dead.message_cut = true;
    m.target = OutboxTarget::kNats;
    m.id = DeadLetterId(dead);
    m.address = dead_subject_;
    AppendDeadLetterJson(m.payload, dead);
  }
  EncodeOutboxRow(m, rows.emplace_back());
}

Status OutboxEncoder::EncodeAction(const Action& action, std::vector<std::string>& rows) {
  payload_.clear();
  AppendActionJson(payload_, action);
  AppendRow(OutboxTarget::kNats, action.id, ActionSubject(action, options_.subject_prefix), rows);
  if (action.kind == ActionKind::kWebhook) {
    if (options_.webhook_endpoints.count(action.endpoint) != 0) {
      payload_.clear();
      AppendActionJson(payload_, action);
      AppendRow(OutboxTarget::kWebhook, action.id, action.endpoint, rows);
    } else if (options_.logger && unconfigured_.insert(action.endpoint).second) {
      options_.logger->info("webhook endpoint '{}' (rule '{}') is not configured: its actions go out on NATS only",
                            action.endpoint, action.rule);
    }
  }
  return Status::Ok();
}

Status OutboxEncoder::EncodeDead(const DeadLetter& dead, std::vector<std::string>& rows) {
  payload_.clear();
  AppendDeadLetterJson(payload_, dead);
  AppendRow(OutboxTarget::kNats, DeadLetterId(dead), dead_subject_, rows);
  return Status::Ok();
}

void OutboxEncoder::Committed(std::vector<OutboxRow>& rows) {
  if (options_.on_committed) options_.on_committed(rows);
}

}  // namespace patron
