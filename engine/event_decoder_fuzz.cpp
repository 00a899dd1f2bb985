// libFuzzer target for the event decoder (STYLE.md §9): any bytes must decode
// or be rejected with a reason, never crash, hang or throw. Built only with
// -DPATRON_BUILD_FUZZERS=ON and clang (engine/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "engine/event_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static patron::EventDecoder decoder;  // reused across inputs, as on the engine's thread
  patron::Event event;
  std::string_view message(reinterpret_cast<const char*>(data), size);
  auto reason = decoder.Decode(message, event);
  if (!reason && event.id.empty()) __builtin_trap();  // an accepted event always has an id
  return 0;
}
