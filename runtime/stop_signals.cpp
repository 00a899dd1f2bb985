#include "runtime/stop_signals.hpp"

#include <signal.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace patron::runtime {

struct StopSignals::Watcher {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM, SIGHUP};
  std::function<void(int)> on_stop;
  std::function<void()> on_hangup;
  bool stopped = false;
  std::thread thread;

  // Waits for the next signal; every signal re-arms the wait, so the set
  // keeps catching them (a second SIGTERM never falls back to the default).
  void Arm() {
    signals.async_wait([this](const boost::system::error_code& ec, int signal) {
      if (ec) return;
      if (signal == SIGHUP) {
        if (on_hangup) on_hangup();
      } else if (!stopped) {
        stopped = true;
        on_stop(signal);
      }
      Arm();
    });
  }
};

StopSignals::StopSignals(std::function<void(int)> on_signal, std::function<void()> on_hangup)
    : watcher_(std::make_unique<Watcher>()) {
  watcher_->on_stop = std::move(on_signal);
  watcher_->on_hangup = std::move(on_hangup);
  watcher_->Arm();
  watcher_->thread = std::thread([w = watcher_.get()] { w->io.run(); });
}

StopSignals::~StopSignals() {
  watcher_->io.stop();
  watcher_->thread.join();
}

}  // namespace patron::runtime
