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
// - JSON nested deeper than Boost.JSON's default 32 levels is rejected as
//   "not valid JSON at offset N: too deep"; invalid UTF-8 is a syntax error.
// - Values quoted in reasons are cut to 64 bytes; identifier values (phones)
//   are never quoted.

#include "engine/event_decoder.hpp"

#include <memory>

#include <boost/json/parser.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "base/identifier.hpp"
#include "engine/internal/event_data.hpp"
#include "engine/json_arena.hpp"

namespace patron {
namespace {

namespace json = boost::json;

// Longest value quoted in a rejection reason.
constexpr size_t kMaxQuoted = 64;

// `text` cut to kMaxQuoted bytes at a UTF-8 boundary, with "..." if cut.
std::string Quote(std::string_view text) {
  std::string out = "'";
  if (text.size() <= kMaxQuoted) {
    out.append(text);
  } else {
    size_t n = kMaxQuoted;
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
    out.append(text.substr(0, n));
    out += "...";
  }
  out += '\'';
  return out;
}

// A JSON value as short text for reasons: strings quoted, others serialised.
std::string Show(const json::value& v) {
  if (v.is_string()) return Quote(v.get_string());
  std::string text = json::serialize(v);
  return text.size() <= kMaxQuoted ? text : text.substr(0, kMaxQuoted) + "...";
}

// A required non-empty string attribute; nullopt when fine, else the reason.
std::optional<std::string> RequiredString(const json::value* v, std::string_view key, std::string& out) {
  if (v == nullptr) return "missing '" + std::string(key) + "'";
  if (!v->is_string()) return "'" + std::string(key) + "' is " + JsonKindName(*v) + ", not a string";
  const json::string& s = v->get_string();
  if (s.empty()) return "'" + std::string(key) + "' is empty";
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

}  // namespace

struct EventDecoder::Impl {
  // Scratch for the parser's temporaries, so small events need no heap for them.
  unsigned char temp[4096];
  json::parser parser{json::storage_ptr(), json::parse_options(), temp, sizeof(temp)};
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

EventDecoder::EventDecoder() : impl_(std::make_unique<Impl>()) {}
EventDecoder::~EventDecoder() = default;

std::optional<std::string> EventDecoder::Decode(std::string_view message, Event& out) {
  json::parser& parser = impl_->parser;
  // The previous event's data, usually in the arena, goes first (a plain
  // assignment would keep its storage).
  std::destroy_at(&out.data);
  std::construct_at(&out.data);
  parser.reset(impl_->NextStorage());
  boost::system::error_code ec;
  size_t consumed = parser.write(message.data(), message.size(), ec);
  if (ec) {
    return "not valid JSON at offset " + std::to_string(consumed) + ": " + ec.message();
  }
  json::value root = parser.release();
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
  if (auto r = RequiredString(id, "id", out.id)) return r;
  if (auto r = RequiredString(source, "source", out.source)) return r;
  if (auto r = RequiredString(type, "type", out.type)) return r;
  if (!IsDottedName(out.type)) return "type " + Quote(out.type) + " is not a dotted name of identifiers";

  if (time == nullptr) return std::string("missing 'time'");
  if (!time->is_string()) return std::string("'time' is ") + JsonKindName(*time) + ", not a string";
  std::string_view time_text(time->get_string().data(), time->get_string().size());
  std::optional<TimePoint> parsed = ParseRfc3339(time_text);
  if (!parsed) return TimeProblem(time_text);
  out.time = *parsed;
  out.time_text.assign(time_text);

  out.store.clear();
  for (auto& slot : out.identity) slot.clear();

  if (data == nullptr || data->is_null()) return std::nullopt;
  if (!data->is_object()) return std::string("'data' is ") + JsonKindName(*data) + ", not an object";
  json::object& data_obj = data->get_object();
  if (auto reason = ReadStoreAndCustomer(data_obj, out)) return reason;
  // Constructed from it, so it keeps the arena's storage: a move, not a copy.
  std::destroy_at(&out.data);
  std::construct_at(&out.data, std::move(data_obj));
  return std::nullopt;
}

}  // namespace patron
