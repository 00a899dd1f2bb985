#pragma once
// Test helper: a small HTTP/1.1 server (Boost.Beast) on 127.0.0.1 and a
// free port, on its own thread. It records every request and answers the
// i-th one (0-based) with the status `status_for(i)` returns; 0 means "never
// answer" (the connection is held open until the server is destroyed), for
// timeout tests. Tests wait for requests on a condition variable.

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace patron::testing {

class TestHttpServer {
 public:
  struct Request {
    std::string method;
    std::string target;
    std::string content_type;
    std::string host;
    std::string body;
    std::string idempotency_key;  // the Idempotency-Key header
  };

  explicit TestHttpServer(std::function<int(size_t index)> status_for)
      : status_for_(std::move(status_for)),
        acceptor_(io_, boost::asio::ip::tcp::endpoint(boost::asio::ip::make_address("127.0.0.1"), 0)) {
    boost::asio::co_spawn(io_, Accept(), boost::asio::detached);
    thread_ = std::thread([this] { io_.run(); });
  }
  ~TestHttpServer() {
    io_.stop();
    thread_.join();
  }
  TestHttpServer(const TestHttpServer&) = delete;
  TestHttpServer& operator=(const TestHttpServer&) = delete;

  int port() const { return acceptor_.local_endpoint().port(); }
  std::string url(const std::string& path) const {
    return "http://127.0.0.1:" + std::to_string(port()) + path;
  }

  // Waits until `n` requests have arrived; false after `timeout`.
  bool WaitForRequests(size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return requests_.size() >= n; });
  }
  std::vector<Request> requests() {
    std::lock_guard<std::mutex> lock(mu_);
    return requests_;
  }

 private:
  boost::asio::awaitable<void> Accept() {
    for (;;) {
      boost::system::error_code ec;
      boost::asio::ip::tcp::socket socket(io_);
      co_await acceptor_.async_accept(socket, boost::asio::redirect_error(boost::asio::use_awaitable, ec));
      if (ec) co_return;
      boost::asio::co_spawn(io_, Serve(std::move(socket)), boost::asio::detached);
    }
  }

  boost::asio::awaitable<void> Serve(boost::asio::ip::tcp::socket socket) {
    namespace http = boost::beast::http;
    boost::system::error_code ec;
    auto token = boost::asio::redirect_error(boost::asio::use_awaitable, ec);
    boost::beast::flat_buffer buffer;
    http::request<http::string_body> req;
    co_await http::async_read(socket, buffer, req, token);
    if (ec) co_return;
    int status = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      status = status_for_(requests_.size());
      requests_.push_back({std::string(req.method_string()), std::string(req.target()),
                           std::string(req[http::field::content_type]), std::string(req[http::field::host]),
                           req.body(), std::string(req["Idempotency-Key"])});
      cv_.notify_all();
    }
    if (status == 0) {
      // Hold the connection; the client gives up on its own timeout.
      boost::asio::steady_timer forever(io_, boost::asio::steady_timer::time_point::max());
      co_await forever.async_wait(token);
      co_return;
    }
    http::response<http::string_body> res{static_cast<http::status>(status), 11};
    res.set(http::field::content_type, "text/plain");
    if (status != 204 && status != 304) res.body() = "answer " + std::to_string(status);
    res.keep_alive(false);
    res.prepare_payload();
    co_await http::async_write(socket, res, token);
    socket.shutdown(boost::asio::ip::tcp::socket::shutdown_both, ec);
  }

  std::function<int(size_t)> status_for_;
  boost::asio::io_context io_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::thread thread_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Request> requests_;
};

}  // namespace patron::testing
