#include "actions/action_json.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace patron {
namespace {

constexpr std::string_view kReplacement = "\xEF\xBF\xBD";  // U+FFFD

// Length of the valid UTF-8 sequence starting at s[i] (a byte >= 0x80), or 0.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  const unsigned char c = byte(i);
  size_t len = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // bounds of the second byte
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0)
      lo = 0xA0;  // no overlong forms
    else if (c == 0xED)
      hi = 0x9F;  // no surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0)
      lo = 0x90;
    else if (c == 0xF4)
      hi = 0x8F;  // nothing above U+10FFFF
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
  }
  return len;
}

// Longest key Key() takes.
constexpr size_t kMaxKey = 32;

// Appends `key` (a literal that needs no escaping) as `"key":`, in one append.
void Key(std::string& out, std::string_view key) {
  char buf[kMaxKey + 3];
  const size_t n = std::min(key.size(), kMaxKey);
  buf[0] = '"';
  std::memcpy(buf + 1, key.data(), n);
  buf[n + 1] = '"';
  buf[n + 2] = ':';
  out.append(buf, n + 3);
}

// Length of the leading run of `text` that is copied verbatim: printable
// ASCII other than '"' and '\\'. Eight bytes at a time (SWAR).
size_t PlainPrefix(std::string_view text) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHigh = 0x8080808080808080ULL;
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t x;
    std::memcpy(&x, text.data() + i, 8);
    const uint64_t quote = x ^ (kOnes * '"');
    const uint64_t backslash = x ^ (kOnes * '\\');
    // A byte's high bit is set in `special` iff it is < 0x20, '"', '\\' or >= 0x80.
    const uint64_t special =
        ((x - kOnes * 0x20) | (quote - kOnes) | (backslash - kOnes) | x) & kHigh;
    if (special != 0) break;
  }
  for (; i < text.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80) break;
  }
  return i;
}

void StringMember(std::string& out, std::string_view key, std::string_view value) {
  Key(out, key);
  AppendJsonString(out, value);
}

void TimeMember(std::string& out, std::string_view key, TimePoint t) {
  Key(out, key);
  out += '"';
  AppendRfc3339Utc(out, t);
  out += '"';
}

void DecimalMember(std::string& out, std::string_view key, Decimal d) {
  Key(out, key);
  d.AppendTo(out);
}

void AppendKindMember(std::string& out, const Action& a) {
  switch (a.kind) {
    case dsl::ActionKind::kCoupon:
      out += "\"coupon\":{";
      StringMember(out, "code", a.code);
      if (a.value) {
        out += ',';
        DecimalMember(out, "value", *a.value);
      }
      if (a.valid_until) {
        out += ',';
        TimeMember(out, "valid_until", *a.valid_until);
      }
      out += '}';
      return;
    case dsl::ActionKind::kMessage:
      out += "\"message\":{";
      StringMember(out, "channel", ChannelName(a.channel));
      out += ',';
      StringMember(out, "template", a.template_name);
      out += '}';
      return;
    case dsl::ActionKind::kTicket:
      out += "\"ticket\":{";
      StringMember(out, "title", a.title);
      out += ',';
      StringMember(out, "priority", PriorityName(a.priority));
      out += ',';
      StringMember(out, "role", a.role);
      if (!a.store.empty()) {
        out += ',';
        StringMember(out, "store", a.store);
      }
      out += '}';
      return;
    case dsl::ActionKind::kRemind:
      out += "\"reminder\":{";
      StringMember(out, "role", a.role);
      out += ',';
      StringMember(out, "text", a.text);
      if (!a.store.empty()) {
        out += ',';
        StringMember(out, "store", a.store);
      }
      out += '}';
      return;
    case dsl::ActionKind::kTag:
    case dsl::ActionKind::kUntag:
      StringMember(out, "tag", a.tag);
      return;
    case dsl::ActionKind::kSet:
      out += "\"set\":{";
      StringMember(out, "attr", a.attr);
      out += ',';
      Key(out, "value");
      out += a.value_json.empty() ? std::string_view("null") : std::string_view(a.value_json);
      out += '}';
      return;
    case dsl::ActionKind::kPoints:
      out += "\"points\":{";
      DecimalMember(out, "delta", a.delta);
      out += ',';
      DecimalMember(out, "balance", a.balance);
      out += '}';
      return;
    case dsl::ActionKind::kEmit:
      out += "\"emit\":{";
      StringMember(out, "type", a.emit_type);
      out += '}';
      return;
    case dsl::ActionKind::kWebhook:
      out += "\"webhook\":{";
      StringMember(out, "endpoint", a.endpoint);
      out += '}';
      return;
  }
}

}  // namespace

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  size_t run = 0;  // start of the pending run of bytes copied verbatim
  size_t i = PlainPrefix(text);
  const auto flush = [&](size_t end) { out.append(text.data() + run, end - run); };
  while (i < text.size()) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
      ++i;
      continue;
    }
    if (c >= 0x80) {
      if (size_t len = Utf8SequenceLength(text, i)) {
        i += len;
        continue;
      }
      flush(i);
      out += kReplacement;
      run = ++i;
      continue;
    }
    flush(i);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
    run = ++i;
  }
  flush(i);
  out += '"';
}

void AppendActionJson(std::string& out, const Action& a) {
  const std::string_view kind = ActionKindName(a.kind);
  out += "{\"specversion\":\"1.0\",";
  StringMember(out, "id", a.id);
  out += ",\"source\":\"patron\",\"type\":\"patron.action.";
  out += kind;
  out += "\",";
  TimeMember(out, "time", a.time);
  if (!a.customer_id.empty()) {
    out += ',';
    StringMember(out, "subject", a.customer_id);
  }
  out += ",\"data\":{";
  StringMember(out, "rule", a.rule);
  out += ',';
  StringMember(out, "action", kind);
  if (!a.customer_id.empty()) {
    out += ",\"customer\":{";
    StringMember(out, "id", a.customer_id);
    if (!a.customer_phone.empty()) {
      out += ',';
      StringMember(out, "phone", a.customer_phone);
    }
    out += '}';
  }
  if (!a.store.empty()) {
    out += ',';
    StringMember(out, "store", a.store);
  }
  out += ",\"cause\":{";
  if (!a.cause_event.empty()) StringMember(out, "event", a.cause_event);
  if (a.cause_deadline) {
    if (!a.cause_event.empty()) out += ',';
    TimeMember(out, "deadline", *a.cause_deadline);
  }
  out += "},";
  AppendKindMember(out, a);
  out += "}}";
}

std::string ActionSubject(const Action& action, std::string_view prefix) {
  std::string subject;
  subject.reserve(prefix.size() + 32 + action.store.size());
  subject.append(prefix);
  subject += ".actions.";
  subject += ActionKindName(action.kind);
  subject += '.';
  if (action.store.empty()) {
    subject += '_';
  } else {
    for (char c : action.store) {
      const bool bad =
          c == ' ' || c == '.' || c == '*' || c == '>' || static_cast<unsigned char>(c) < 0x20 || c == 0x7f;
      subject += bad ? '_' : c;
    }
  }
  return subject;
}

std::string DeadLetterSubject(std::string_view prefix) {
  std::string subject(prefix);
  subject += ".dead";
  return subject;
}

void AppendDeadLetterJson(std::string& out, const DeadLetter& dead, std::optional<uint64_t> line) {
  out += '{';
  StringMember(out, "reason", dead.reason);
  if (!dead.subject.empty()) {
    out += ',';
    StringMember(out, "subject", dead.subject);
  }
  if (line) {
    out += ",\"line\":";
    out += std::to_string(*line);
  }
  out += ',';
  StringMember(out, "message", dead.message);
  out += '}';
}

}  // namespace patron
