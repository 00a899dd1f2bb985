#include "engine/internal/event_data.hpp"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/phone.hpp"

namespace patron {
namespace {

namespace json = boost::json;

// A string, or an integer as its decimal text, into `out`; false otherwise.
// null leaves `out` empty.
bool StringOrInteger(const json::value& v, std::string& out) {
  switch (v.kind()) {
    case json::kind::string:
      out.assign(v.get_string().data(), v.get_string().size());
      return true;
    case json::kind::int64:
      out = std::to_string(v.get_int64());
      return true;
    case json::kind::uint64:
      out = std::to_string(v.get_uint64());
      return true;
    case json::kind::null:
      out.clear();
      return true;
    default:
      return false;
  }
}

}  // namespace

const char* JsonKindName(const json::value& v) {
  switch (v.kind()) {
    case json::kind::null:
      return "null";
    case json::kind::bool_:
      return "a boolean";
    case json::kind::int64:
    case json::kind::uint64:
    case json::kind::double_:
      return "a number";
    case json::kind::string:
      return "a string";
    case json::kind::array:
      return "an array";
    case json::kind::object:
      return "an object";
  }
  return "a value";
}

std::optional<std::string> ReadStoreAndCustomer(const json::object& data, Event& out, MalformedField malformed,
                                                size_t max_identifier_bytes) {
  const bool skip = malformed == MalformedField::kSkip;
  out.store.clear();
  for (auto& slot : out.identity) slot.clear();
  const json::value* store = nullptr;
  const json::value* customer = nullptr;
  for (const json::key_value_pair& member : data) {
    if (member.key() == "store")
      store = &member.value();
    else if (member.key() == "customer")
      customer = &member.value();
  }
  if (store != nullptr && !StringOrInteger(*store, out.store)) {
    if (!skip) return std::string("'data.store' is ") + JsonKindName(*store) + ", not a string";
    out.store.clear();
  }
  if (customer == nullptr || customer->is_null()) return std::nullopt;
  if (!customer->is_object()) {
    if (skip) return std::nullopt;
    return std::string("'data.customer' is ") + JsonKindName(*customer) + ", not an object";
  }
  // Identifiers are checked in IdentityKind order, so the first bad one is reported.
  for (size_t k = 0; k < kIdentityKindCount; ++k) {
    const auto kind = static_cast<IdentityKind>(k);
    const std::string_view name = IdentityKindName(kind);
    const json::value* v = customer->get_object().if_contains(name);
    if (v == nullptr) continue;
    std::string& slot = out.identity[k];
    if (!StringOrInteger(*v, slot)) {
      if (skip) {
        slot.clear();
        continue;
      }
      return "'data.customer." + std::string(name) + "' is " + JsonKindName(*v) + ", not a string or an integer";
    }
    if (slot.size() > max_identifier_bytes) {
      if (!skip)
        return "'data.customer." + std::string(name) + "' is " + std::to_string(slot.size()) +
               " bytes, over the limit of " + std::to_string(max_identifier_bytes);
      slot.clear();
      continue;
    }
    if (kind == IdentityKind::kPhone && !slot.empty()) slot = NormalisePhone(slot);
  }
  return std::nullopt;
}

}  // namespace patron
