// EventDecoder: CloudEvents 1.0 (structured JSON) to Event, per events.md
// "Events in". On the hot path: one reused boost::json::parser (its value
// stack keeps its memory between calls), the message's JSON built in a
// reused JsonArena instead of the heap, lookups without temporaries, and the
// `data` object moved, never copied, into the Event.
//
// Choices beyond events.md (documented here for publishers):
// - data.store and data.customer: as engine/event_data.hpp reads them.
// - "data": null counts as no data.
// - A type is one or more identifiers ([A-Za-z_][A-Za-z0-9_]*) joined by dots.
// - The size limit is checked before parsing; nesting, repeated keys and
//   numbers out of range while parsing (engine/internal/strict_json.hpp);
//   invalid UTF-8 is named as such, wherever it is.
// - `id` and `source` longer than IntakeLimits::max_identifier_bytes are
//   rejected, as are identifiers of data.customer (engine/event_data.hpp).
// - A leap second (":60") is rejected: Patron's times have none, and
//   clamping it to :59 would let two different texts name one instant.
// - Values quoted in reasons are cut to 64 bytes; identifier values (phones)
//   are never quoted.

#include "engine/event_decoder.hpp"

#include <memory>

#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "base/identifier.hpp"
#include "engine/internal/event_data.hpp"
#include "engine/internal/reason_text.hpp"
#include "engine/internal/strict_json.hpp"
#include "engine/json_arena.hpp"

namespace patron {
namespace {

namespace json = boost::json;

// A JSON value as short text for reasons: strings quoted, others serialised.
std::string Show(const json::value& v) {
  if (v.is_string()) return Quote(v.get_string());
  std::string text = json::serialize(v);
  return text.size() <= kMaxQuoted ? text : text.substr(0, kMaxQuoted) + "...";
}

// A required non-empty string attribute; nullopt when fine, else the reason.
// At most `max_bytes` long.
std::optional<std::string> RequiredString(const json::value* v, std::string_view key, size_t max_bytes,
                                          std::string& out) {
  if (v == nullptr) return "missing '" + std::string(key) + "'";
  if (!v->is_string()) return "'" + std::string(key) + "' is " + JsonKindName(*v) + ", not a string";
  const json::string& s = v->get_string();
  if (s.empty()) return "'" + std::string(key) + "' is empty";
  if (s.size() > max_bytes)
    return "'" + std::string(key) + "' is " + std::to_string(s.size()) + " bytes, over the limit of " +
           std::to_string(max_bytes);
  out.assign(s.data(), s.size());
  return std::nullopt;
}

// Why `text` is not an event time, as precisely as the text allows.
std::string TimeProblem(std::string_view text) {
  auto digits = [&](size_t from, size_t n) {
    if (text.size() < from + n) return false;
    for (size_t i = from; i < from + n; ++i)
      if (text[i] < '0' || text[i] > '9') return false;
    return true;
  };
  bool date_shape = digits(0, 4) && text.size() >= 10 && text[4] == '-' && digits(5, 2) && text[7] == '-' &&
                    digits(8, 2);
  if (date_shape && !ParseDate(text.substr(0, 10)))
    return "time " + Quote(text) + " is an impossible date";
  if (date_shape && text.size() <= 32 && ParseRfc3339(std::string(text) + "Z"))
    return "time " + Quote(text) + " has no UTC offset (RFC 3339 needs Z or +08:00)";
  return "time " + Quote(text) + " is not RFC 3339 with an offset";
}

// "23:59:60": a leap second, in text ParseRfc3339 accepted.
bool IsLeapSecond(std::string_view time_text) { return time_text.substr(17, 2) == "60"; }

}  // namespace

struct EventDecoder::Impl {
  explicit Impl(const IntakeLimits& limits) : limits(limits), parser(limits.max_json_depth) {}

  IntakeLimits limits;
  StrictJsonParser parser;
  // Where the parsed JSON lives. Event::data keeps it alive (shared
  // storage_ptr); it is reused once nothing allocated in it is left.
  std::shared_ptr<JsonArena> arena = std::make_shared<JsonArena>();
  json::storage_ptr storage = JsonArena::Storage(arena);

  // Storage for the next message: the arena again if everything parsed into
  // it was given back, else a fresh one (the old one lives on with the values
  // that still use it).
  const json::storage_ptr& NextStorage() {
    if (arena->idle()) {
      arena->Reset();
    } else {
      arena = std::make_shared<JsonArena>();
      storage = JsonArena::Storage(arena);
    }
    return storage;
  }
};

EventDecoder::EventDecoder(const IntakeLimits& limits) : impl_(std::make_unique<Impl>(limits)) {}
EventDecoder::~EventDecoder() = default;

std::optional<std::string> EventDecoder::Decode(std::string_view message, Event& out) {
  const IntakeLimits& limits = impl_->limits;
  if (message.size() > limits.max_event_bytes)
    return "event is " + std::to_string(message.size()) + " bytes, over the limit of " +
           std::to_string(limits.max_event_bytes);
  // The previous event's data, usually in the arena, goes first (a plain
  // assignment would keep its storage).
  std::destroy_at(&out.data);
  std::construct_at(&out.data);
  json::value root;
  if (auto problem = impl_->parser.Parse(message, impl_->NextStorage(), root)) return problem;
  if (!root.is_object()) return std::string("not a JSON object (") + JsonKindName(root) + ")";
  json::object& obj = root.get_object();

  // One pass over the members instead of a lookup per attribute.
  const json::value* spec = nullptr;
  const json::value* id = nullptr;
  const json::value* source = nullptr;
  const json::value* type = nullptr;
  const json::value* time = nullptr;
  json::value* data = nullptr;
  for (json::key_value_pair& member : obj) {
    const std::string_view key = member.key();
    if (key == "specversion")
      spec = &member.value();
    else if (key == "id")
      id = &member.value();
    else if (key == "source")
      source = &member.value();
    else if (key == "type")
      type = &member.value();
    else if (key == "time")
      time = &member.value();
    else if (key == "data")
      data = &member.value();
  }

  if (spec == nullptr) return std::string("missing 'specversion'");
  if (!spec->is_string() || spec->get_string() != "1.0") {
    return "'specversion' is " + Show(*spec) + ", not \"1.0\"";
  }
  const size_t max_id = limits.max_identifier_bytes;
  if (auto r = RequiredString(id, "id", max_id, out.id)) return r;
  if (auto r = RequiredString(source, "source", max_id, out.source)) return r;
  if (auto r = RequiredString(type, "type", SIZE_MAX, out.type)) return r;
  if (!IsDottedName(out.type)) return "type " + Quote(out.type) + " is not a dotted name of identifiers";

  if (time == nullptr) return std::string("missing 'time'");
  if (!time->is_string()) return std::string("'time' is ") + JsonKindName(*time) + ", not a string";
  std::string_view time_text(time->get_string().data(), time->get_string().size());
  std::optional<TimePoint> parsed = ParseRfc3339(time_text);
  if (!parsed) return TimeProblem(time_text);
  if (IsLeapSecond(time_text)) return "time " + Quote(time_text) + " is a leap second (:60), which Patron does not keep";
  out.time = *parsed;
  out.time_text.assign(time_text);

  out.store.clear();
  for (auto& slot : out.identity) slot.clear();

  if (data == nullptr || data->is_null()) return std::nullopt;
  if (!data->is_object()) return std::string("'data' is ") + JsonKindName(*data) + ", not an object";
  json::object& data_obj = data->get_object();
  if (auto reason = ReadStoreAndCustomer(data_obj, out, MalformedField::kReject, max_id)) return reason;
  // Constructed from it, so it keeps the arena's storage: a move, not a copy.
  std::destroy_at(&out.data);
  std::construct_at(&out.data, std::move(data_obj));
  return std::nullopt;
}

}  // namespace patron
