#include "runtime/line_source.hpp"

namespace patron::runtime {

Result<std::unique_ptr<LineSource>> LineSource::Open(const std::string& path, LineReaderOptions options) {
  auto reader = LineReader::Open(path, options);
  if (!reader.ok()) return reader.status();
  return std::make_unique<LineSource>(std::move(reader.value()));
}

Result<MessageSource::Poll> LineSource::Take(std::vector<InboundMessage>& out, size_t max, size_t& n) {
  n = 0;
  if (closed_) return Poll::kEnded;
  std::string_view line;
  while (n < max) {
    Result<bool> more = reader_->Next(line);
    if (!more.ok()) return more.status();
    if (!*more) return Poll::kEnded;
    if (IsBlank(line)) continue;
    if (out.size() <= n) out.resize(n + 1);
    InboundMessage& m = out[n++];
    m.subject.clear();
    m.payload.assign(line);
    m.token = DeliveryToken::Line(reader_->line_number());
  }
  return Poll::kReady;
}

}  // namespace patron::runtime
