// StrictJsonParser: boost::json::basic_parser with a handler that builds
// values exactly as boost::json::parser's does (a value_stack), and checks
// repeated keys and out-of-range numbers on the way. Keys of the open
// objects are kept (bytes, hash) until their object ends; an object's keys
// are compared pairwise when it is small, sorted by hash when large, so a
// 1 MiB object of distinct keys costs n log n, not n².

#include "engine/internal/strict_json.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <vector>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/error.hpp>
#include <boost/json/value_stack.hpp>

#include "base/utf8.hpp"
#include "engine/internal/reason_text.hpp"

namespace patron {
namespace {

namespace json = boost::json;

// Objects with at most this many keys are checked pairwise.
constexpr size_t kPairwiseKeys = 16;

struct Handler {
  static constexpr size_t max_object_size = json::object::max_size();
  static constexpr size_t max_array_size = json::array::max_size();
  static constexpr size_t max_key_size = json::string::max_size();
  static constexpr size_t max_string_size = json::string::max_size();

  struct Key {
    uint64_t hash;
    size_t offset;  // in key_text
    size_t size;
  };

  json::value_stack st;
  std::vector<Key> keys;       // keys of the open objects, innermost last
  std::vector<size_t> frames;  // per open object: where its keys start in `keys`
  std::string key_text;        // the bytes of `keys`, and of the key being read
  size_t key_start = 0;        // where the key being read starts in key_text
  std::vector<uint32_t> order; // scratch for large objects
  std::string problem;         // why the handler stopped the parse, if it did

  Handler(json::storage_ptr sp, unsigned char* buffer, size_t size) : st(std::move(sp), buffer, size) {}

  std::string_view KeyOf(const Key& k) const { return std::string_view(key_text).substr(k.offset, k.size); }
  bool Same(const Key& a, const Key& b) const {
    return a.hash == b.hash && a.size == b.size && std::memcmp(&key_text[a.offset], &key_text[b.offset], a.size) == 0;
  }
  // The first repeated key among keys[begin, end), or null.
  const Key* Repeated(size_t begin, size_t end) {
    if (end - begin <= kPairwiseKeys) {
      for (size_t i = begin + 1; i < end; ++i)
        for (size_t j = begin; j < i; ++j)
          if (Same(keys[i], keys[j])) return &keys[i];
      return nullptr;
    }
    order.clear();
    for (size_t i = begin; i < end; ++i) order.push_back(static_cast<uint32_t>(i));
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) { return keys[a].hash < keys[b].hash; });
    for (size_t i = 1; i < order.size(); ++i) {
      // Keys with equal hashes are adjacent; compare each with the run before it.
      for (size_t j = i; j-- > 0 && keys[order[j]].hash == keys[order[i]].hash;)
        if (Same(keys[order[i]], keys[order[j]])) return &keys[order[i]];
    }
    return nullptr;
  }
  bool Stop(std::string why, json::error_code& ec) {
    problem = std::move(why);
    ec = json::error::syntax;
    return false;
  }

  bool on_document_begin(json::error_code&) {
    keys.clear();
    frames.clear();
    key_text.clear();
    key_start = 0;
    problem.clear();
    return true;
  }
  bool on_document_end(json::error_code&) { return true; }
  bool on_object_begin(json::error_code&) {
    frames.push_back(keys.size());
    return true;
  }
  bool on_object_end(size_t n, json::error_code& ec) {
    const size_t begin = frames.back();
    if (const Key* k = Repeated(begin, keys.size())) return Stop("repeated key " + Quote(KeyOf(*k)) + " in a JSON object", ec);
    if (begin < keys.size()) key_text.resize(keys[begin].offset);
    key_start = key_text.size();
    keys.resize(begin);
    frames.pop_back();
    st.push_object(n);
    return true;
  }
  bool on_array_begin(json::error_code&) { return true; }
  bool on_array_end(size_t n, json::error_code&) {
    st.push_array(n);
    return true;
  }
  bool on_key_part(json::string_view s, size_t, json::error_code&) {
    key_text.append(s.data(), s.size());
    st.push_chars(s);
    return true;
  }
  bool on_key(json::string_view s, size_t, json::error_code&) {
    key_text.append(s.data(), s.size());
    uint64_t h = 0xcbf29ce484222325ULL;  // FNV-1a: only compared within one parse
    for (size_t i = key_start; i < key_text.size(); ++i) {
      h ^= static_cast<unsigned char>(key_text[i]);
      h *= 0x100000001b3ULL;
    }
    keys.push_back(Key{h, key_start, key_text.size() - key_start});
    key_start = key_text.size();
    st.push_key(s);
    return true;
  }
  bool on_string_part(json::string_view s, size_t, json::error_code&) {
    st.push_chars(s);
    return true;
  }
  bool on_string(json::string_view s, size_t, json::error_code&) {
    st.push_string(s);
    return true;
  }
  bool on_number_part(json::string_view, json::error_code&) { return true; }
  bool on_int64(int64_t i, json::string_view, json::error_code&) {
    st.push_int64(i);
    return true;
  }
  bool on_uint64(uint64_t u, json::string_view, json::error_code&) {
    st.push_uint64(u);
    return true;
  }
  bool on_double(double d, json::string_view text, json::error_code& ec) {
    if (!std::isfinite(d)) return Stop("number " + Quote(std::string_view(text.data(), text.size())) + " is out of range", ec);
    st.push_double(d);
    return true;
  }
  bool on_bool(bool b, json::error_code&) {
    st.push_bool(b);
    return true;
  }
  bool on_null(json::error_code&) {
    st.push_null();
    return true;
  }
  bool on_comment_part(json::string_view, json::error_code&) { return true; }
  bool on_comment(json::string_view, json::error_code&) { return true; }
};

json::parse_options OptionsWithDepth(size_t max_depth) {
  json::parse_options o;
  o.max_depth = std::max<size_t>(max_depth, 1);
  return o;
}

}  // namespace

struct StrictJsonParser::Impl {
  explicit Impl(size_t max_depth)
      : max_depth(max_depth), parser(OptionsWithDepth(max_depth), json::storage_ptr(), temp, sizeof(temp)) {}

  size_t max_depth;
  // Scratch for the value stack's temporaries, so small messages need no heap for them.
  unsigned char temp[4096];
  json::basic_parser<Handler> parser;
};

StrictJsonParser::StrictJsonParser(size_t max_depth) : impl_(std::make_unique<Impl>(max_depth)) {}
StrictJsonParser::~StrictJsonParser() = default;

std::optional<std::string> StrictJsonParser::Parse(std::string_view text, const json::storage_ptr& storage,
                                                   json::value& out) {
  json::basic_parser<Handler>& parser = impl_->parser;
  parser.reset();
  parser.handler().st.reset(storage);
  parser.handler().problem.clear();
  json::error_code ec;
  const size_t consumed = parser.write_some(false, text.data(), text.size(), ec);
  if (!ec && consumed < text.size()) ec = json::error::extra_data;
  if (!ec) {
    out = parser.handler().st.release();
    return std::nullopt;
  }
  if (size_t bad = FirstInvalidUtf8(text); bad != std::string_view::npos)
    return "not valid UTF-8 at byte " + std::to_string(bad);
  if (!parser.handler().problem.empty()) return std::move(parser.handler().problem);
  if (ec == json::error::too_deep)
    return "JSON nested deeper than " + std::to_string(impl_->max_depth) + " levels (at offset " +
           std::to_string(consumed) + ")";
  return "not valid JSON at offset " + std::to_string(consumed) + ": " + ec.message();
}

}  // namespace patron
