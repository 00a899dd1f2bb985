// libFuzzer target for the stored timers (STYLE.md §9): any bytes must
// decode or be rejected with Corruption, never crash or read out of bounds;
// whatever decodes must re-encode to bytes that decode to the same timer.
// The first 16 bytes also go through the key codec, which must round-trip.
// Built only with -DPATRON_BUILD_FUZZERS=ON and clang (stores/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "stores/timer_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  patron::TimerKey key;
  if (patron::DecodeTimerKey(bytes.substr(0, patron::kTimerKeySize), key).ok() &&
      patron::EncodeTimerKey(key) != bytes.substr(0, patron::kTimerKeySize))
    std::abort();
  patron::TimerRecord timer;
  if (patron::DecodeTimer(bytes, key, timer).ok()) {
    const std::string once = patron::EncodeTimer(timer);
    patron::TimerRecord again;
    if (!(timer.key == key) || !patron::DecodeTimer(once, key, again).ok() ||
        patron::EncodeTimer(again) != once)
      std::abort();
  }
  return 0;
}
