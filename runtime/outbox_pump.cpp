#include "runtime/outbox_pump.hpp"

#include "base/crash_point.hpp"

namespace patron::runtime {

Result<size_t> OutboxPump::Apply(Engine& engine) {
  delivery_.TakeCompleted(completed_);
  if (completed_.empty()) return size_t{0};
  sent_.clear();
  for (OutboxCompletion& c : completed_) {
    if (c.delivered) {
      sent_.push_back(c.seq);
    } else {
      PATRON_RETURN_IF_ERROR(engine.GiveUpOutboxRow(c.seq, c.payload, std::move(c.reason), c.address));
    }
  }
  PATRON_CRASH_POINT("after-publish-before-tombstone");
  PATRON_RETURN_IF_ERROR(engine.MarkOutboxSent(sent_));
  return completed_.size();
}

}  // namespace patron::runtime
