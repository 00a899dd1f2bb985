#include "engine/stored_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "base/phone.hpp"

namespace patron {

StoredEvent ToStoredEvent(const Event& event) {
  StoredEvent s;
  s.source = event.source;
  s.id = event.id;
  s.type = event.type;
  s.time = event.time;
  s.time_text = event.time_text;
  s.store = event.store;
  s.data_json = boost::json::serialize(event.data);
  return s;
}

Status FromStoredEvent(const StoredEvent& stored, Event& out) {
  out.source = stored.source;
  out.id = stored.id;
  out.type = stored.type;
  out.time = stored.time;
  out.time_text = stored.time_text;
  out.store = stored.store;
  for (auto& v : out.identity) v.clear();
  boost::system::error_code ec;
  boost::json::value data = boost::json::parse(stored.data_json, ec);
  if (ec || !data.is_object()) return Status::Corruption("stored event " + stored.id + ": data is not a JSON object");
  out.data = std::move(data.get_object());
  if (const auto* customer = out.data.if_contains("customer"); customer && customer->is_object()) {
    for (size_t k = 0; k < kIdentityKindCount; ++k) {
      const auto* v = customer->get_object().if_contains(IdentityKindName(static_cast<IdentityKind>(k)));
      if (v == nullptr || !v->is_string()) continue;
      std::string_view text = v->get_string();
      out.identity[k] = static_cast<IdentityKind>(k) == IdentityKind::kPhone ? NormalisePhone(text) : std::string(text);
    }
  }
  return Status::Ok();
}

}  // namespace patron
