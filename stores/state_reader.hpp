#pragma once
// Read-only access to a data directory written by LmdbStateStore (of
// `patron run` or `patron replay --data`), for `patron inspect` and, later,
// the reports and `explain`. Opened with MDB_RDONLY: it takes no writer lock
// and changes nothing, so it is safe while `patron run` writes the
// directory, from another process. Each call reads one consistent snapshot:
// the last commit before the call.

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/result.hpp"
#include "model/customer_record.hpp"

namespace patron {

// Outcome counts per rule name, then per outcome kind name ("fired",
// "held_out", ...), in name order.
using RuleStats = std::map<std::string, std::map<std::string, uint64_t>>;

class StateReader {
 public:
  // Opens the store in `dir` read-only (implemented over LMDB). NotFound
  // when `dir` holds no store, IoError (or Corruption) when its environment
  // cannot be opened. The reader keeps the environment open until destroyed;
  // do not open one in the process that has the store open for writing
  // (LMDB forbids opening one environment twice in a process) unless that
  // store was closed first.
  static Result<std::unique_ptr<StateReader>> Open(const std::string& dir);

  virtual ~StateReader() = default;

  // Tries `phone_or_id` as a customer id, then as a phone number
  // (normalised) through the identity index, then as each other identifier
  // kind. nullopt when nothing matches (or the store has no tables yet);
  // Corruption when the record found does not decode; an LMDB error when a
  // read fails.
  virtual Result<std::optional<CustomerRecord>> LookupCustomer(std::string_view phone_or_id) = 0;
  // The committed outcome counts (empty when none). Corruption for a
  // malformed count.
  virtual Result<RuleStats> ReadRuleStats() = 0;
};

// Threads: a reader may be used from any thread, by one thread at a time.

}  // namespace patron
