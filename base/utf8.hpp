#pragma once
// UTF-8 checks and cuts, for every module that validates or shortens text
// (the event decoder, dead letters, rendered action texts, the JSON
// writer). Strict UTF-8 (RFC 3629): no overlong forms, no surrogates,
// nothing above U+10FFFF. Pure and thread-safe.

#include <cstddef>
#include <string>
#include <string_view>

namespace patron {

// Length of the valid UTF-8 sequence starting at text[i] (a byte >= 0x80),
// or 0 when the bytes there are not one.
size_t Utf8SequenceLength(std::string_view text, size_t i);

// Offset of the first byte that does not start a valid UTF-8 sequence, or
// std::string_view::npos when all of `text` is valid UTF-8.
size_t FirstInvalidUtf8(std::string_view text);

// The largest n <= max_bytes such that text[0, n) ends at a character
// boundary (text[n] is not a continuation byte); text.size() when it fits.
size_t Utf8Cut(std::string_view text, size_t max_bytes);

// When `text` is longer than `max_bytes`: cuts it at a character boundary
// and appends "…" (U+2026, 3 bytes) so that it is at most `max_bytes` long
// (no mark when max_bytes < 3), and returns true. Else leaves it, false.
bool CutWithEllipsis(std::string& text, size_t max_bytes);

}  // namespace patron
