#include "runtime/message_queue.hpp"

namespace patron::runtime {

MessageQueue::MessageQueue(size_t capacity) : capacity_(capacity < 1 ? 1 : capacity) {}

bool MessageQueue::Push(InboundMessage message) {
  std::unique_lock lock(mutex_);
  not_full_.wait(lock, [&] { return closed_ || messages_.size() < capacity_; });
  if (closed_) return false;
  messages_.push_back(std::move(message));
  lock.unlock();
  not_empty_.notify_one();
  Wake();
  return true;
}

bool MessageQueue::PopBatch(std::vector<InboundMessage>& out, size_t max,
                            std::optional<Clock::time_point> deadline) {
  std::unique_lock lock(mutex_);
  auto ready = [&] { return closed_ || !messages_.empty(); };
  if (deadline) {
    not_empty_.wait_until(lock, *deadline, ready);
  } else {
    not_empty_.wait(lock, ready);
  }
  size_t n = 0;
  while (n < max && !messages_.empty()) {
    out.push_back(std::move(messages_.front()));
    messages_.pop_front();
    ++n;
  }
  bool more = !(closed_ && messages_.empty());
  lock.unlock();
  if (n > 0) not_full_.notify_all();
  return more || n > 0;
}

void MessageQueue::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  not_empty_.notify_all();
  not_full_.notify_all();
  Wake();
}

void MessageQueue::Wake() {
  std::lock_guard lock(wake_mutex_);
  if (wake_) wake_();
}

void MessageQueue::SetWakeup(std::function<void()> wake) {
  std::lock_guard lock(wake_mutex_);
  wake_ = std::move(wake);
}

Result<MessageSource::Poll> MessageQueue::Take(std::vector<InboundMessage>& out, size_t max, size_t& n) {
  n = 0;
  std::unique_lock lock(mutex_);
  while (n < max && !messages_.empty()) {
    if (out.size() <= n) out.resize(n + 1);
    out[n++] = std::move(messages_.front());
    messages_.pop_front();
  }
  const Poll poll = !messages_.empty() ? Poll::kReady : closed_ ? Poll::kEnded : Poll::kIdle;
  lock.unlock();
  if (n > 0) not_full_.notify_all();
  return poll;
}

size_t MessageQueue::size() const {
  std::lock_guard lock(mutex_);
  return messages_.size();
}

}  // namespace patron::runtime
