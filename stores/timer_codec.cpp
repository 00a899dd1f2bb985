#include "stores/timer_codec.hpp"

#include <exception>

#include "stores/byte_codec.hpp"

namespace patron {

namespace {

using codec::ByteReader;
using codec::PutBytes;
using codec::PutSigned;
using codec::PutVarint;

constexpr uint64_t kSignBit = uint64_t{1} << 63;
constexpr uint8_t kMaxTimerKind = static_cast<uint8_t>(TimerKind::kSchedule);

// Presence bits of a timer's optional members.
enum TimerFlags : uint8_t { kHasDeadline = 1, kHasEvent = 2 };
constexpr uint8_t kTimerFlagsMask = 3;

bool GetEvent(ByteReader& r, StoredEvent& e) {
  return r.GetString(e.source) && r.GetString(e.id) && r.GetString(e.type) && r.GetSigned(e.time) &&
         r.GetString(e.time_text) && r.GetString(e.store) && r.GetString(e.data_json);
}

bool GetTimer(ByteReader& r, TimerRecord& t) {
  uint8_t version = 0, kind = 0, flags = 0;
  if (!r.GetByte(version)) return false;
  if (version != kTimerCodecVersion) return r.Fail();
  if (!r.GetByte(kind)) return false;
  if (kind > kMaxTimerKind) return r.Fail();
  t.kind = static_cast<TimerKind>(kind);
  if (!r.GetVarint(t.rule_key) || !r.GetString(t.customer_id) || !r.GetString(t.correlation) ||
      !r.GetByte(flags))
    return false;
  if ((flags & ~kTimerFlagsMask) != 0) return r.Fail();
  t.cause_deadline.reset();
  if (flags & kHasDeadline) {
    int64_t deadline;
    if (!r.GetSigned(deadline)) return false;
    t.cause_deadline = deadline;
  }
  t.event.reset();
  if (flags & kHasEvent) {
    if (!GetEvent(r, t.event.emplace())) return false;
  }
  if (!r.GetString(t.limit_key) || !r.GetSigned(t.fired_at)) return false;
  return r.AtEnd() || r.Fail();
}

}  // namespace

void AppendTimerKey(std::string& out, const TimerKey& key) {
  codec::PutFixed64BigEndian(out, static_cast<uint64_t>(key.due) ^ kSignBit);
  codec::PutFixed64BigEndian(out, key.seq);
}

std::string EncodeTimerKey(const TimerKey& key) {
  std::string out;
  out.reserve(kTimerKeySize);
  AppendTimerKey(out, key);
  return out;
}

Status DecodeTimerKey(std::string_view bytes, TimerKey& out) {
  if (bytes.size() != kTimerKeySize) return Status::Corruption("timer key: not 16 bytes");
  out.due = static_cast<TimePoint>(codec::GetFixed64BigEndian(bytes.substr(0, 8)) ^ kSignBit);
  out.seq = codec::GetFixed64BigEndian(bytes.substr(8, 8));
  return Status::Ok();
}

std::string EncodeTimer(const TimerRecord& t) {
  std::string out;
  out.reserve(32 + t.customer_id.size() + t.correlation.size() +
              (t.event ? 16 + t.event->id.size() + t.event->data_json.size() : 0));
  out.push_back(static_cast<char>(kTimerCodecVersion));
  out.push_back(static_cast<char>(t.kind));
  PutVarint(out, t.rule_key);
  PutBytes(out, t.customer_id);
  PutBytes(out, t.correlation);
  uint8_t flags = (t.cause_deadline ? kHasDeadline : 0) | (t.event ? kHasEvent : 0);
  out.push_back(static_cast<char>(flags));
  if (t.cause_deadline) PutSigned(out, *t.cause_deadline);
  if (t.event) {
    const StoredEvent& e = *t.event;
    PutBytes(out, e.source);
    PutBytes(out, e.id);
    PutBytes(out, e.type);
    PutSigned(out, e.time);
    PutBytes(out, e.time_text);
    PutBytes(out, e.store);
    PutBytes(out, e.data_json);
  }
  PutBytes(out, t.limit_key);
  PutSigned(out, t.fired_at);
  return out;
}

Status DecodeTimer(std::string_view bytes, const TimerKey& key, TimerRecord& out) {
  PATRON_RETURN_IF_ERROR(codec::DecodeWith(bytes, "timer", [&](ByteReader& r) { return GetTimer(r, out); }));
  out.key = key;
  return Status::Ok();
}

}  // namespace patron
