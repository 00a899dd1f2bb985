#include "engine/internal/dead_letter.hpp"

#include <algorithm>
#include <utility>

#include "base/base64.hpp"
#include "base/json_string.hpp"
#include "base/stable_hash.hpp"
#include "base/utf8.hpp"

namespace patron {

DeadLetter MakeDeadLetter(std::string_view message, std::string reason, std::string_view subject,
                          DeliveryToken origin, size_t max_rendered) {
  DeadLetter dead;
  dead.reason = std::move(reason);
  dead.subject = std::string(subject);
  dead.origin = origin;
  dead.message_bytes = message.size();
  dead.message_hash = StableHash({message});
  dead.message_binary = FirstInvalidUtf8(message) != std::string_view::npos;
  size_t kept;
  if (dead.message_binary) {
    const size_t half = max_rendered / 2;
    kept = std::min(JsonEscapedPrefix(message, half), half / 4 * 3);  // Base64Size(half / 4 * 3) <= half
  } else {
    kept = JsonEscapedPrefix(message, max_rendered);
  }
  dead.message_cut = kept < message.size();
  dead.message.assign(message.substr(0, kept));
  return dead;
}

}  // namespace patron
