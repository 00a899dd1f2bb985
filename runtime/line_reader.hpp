#pragma once
// Reads a text file line by line with large buffered reads and no copy per
// line: `patron replay` and `patron publish` go through files of a million
// events (300 MB) with it. Not thread-safe; one reader per file.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace patron::runtime {

struct LineReaderOptions {
  // Size of one read(2); the buffer grows beyond it only for longer lines.
  size_t read_bytes = 4 << 20;
  // A line longer than this is an error (kInvalidArgument).
  size_t max_line_bytes = 64 << 20;
};

class LineReader {
 public:
  // Opens `path` for reading; kIoError naming the path when it cannot.
  static Result<std::unique_ptr<LineReader>> Open(const std::string& path, LineReaderOptions options = {});
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The next line without its "\n" (or "\r\n") in `line`, valid until the
  // next call. Returns false at the end of the file; kIoError on a read error.
  Result<bool> Next(std::string_view& line);
  // 1-based number of the line last returned.
  uint64_t line_number() const { return line_number_; }

  // Only Open() can make the key; the constructor takes ownership of `fd`.
  class Key {
    friend class LineReader;
    Key() = default;
  };
  LineReader(Key, int fd, std::string path, LineReaderOptions options);

 private:
  int fd_;
  std::string path_;
  LineReaderOptions options_;
  std::vector<char> buffer_;
  size_t begin_ = 0;  // first unread byte
  size_t end_ = 0;    // one past the last byte read
  bool eof_ = false;
  uint64_t line_number_ = 0;
};

// True when `line` holds nothing but spaces and tabs.
bool IsBlank(std::string_view line);

}  // namespace patron::runtime
