#pragma once
// The stored form of a CustomerRecord (one LMDB value per customer) and of a
// RuleState alone (keyed `limit per <path>` state). A compact binary format:
// a version byte, then varints and length-prefixed strings; custom
// attributes as their JSON text. Decoding validates everything and returns
// Status::Corruption on truncated, trailing or malformed bytes; it never
// reads out of bounds and never allocates more than the input describes, so
// arbitrary bytes are safe to feed it. Pure functions, thread-safe.

#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/customer_record.hpp"

namespace patron {

// Version byte that starts every encoded record and rule state. Encoding
// always writes this one; decoding also reads every earlier version
// (version 1 had no time-driven rule state: timer, armed, open, window come
// back empty).
inline constexpr uint8_t kCustomerCodecVersion = 2;

// The bytes of `record`. Never fails.
std::string EncodeCustomer(const CustomerRecord& record);
// Appends the bytes of `record` to `out` (reuse a buffer across records).
void AppendEncodedCustomer(std::string& out, const CustomerRecord& record);
// Replaces `out` with the record encoded in `bytes`. On failure returns
// Corruption and `out` holds unspecified (but valid) contents.
Status DecodeCustomer(std::string_view bytes, CustomerRecord& out);

// The bytes of one rule state (version byte included). Never fails.
std::string EncodeRuleState(const RuleState& state);
// Replaces `out` with the state encoded in `bytes`; Corruption on bad input.
Status DecodeRuleState(std::string_view bytes, RuleState& out);

}  // namespace patron
