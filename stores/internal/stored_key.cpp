#include "stores/internal/stored_key.hpp"

#include "base/stable_hash.hpp"

namespace patron::stored_key {

std::string_view LongForm(std::string_view raw, std::string& buf) {
  buf.assign(raw.substr(0, kLongKeyPrefix));
  buf.push_back('\0');
  buf.append(Hex64(StableHash({raw})));
  return buf;
}

}  // namespace patron::stored_key
