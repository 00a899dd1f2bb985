#include "runtime/line_reader.hpp"

#include <cerrno>
#include <cstring>

#include <fcntl.h>
#include <unistd.h>

namespace patron::runtime {

Result<std::unique_ptr<LineReader>> LineReader::Open(const std::string& path, LineReaderOptions options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return Status::Io("cannot open '" + path + "': " + std::strerror(errno));
  return std::make_unique<LineReader>(Key(), fd, path, options);
}

LineReader::LineReader(Key, int fd, std::string path, LineReaderOptions options)
    : fd_(fd), path_(std::move(path)), options_(options), buffer_(options.read_bytes) {
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
}

LineReader::~LineReader() { ::close(fd_); }

Result<bool> LineReader::Next(std::string_view& line) {
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buffer_.data() + begin_;
    const void* nl = std::memchr(buffer_.data() + scan_from, '\n', end_ - scan_from);
    if (nl != nullptr || (eof_ && begin_ < end_)) {
      size_t stop = nl != nullptr ? static_cast<size_t>(static_cast<const char*>(nl) - buffer_.data()) : end_;
      size_t length = stop - begin_;
      if (length > 0 && start[length - 1] == '\r') --length;
      line = std::string_view(start, length);
      begin_ = nl != nullptr ? stop + 1 : end_;
      ++line_number_;
      return true;
    }
    if (eof_) return false;
    // No whole line left: move the partial one to the front, grow if it
    // fills the buffer, and read more.
    size_t partial = end_ - begin_;
    if (begin_ > 0) {
      std::memmove(buffer_.data(), buffer_.data() + begin_, partial);
      begin_ = 0;
      end_ = partial;
    }
    if (buffer_.size() - end_ < options_.read_bytes / 2) {
      if (buffer_.size() >= options_.max_line_bytes) {
        return Status::Invalid("line " + std::to_string(line_number_ + 1) + " of '" + path_ +
                               "' is longer than " + std::to_string(options_.max_line_bytes) + " bytes");
      }
      buffer_.resize(buffer_.size() * 2);
    }
    scan_from = end_;
    ssize_t n;
    do {
      n = ::read(fd_, buffer_.data() + end_, buffer_.size() - end_);
    } while (n < 0 && errno == EINTR);
    if (n < 0) return Status::Io("cannot read '" + path_ + "': " + std::strerror(errno));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
  }
}

bool IsBlank(std::string_view line) {
  for (char c : line) {
    if (c != ' ' && c != '\t' && c != '\r') return false;
  }
  return true;
}

}  // namespace patron::runtime
