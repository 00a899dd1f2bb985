#pragma once
// Builds the dead letter of a rejected message so that what a sink renders
// of it stays bounded whatever came in (docs/architecture.md "Bad input at
// the door"): the message is kept up to a rendered size, cut at a UTF-8
// boundary, with its full size and a stable hash, and its raw bytes (for
// base64) when it is not valid UTF-8. Pure, thread-safe. Internal to engine/.

#include <cstddef>
#include <string>
#include <string_view>

#include "model/action.hpp"
#include "model/delivery.hpp"

namespace patron {

// `max_rendered`: the most bytes the kept message may take once written as
// a JSON string (escapes counted, quotes not); for a message that is not
// valid UTF-8, its JSON string and its base64 form each take at most half.
DeadLetter MakeDeadLetter(std::string_view message, std::string reason, std::string_view subject,
                          DeliveryToken origin, size_t max_rendered);

}  // namespace patron
