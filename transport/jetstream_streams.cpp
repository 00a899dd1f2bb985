#include "transport/jetstream_streams.hpp"

#include <nats/nats.h>

#include <spdlog/logger.h>

#include "transport/internal/connection_access.hpp"
#include "transport/internal/jetstream_handles.hpp"
#include "transport/internal/setting_differences.hpp"

namespace patron {
namespace {

using transport_internal::ConsumerInfo;
using transport_internal::FormatDuration;
using transport_internal::FormatLimit;
using transport_internal::JetStreamError;
using transport_internal::SettingDifferences;
using transport_internal::StreamInfo;

constexpr int64_t kNanosPerMilli = 1'000'000;

int64_t Nanos(std::chrono::milliseconds d) { return d.count() * kNanosPerMilli; }
std::chrono::milliseconds Millis(int64_t nanos) { return std::chrono::milliseconds(nanos / kNanosPerMilli); }

std::string Join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return "[" + out + "]";
}

std::string JoinDurations(const std::vector<std::chrono::milliseconds>& items) {
  std::vector<std::string> texts;
  for (auto d : items) texts.push_back(FormatDuration(d));
  return Join(texts);
}

StreamSettings FromServer(const jsStreamConfig& c) {
  StreamSettings s;
  s.name = c.Name != nullptr ? c.Name : "";
  s.subjects.clear();
  for (int i = 0; i < c.SubjectsLen; ++i) s.subjects.emplace_back(c.Subjects[i]);
  s.file_storage = c.Storage == js_FileStorage;
  s.max_age = Millis(c.MaxAge);
  s.max_bytes = c.MaxBytes;
  s.max_msg_size = c.MaxMsgSize;
  s.duplicate_window = Millis(c.Duplicates);
  s.replicas = static_cast<int>(c.Replicas);
  return s;
}

std::vector<std::string> Differences(const StreamSettings& actual, const StreamSettings& wanted) {
  SettingDifferences d("stream", actual.name);
  d.Compare("subjects", Join(actual.subjects), Join(wanted.subjects));
  d.Compare("storage", actual.file_storage ? "file" : "memory", wanted.file_storage ? "file" : "memory");
  d.Compare("max_age", FormatDuration(actual.max_age), FormatDuration(wanted.max_age));
  d.Compare("max_bytes", FormatLimit(actual.max_bytes), FormatLimit(wanted.max_bytes));
  d.Compare("max_msg_size", FormatLimit(actual.max_msg_size), FormatLimit(wanted.max_msg_size));
  d.Compare("duplicate_window", FormatDuration(actual.duplicate_window), FormatDuration(wanted.duplicate_window));
  d.Compare("replicas", std::to_string(actual.replicas), std::to_string(wanted.replicas));
  return d.Take();
}

ConsumerSettings FromServer(const jsConsumerInfo& info) {
  const jsConsumerConfig& c = *info.Config;
  ConsumerSettings s;
  s.stream = info.Stream != nullptr ? info.Stream : "";
  s.durable = info.Name != nullptr ? info.Name : "";
  s.filter_subject = c.FilterSubject != nullptr ? c.FilterSubject : "";
  s.max_ack_pending = c.MaxAckPending;
  s.ack_wait = Millis(c.AckWait);
  s.max_deliver = c.MaxDeliver;
  s.backoff.clear();
  for (int i = 0; i < c.BackOffLen; ++i) s.backoff.push_back(Millis(c.BackOff[i]));
  const bool push = c.DeliverSubject != nullptr && *c.DeliverSubject != '\0';
  s.mode = push ? IntakeMode::kPush : IntakeMode::kPull;
  s.deliver_subject = push ? c.DeliverSubject : "";
  s.heartbeat = Millis(c.Heartbeat);
  return s;
}

std::string DeliverSubject(const ConsumerSettings& s) {
  return s.deliver_subject.empty() ? "_PATRON.deliver." + s.stream + "." + s.durable : s.deliver_subject;
}

std::vector<std::string> Differences(const jsConsumerInfo& info, const ConsumerSettings& actual,
                                     const ConsumerSettings& wanted) {
  SettingDifferences d("consumer", actual.stream + " > " + actual.durable);
  d.Compare("mode", IntakeModeName(actual.mode), IntakeModeName(wanted.mode));
  d.Compare("ack_policy", info.Config->AckPolicy == js_AckExplicit ? "explicit" : "not explicit", "explicit");
  d.Compare("filter_subject", actual.filter_subject, wanted.filter_subject);
  d.Compare("max_ack_pending", FormatLimit(actual.max_ack_pending), FormatLimit(wanted.max_ack_pending));
  d.Compare("ack_wait", FormatDuration(actual.ack_wait), FormatDuration(wanted.ack_wait));
  d.Compare("max_deliver", FormatLimit(actual.max_deliver), FormatLimit(wanted.max_deliver));
  d.Compare("backoff", JoinDurations(actual.backoff), JoinDurations(wanted.backoff));
  if (actual.mode == IntakeMode::kPush && wanted.mode == IntakeMode::kPush) {
    d.Compare("deliver_subject", actual.deliver_subject, DeliverSubject(wanted));
    d.Compare("heartbeat", FormatDuration(actual.heartbeat), FormatDuration(wanted.heartbeat));
    d.Compare("flow_control", info.Config->FlowControl ? "on" : "off", "on");
  }
  return d.Take();
}

void LogDifferences(const StreamOptions& options, const std::vector<std::string>& lines) {
  if (!options.logger) return;
  for (const auto& line : lines) options.logger->warn("{}", line);
}

Result<StreamInfo> GetStream(jsCtx* js, const std::string& name) {
  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&raw, js, name.c_str(), nullptr, &code);
  if (s != NATS_OK) return JetStreamError("read stream " + name, s, code);
  return StreamInfo(raw);
}

Result<ConsumerInfo> GetConsumer(jsCtx* js, const std::string& stream, const std::string& durable) {
  jsConsumerInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&raw, js, stream.c_str(), durable.c_str(), nullptr, &code);
  if (s != NATS_OK) return JetStreamError("read consumer " + stream + " > " + durable, s, code);
  return ConsumerInfo(raw);
}

}  // namespace

const char* IntakeModeName(IntakeMode mode) { return mode == IntakeMode::kPush ? "push" : "pull"; }

StreamSettings EventsStreamSettings(std::string_view prefix, std::string name) {
  StreamSettings s;
  s.name = std::move(name);
  s.subjects = {std::string(prefix) + ".events.>"};
  return s;
}

StreamSettings ActionsStreamSettings(std::string_view prefix, std::string name) {
  StreamSettings s;
  s.name = std::move(name);
  s.subjects = {std::string(prefix) + ".actions.>", std::string(prefix) + ".dead"};
  return s;
}

ConsumerSettings EventsConsumerSettings(std::string_view prefix, std::string stream, std::string durable) {
  ConsumerSettings s;
  s.stream = std::move(stream);
  s.durable = std::move(durable);
  s.filter_subject = std::string(prefix) + ".events.>";
  return s;
}

Result<StreamReport> EnsureStream(NatsConnection& connection, const StreamSettings& settings,
                                  const StreamOptions& options) {
  auto js = transport_internal::OpenJetStream(connection, options.api_timeout);
  if (!js.ok()) return js.status();
  StreamReport report;
  report.max_payload = natsConnection_GetMaxPayload(transport_internal::ConnectionAccess::Handle(connection));
  auto existing = GetStream(js->get(), settings.name);
  if (!existing.ok() && existing.status().code() == StatusCode::kNotFound) {
    std::vector<const char*> subjects;
    for (const auto& s : settings.subjects) subjects.push_back(s.c_str());
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = settings.name.c_str();
    cfg.Subjects = subjects.data();
    cfg.SubjectsLen = static_cast<int>(subjects.size());
    cfg.Storage = settings.file_storage ? js_FileStorage : js_MemoryStorage;
    cfg.MaxAge = Nanos(settings.max_age);
    cfg.MaxBytes = settings.max_bytes;
    cfg.MaxMsgSize = settings.max_msg_size;
    cfg.Duplicates = Nanos(settings.duplicate_window);
    cfg.Replicas = settings.replicas;
    jsStreamInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = js_AddStream(&raw, js->get(), &cfg, nullptr, &code);
    if (s == NATS_OK) {
      StreamInfo created(raw);
      report.effective = FromServer(*created->Config);
      report.created = true;
      report.last_sequence = created->State.LastSeq;
      if (options.logger) options.logger->info("created stream {}", settings.name);
      return report;
    }
    if (code != JSStreamNameExistErr) return JetStreamError("create stream " + settings.name, s, code);
    existing = GetStream(js->get(), settings.name);  // created by someone else meanwhile
  }
  if (!existing.ok()) return existing.status();
  report.effective = FromServer(*existing.value()->Config);
  report.messages = existing.value()->State.Msgs;
  report.last_sequence = existing.value()->State.LastSeq;
  report.differences = Differences(report.effective, settings);
  LogDifferences(options, report.differences);
  return report;
}

// Adds the durable consumer of `settings` on its stream, delivering from
// stream sequence `start` (0: from the first message).
natsStatus AddConsumer(jsCtx* js, const ConsumerSettings& settings, uint64_t start, jsConsumerInfo** info,
                       jsErrCode* code) {
  std::vector<int64_t> backoff;
  for (auto d : settings.backoff) backoff.push_back(Nanos(d));
  const std::string deliver = DeliverSubject(settings);
  jsConsumerConfig cfg;
  jsConsumerConfig_Init(&cfg);
  cfg.Durable = settings.durable.c_str();
  cfg.DeliverPolicy = start == 0 ? js_DeliverAll : js_DeliverByStartSequence;
  cfg.OptStartSeq = start;
  cfg.AckPolicy = js_AckExplicit;
  cfg.AckWait = Nanos(settings.ack_wait);
  cfg.MaxDeliver = settings.max_deliver;
  cfg.BackOff = backoff.empty() ? nullptr : backoff.data();
  cfg.BackOffLen = static_cast<int>(backoff.size());
  cfg.FilterSubject = settings.filter_subject.empty() ? nullptr : settings.filter_subject.c_str();
  cfg.MaxAckPending = settings.max_ack_pending;
  if (settings.mode == IntakeMode::kPush) {
    cfg.DeliverSubject = deliver.c_str();
    cfg.FlowControl = true;
    cfg.Heartbeat = Nanos(settings.heartbeat);
  }
  return js_AddConsumer(info, js, settings.stream.c_str(), &cfg, nullptr, code);
}

Result<ConsumerReport> EnsureConsumer(NatsConnection& connection, const ConsumerSettings& settings,
                                      const StreamOptions& options) {
  auto js = transport_internal::OpenJetStream(connection, options.api_timeout);
  if (!js.ok()) return js.status();
  ConsumerReport report;
  auto existing = GetConsumer(js->get(), settings.stream, settings.durable);
  if (!existing.ok() && existing.status().code() == StatusCode::kNotFound) {
    jsConsumerInfo* raw = nullptr;
    jsErrCode code = static_cast<jsErrCode>(0);
    natsStatus s = AddConsumer(js->get(), settings, 0, &raw, &code);
    if (s == NATS_OK) {
      ConsumerInfo created(raw);
      report.effective = FromServer(*created);
      report.created = true;
      if (options.logger)
        options.logger->info("created {} consumer {} on stream {}", IntakeModeName(settings.mode),
                             settings.durable, settings.stream);
      return report;
    }
    Status error = JetStreamError("create consumer " + settings.stream + " > " + settings.durable, s, code);
    if (error.code() == StatusCode::kNotFound) return error;  // the stream is missing
    existing = GetConsumer(js->get(), settings.stream, settings.durable);  // created meanwhile?
    if (!existing.ok()) return error;
  }
  if (!existing.ok()) return existing.status();
  report.effective = FromServer(*existing.value());
  report.pending = existing.value()->NumPending;
  report.ack_pending = existing.value()->NumAckPending;
  report.differences = Differences(*existing.value(), report.effective, settings);
  LogDifferences(options, report.differences);
  return report;
}

Result<uint64_t> RewindConsumer(NatsConnection& connection, const ConsumerSettings& settings,
                                const StreamOptions& options) {
  auto js = transport_internal::OpenJetStream(connection, options.api_timeout);
  if (!js.ok()) return js.status();
  auto existing = GetConsumer(js->get(), settings.stream, settings.durable);
  if (!existing.ok()) return existing.status();
  const jsConsumerInfo& info = *existing.value();
  if (info.NumAckPending <= 0) return uint64_t{0};
  const uint64_t from = info.AckFloor.Stream + 1;
  const ConsumerSettings kept = FromServer(info);
  jsErrCode code = static_cast<jsErrCode>(0);
  if (natsStatus s = js_DeleteConsumer(js->get(), settings.stream.c_str(), settings.durable.c_str(), nullptr, &code);
      s != NATS_OK) {
    return JetStreamError("delete consumer " + settings.stream + " > " + settings.durable, s, code);
  }
  jsConsumerInfo* raw = nullptr;
  if (natsStatus s = AddConsumer(js->get(), kept, from, &raw, &code); s != NATS_OK) {
    return JetStreamError("create consumer " + settings.stream + " > " + settings.durable, s, code);
  }
  ConsumerInfo created(raw);
  if (options.logger) {
    options.logger->info(
        "consumer {}: {} events delivered and not acknowledged before; delivering again in order from stream "
        "sequence {}",
        settings.durable, info.NumAckPending, from);
  }
  return from;
}

}  // namespace patron
