#pragma once
// A decoded CloudEvent (events.md "Events in"), as the engine evaluates it.
// Produced by the engine's EventDecoder on the engine's thread; owned by
// the caller. Plain data.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "base/time.hpp"
#include "model/identity.hpp"

namespace patron {

struct Event {
  std::string source;
  std::string id;
  std::string type;
  TimePoint time = 0;
  std::string time_text;  // as written
  std::string store;      // data.store, empty when absent
  // data.customer identifiers, phone normalised; empty when absent.
  std::array<std::string, kIdentityKindCount> identity;
  bool HasCustomer() const {
    for (const auto& v : identity)
      if (!v.empty()) return true;
    return false;
  }
  // The whole `data` member (customer and store included); empty if absent.
  boost::json::object data;
};

}  // namespace patron
