#pragma once
// JSON string literals, for every module that writes JSON by hand (action
// envelopes, dead letters, profiles, logs). Pure and thread-safe.

#include <string>
#include <string_view>

namespace patron {

// Appends `text` as a JSON string literal (with the quotes). Escapes '"',
// '\\' and control characters (\b \f \n \r \t, others as \u00xx, the way
// Boost.JSON serialises), writes other UTF-8 as is and replaces each byte of
// an invalid UTF-8 sequence by U+FFFD, so the output is always valid JSON.
void AppendJsonString(std::string& out, std::string_view text);

// The length of the longest prefix of `text`, ending at a character
// boundary, that AppendJsonString renders in at most `max_rendered` bytes
// (the quotes not counted). text.size() when the whole fits.
size_t JsonEscapedPrefix(std::string_view text, size_t max_rendered);

}  // namespace patron
