#pragma once
// The JSON parser of the door: Boost.JSON's own parser (standard JSON,
// strict UTF-8, no recursion: it keeps its own stack) with three checks
// that boost::json::parser does not make:
// - nesting deeper than a limit is refused (Boost.JSON's default is 32);
// - an object with a repeated key, at any depth, is refused (Boost.JSON
//   silently keeps the last one);
// - a number too large for a double (1e400) is refused (Boost.JSON makes it
//   infinity, which cannot be written back as JSON and fits no decimal).
// One parser per thread; it reuses its memory between calls. Internal to engine/.

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/storage_ptr.hpp>
#include <boost/json/value.hpp>

namespace patron {

class StrictJsonParser {
 public:
  // `max_depth`: the deepest nesting of objects and arrays accepted (>= 1).
  explicit StrictJsonParser(size_t max_depth);
  ~StrictJsonParser();
  StrictJsonParser(const StrictJsonParser&) = delete;
  StrictJsonParser& operator=(const StrictJsonParser&) = delete;

  // Parses all of `text` into `out`, allocating its values in `storage`.
  // nullopt on success; else the reason, one of:
  //   "not valid UTF-8 at byte N" (whatever else is wrong, bad UTF-8 is named first),
  //   "JSON nested deeper than D levels (at offset N)",
  //   "repeated key 'k' in a JSON object",
  //   "number '1e400' is out of range",
  //   "not valid JSON at offset N: <Boost.JSON's message>".
  // `out` is unspecified after a failure.
  std::optional<std::string> Parse(std::string_view text, const boost::json::storage_ptr& storage,
                                   boost::json::value& out);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace patron
