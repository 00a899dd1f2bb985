#include "base/json_writer.hpp"

namespace patron {

void JsonWriter::EscapedKey(std::string_view key) {
  if (need_comma_) out_.push_back(',');
  AppendJsonString(out_, key);
  out_.push_back(':');
  need_comma_ = false;
}

}  // namespace patron
