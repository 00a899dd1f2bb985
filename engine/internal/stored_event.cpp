#include "engine/internal/stored_event.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "engine/internal/event_data.hpp"

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
  boost::system::error_code ec;
  boost::json::value data = boost::json::parse(stored.data_json, ec);
  if (ec || !data.is_object()) return Status::Corruption("stored event " + stored.id + ": data is not a JSON object");
  out.data = std::move(data.get_object());
  // The same reading of data.store and data.customer as at intake, except
  // that a malformed field counts as absent: an emitted event's fields never
  // went through intake.
  ReadStoreAndCustomer(out.data, out, MalformedField::kSkip);
  out.store = stored.store;
  return Status::Ok();
}

}  // namespace patron
