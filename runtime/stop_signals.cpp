#include "runtime/stop_signals.hpp"

#include <signal.h>

#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>

namespace patron::runtime {

struct StopSignals::Watcher {
  boost::asio::io_context io;
  boost::asio::signal_set signals{io, SIGINT, SIGTERM};
  std::thread thread;
};

StopSignals::StopSignals(std::function<void(int)> on_signal) : watcher_(std::make_unique<Watcher>()) {
  watcher_->signals.async_wait([on_signal = std::move(on_signal)](const boost::system::error_code& ec, int signal) {
    if (!ec) on_signal(signal);
  });
  watcher_->thread = std::thread([w = watcher_.get()] { w->io.run(); });
}

StopSignals::~StopSignals() {
  watcher_->io.stop();
  watcher_->thread.join();
}

}  // namespace patron::runtime
