// libFuzzer target for the stored formats (STYLE.md §9): any bytes must
// decode or be rejected with Corruption, never crash or read out of bounds;
// whatever decodes must re-encode to bytes that decode to the same record.
// Built only with -DPATRON_BUILD_FUZZERS=ON and clang (stores/CMakeLists.txt).

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stores/customer_codec.hpp"
#include "stores/outcome_codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  patron::CustomerRecord record;
  if (patron::DecodeCustomer(bytes, record).ok()) {
    const std::string once = patron::EncodeCustomer(record);
    patron::CustomerRecord again;
    if (!patron::DecodeCustomer(once, again).ok() || patron::EncodeCustomer(again) != once) std::abort();
  }
  patron::RuleState state;
  (void)patron::DecodeRuleState(bytes, state);
  patron::Outcome outcome;
  (void)patron::DecodeOutcome(bytes, outcome);
  return 0;
}
