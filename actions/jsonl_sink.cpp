#include "actions/jsonl_sink.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "actions/action_json.hpp"

namespace patron {

// One file descriptor with its buffer.
class JsonlSink::Output {
 public:
  Output(int fd, bool owned, std::string name) : fd_(fd), owned_(owned), name_(std::move(name)) {}
  ~Output() {
    if (owned_ && fd_ >= 0) ::close(fd_);
  }
  Output(const Output&) = delete;
  Output& operator=(const Output&) = delete;

  static Result<std::unique_ptr<Output>> Create(const std::string& path) {
    int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return Status::Io("cannot create " + path + ": " + std::strerror(errno));
    return std::make_unique<Output>(fd, true, path);
  }

  std::string& buffer() { return buffer_; }

  Status Flush() {
    size_t done = 0;
    while (done < buffer_.size()) {
      ssize_t n = ::write(fd_, buffer_.data() + done, buffer_.size() - done);
      if (n < 0) {
        if (errno == EINTR) continue;
        const int err = errno;
        buffer_.erase(0, done);
        return Status::Io("cannot write " + name_ + ": " + std::strerror(err));
      }
      done += static_cast<size_t>(n);
    }
    buffer_.clear();
    return Status::Ok();
  }

 private:
  int fd_;
  bool owned_;
  std::string name_;
  std::string buffer_;
};

Result<std::unique_ptr<JsonlSink>> JsonlSink::Open(const std::string& actions_path,
                                                   const std::string& dead_path, JsonlSinkOptions options) {
  std::unique_ptr<Output> actions;
  if (actions_path.empty() || actions_path == "-") {
    actions = std::make_unique<Output>(STDOUT_FILENO, false, "standard output");
  } else {
    auto created = Output::Create(actions_path);
    if (!created.ok()) return created.status();
    actions = std::move(created).value();
  }
  std::unique_ptr<Output> dead;
  if (!dead_path.empty()) {
    auto created = Output::Create(dead_path);
    if (!created.ok()) return created.status();
    dead = std::move(created).value();
  }
  return std::make_unique<JsonlSink>(std::move(actions), std::move(dead), options);
}

JsonlSink::JsonlSink(std::unique_ptr<Output> actions, std::unique_ptr<Output> dead, JsonlSinkOptions options)
    : actions_(std::move(actions)), dead_(std::move(dead)), options_(options) {}

JsonlSink::~JsonlSink() { (void)Flush(); }

Status JsonlSink::Publish(const Action& action) {
  std::string& buf = actions_->buffer();
  AppendActionJson(buf, action);
  buf += '\n';
  ++actions_written_;
  auto indexed = per_rule_index_.find(std::string_view(action.rule));
  if (indexed == per_rule_index_.end())
    indexed = per_rule_index_.emplace(action.rule, &per_rule_[action.rule]).first;
  ++*indexed->second;
  return buf.size() >= options_.buffer_bytes ? actions_->Flush() : Status::Ok();
}

Status JsonlSink::PublishDead(const DeadLetter& dead) {
  ++dead_letters_;
  if (!dead_) return Status::Ok();
  std::string& buf = dead_->buffer();
  AppendDeadLetterJson(buf, dead);
  buf += '\n';
  return buf.size() >= options_.buffer_bytes ? dead_->Flush() : Status::Ok();
}

Status JsonlSink::Flush() {
  Status actions = actions_->Flush();
  Status dead = dead_ ? dead_->Flush() : Status::Ok();
  return actions.ok() ? dead : actions;
}

}  // namespace patron
