#pragma once
// Turns SIGINT and SIGTERM into a call on a thread of its own (not in a
// signal handler), so that the callback may block (draining a subscription
// waits for the engine to make room), and keeps SIGHUP from killing the
// process: each SIGHUP is reported to its own callback and otherwise
// ignored (rule reload on SIGHUP comes with a later issue). The signals are
// caught while the object lives; destroying it stops watching and joins the
// thread (waiting for a callback in progress). Both callbacks run on that
// thread, one at a time.

#include <functional>
#include <memory>

namespace patron::runtime {

class StopSignals {
 public:
  // Calls `on_signal(signal_number)` for the first SIGINT or SIGTERM only
  // (later ones are caught and dropped), and `on_hangup()` for every SIGHUP
  // (may be empty: then SIGHUP is dropped silently).
  explicit StopSignals(std::function<void(int)> on_signal, std::function<void()> on_hangup = {});
  ~StopSignals();
  StopSignals(const StopSignals&) = delete;
  StopSignals& operator=(const StopSignals&) = delete;

  struct Watcher;  // the io_context, signal_set and thread; in the .cpp

 private:
  std::unique_ptr<Watcher> watcher_;
};

}  // namespace patron::runtime
