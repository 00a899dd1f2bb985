#pragma once
// The wire forms of what Patron emits: the CloudEvents envelope of an action
// (events.md "Actions out", key order per the team's decision 7), the
// dead-letter object (decision 6) and NATS subjects (decision 9).
// Pure functions: same input, same bytes. Thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/json_string.hpp"  // AppendJsonString, used with these
#include "model/action.hpp"

namespace patron {

// Appends the action's envelope, one JSON object without a newline:
// {"specversion":"1.0","id":..,"source":"patron","type":"patron.action.<kind>",
//  "time":..,"subject":<customer id>,"data":{"rule":..,"action":<kind>,
//  "customer":{"id":..,"phone":..},"store":..,"cause":{"event":..,"deadline":..},
//  <member>:{..}}}
// Omitted: subject and data.customer without a customer id, phone when
// empty, data.store (and the store of ticket/reminder) when empty; cause
// holds "event" and/or "deadline", whichever is known ({} when neither).
// Members: coupon{code,value?,valid_until?}, message{channel,template},
// ticket{title,priority,role,store}, reminder{role,text,store} (action
// "remind"), tag:"<tag>" (tag and untag), set{attr,value} (value is
// Action::value_json verbatim, null when empty), points{delta,balance},
// emit{type}, webhook{endpoint}. Numbers via Decimal::ToString, times RFC 3339 UTC.
void AppendActionJson(std::string& out, const Action& action);

// "<prefix>.actions.<kind>.<store>" with "_" for an unknown store. Characters
// that NATS does not allow inside a subject token (space, tab, '.', '*',
// '>', control characters) are replaced by '_' in the store.
std::string ActionSubject(const Action& action, std::string_view prefix);

// "<prefix>.dead".
std::string DeadLetterSubject(std::string_view prefix);

// Appends {"reason":..,"subject":..,"line":..,"message":..,"message_base64":..,
// "message_bytes":..,"message_hash":..,"message_cut":true} (decision 6, and
// docs/architecture.md "Bad input at the door"): subject omitted when empty,
// line (dead.origin) only for a message read from a file, message_base64
// (the kept bytes, exact) only for a message that is not valid UTF-8 (in
// `message` its bad bytes read U+FFFD), message_hash 16 hex digits,
// message_cut only when `message` is the first bytes of a longer message.
// No newline.
void AppendDeadLetterJson(std::string& out, const DeadLetter& dead);

}  // namespace patron
