#pragma once
// The stored form of a durable timer (engine/timer.hpp) in the LMDB `timers`
// table (TEAM.md decision 12): the key is 16 bytes, the due time as 8
// big-endian bytes with its sign bit flipped (so that byte order is numeric
// order, negative times first), then the seq as 8 big-endian bytes; the
// value is a version byte, then varints and length-prefixed strings, without
// the key. Decoding validates everything and returns Status::Corruption on
// truncated, trailing or malformed bytes; it never reads out of bounds and
// never allocates more than the input describes, so arbitrary bytes are safe
// to feed it. Pure functions, thread-safe.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/timer.hpp"

namespace patron {

// Version byte that starts every encoded timer value.
inline constexpr uint8_t kTimerCodecVersion = 1;
// Size of an encoded timer key.
inline constexpr size_t kTimerKeySize = 16;

// Appends the 16 bytes of `key` to `out`. Byte order of encoded keys is the
// order of TimerKey (due, then seq).
void AppendTimerKey(std::string& out, const TimerKey& key);
// The 16 bytes of `key`.
std::string EncodeTimerKey(const TimerKey& key);
// Reads a key written by AppendTimerKey; Corruption unless `bytes` is
// exactly kTimerKeySize long.
Status DecodeTimerKey(std::string_view bytes, TimerKey& out);

// The value bytes of `timer` (its key is not included). Never fails.
std::string EncodeTimer(const TimerRecord& timer);
// Replaces `out` with the timer encoded in `bytes`, filed under `key`
// (out.key = key). On failure returns Corruption and `out` holds unspecified
// (but valid) contents.
Status DecodeTimer(std::string_view bytes, const TimerKey& key, TimerRecord& out);

}  // namespace patron
