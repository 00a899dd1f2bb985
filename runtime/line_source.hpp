#pragma once
// A file of events, one CloudEvent per line, as a MessageSource (`patron
// replay`): every non-blank line is a message with no subject and the token
// DeliveryToken::Line(its 1-based line number), so a rejected line's dead
// letter names it. Always ready until the end of the file. One thread.

#include <memory>
#include <string>

#include "runtime/line_reader.hpp"
#include "runtime/message_source.hpp"

namespace patron::runtime {

class LineSource final : public MessageSource {
 public:
  // Opens `path`; kIoError naming it when it cannot be read.
  static Result<std::unique_ptr<LineSource>> Open(const std::string& path, LineReaderOptions options = {});
  explicit LineSource(std::unique_ptr<LineReader> reader) : reader_(std::move(reader)) {}

  void SetWakeup(std::function<void()>) override {}  // never idle
  // kReady while lines remain, kEnded at the end of the file; kIoError (or
  // kInvalidArgument for an over-long line) from the reader.
  Result<Poll> Take(std::vector<InboundMessage>& out, size_t max, size_t& n) override;
  void Close() override { closed_ = true; }

 private:
  std::unique_ptr<LineReader> reader_;
  bool closed_ = false;
};

}  // namespace patron::runtime
