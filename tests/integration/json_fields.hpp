#pragma once
// Reading members of the JSON lines the integration tests receive.

#include <string>
#include <string_view>

#include <boost/json.hpp>

namespace patron::testing {

// The member at `path` ("data.cause.event") of `v` as text: a string as is,
// anything else serialised, "<missing>" when absent.
inline std::string Field(const boost::json::value& v, std::string_view path) {
  const boost::json::value* at = &v;
  while (!path.empty()) {
    size_t dot = path.find('.');
    std::string_view key = path.substr(0, dot);
    const boost::json::object* o = at->if_object();
    if (o == nullptr || !o->contains(key)) return "<missing>";
    at = &o->at(key);
    path = dot == std::string_view::npos ? std::string_view() : path.substr(dot + 1);
  }
  if (const boost::json::string* s = at->if_string()) return std::string(*s);
  return boost::json::serialize(*at);
}

inline std::string Field(std::string_view json_text, std::string_view path) {
  return Field(boost::json::parse(json_text), path);
}

}  // namespace patron::testing
