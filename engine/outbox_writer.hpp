#pragma once
// The durable outbox (`patron run`): instead of handing actions and dead
// letters to an ActionSink after the commit, the engine turns each into one
// or more outbox rows (StateStore::AppendOutbox) written in the same LMDB
// transaction as the state change that made them, and hands the committed
// rows to the writer, whose publisher sends them and reports back
// (Engine::MarkOutboxSent). A crash after the commit loses nothing: the
// rows are still there at the next start (Engine::ListUnsentOutbox), and
// the action ids they carry let the receiver drop what it already has.
// Implemented in actions/outbox_encoder.hpp. Engine thread only.

#include <string>
#include <vector>

#include "base/result.hpp"
#include "engine/state_store.hpp"
#include "model/action.hpp"

namespace patron {

class OutboxWriter {
 public:
  virtual ~OutboxWriter() = default;
  // Appends to `rows` the bytes of the rows that deliver `action` (one per
  // destination: NATS, and a webhook endpoint). An error stops the commit
  // (nothing of the batch is written): only for what cannot happen with
  // valid input; an action too large to send becomes a smaller row.
  virtual Status EncodeAction(const Action& action, std::vector<std::string>& rows) = 0;
  virtual Status EncodeDead(const DeadLetter& dead, std::vector<std::string>& rows) = 0;
  // `rows` (seq and bytes) are durable: send them. May move the strings
  // out. Called after each successful commit with that commit's rows, in
  // seq order (none: not called).
  virtual void Committed(std::vector<OutboxRow>& rows) = 0;
};

}  // namespace patron
