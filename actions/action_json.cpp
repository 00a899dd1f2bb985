#include "actions/action_json.hpp"

#include <algorithm>
#include <cstdint>
#include <cstring>

namespace patron {
namespace {

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
    case ActionKind::kCoupon:
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
    case ActionKind::kMessage:
      out += "\"message\":{";
      StringMember(out, "channel", ChannelName(a.channel));
      out += ',';
      StringMember(out, "template", a.template_name);
      out += '}';
      return;
    case ActionKind::kTicket:
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
    case ActionKind::kRemind:
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
    case ActionKind::kTag:
    case ActionKind::kUntag:
      StringMember(out, "tag", a.tag);
      return;
    case ActionKind::kSet:
      out += "\"set\":{";
      StringMember(out, "attr", a.attr);
      out += ',';
      Key(out, "value");
      out += a.value_json.empty() ? std::string_view("null") : std::string_view(a.value_json);
      out += '}';
      return;
    case ActionKind::kPoints:
      out += "\"points\":{";
      DecimalMember(out, "delta", a.delta);
      out += ',';
      DecimalMember(out, "balance", a.balance);
      out += '}';
      return;
    case ActionKind::kEmit:
      out += "\"emit\":{";
      StringMember(out, "type", a.emit_type);
      out += '}';
      return;
    case ActionKind::kWebhook:
      out += "\"webhook\":{";
      StringMember(out, "endpoint", a.endpoint);
      out += '}';
      return;
  }
}

}  // namespace


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

void AppendDeadLetterJson(std::string& out, const DeadLetter& dead) {
  out += '{';
  StringMember(out, "reason", dead.reason);
  if (!dead.subject.empty()) {
    out += ',';
    StringMember(out, "subject", dead.subject);
  }
  if (dead.origin.kind == DeliveryToken::Kind::kLine) {
    out += ",\"line\":";
    out += std::to_string(dead.origin.value);
  }
  out += ',';
  StringMember(out, "message", dead.message);
  out += '}';
}

}  // namespace patron
