#include "actions/nats_sink.hpp"

#include "actions/action_json.hpp"

namespace patron {

NatsSink::NatsSink(NatsConnection& connection, NatsSinkOptions options)
    : connection_(connection),
      options_(std::move(options)),
      dead_subject_(DeadLetterSubject(options_.subject_prefix)) {}

Status NatsSink::Publish(const Action& action) {
  buffer_.clear();
  AppendActionJson(buffer_, action);
  PATRON_RETURN_IF_ERROR(connection_.Publish(ActionSubject(action, options_.subject_prefix), buffer_));
  ++actions_published_;
  return Status::Ok();
}

Status NatsSink::PublishDead(const DeadLetter& dead) {
  buffer_.clear();
  AppendDeadLetterJson(buffer_, dead);
  PATRON_RETURN_IF_ERROR(connection_.Publish(dead_subject_, buffer_));
  ++dead_published_;
  return Status::Ok();
}

Status NatsSink::Flush() { return connection_.Flush(options_.flush_timeout); }

}  // namespace patron
