// patron publish: sends each event of a JSON-lines file to NATS, on
// <prefix>.events.<type>; for tests, demos and backfills.

#include <cstdio>
#include <iostream>

#include <boost/json/parser.hpp>

#include "base/duration_text.hpp"
#include "base/stable_hash.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "runtime/line_reader.hpp"
#include "cli/logging.hpp"
#include "cli/nats_access.hpp"
#include "cli/retrying_publisher.hpp"
#include "cli/settings.hpp"
#include "transport/nats_connection.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "publish";

// How long the final flush waits for the server to take everything.
constexpr std::chrono::milliseconds kFlushTimeout{30'000};

// A dotted type that can be the tail of a subject: tokens of printable
// characters other than '*' and '>', no empty token.
bool IsSubjectTail(std::string_view type) {
  if (type.empty() || type.front() == '.' || type.back() == '.') return false;
  char previous = 0;
  for (unsigned char c : type) {
    if (c <= ' ' || c == '*' || c == '>' || c == 0x7f || (c == '.' && previous == '.')) return false;
    previous = static_cast<char>(c);
  }
  return true;
}

// What publish reads from an event line: the subject tail and, for
// JetStream, the Nats-Msg-Id.
struct LineFields {
  // `type`, or "unknown" when the line is not a JSON object with a usable
  // string `type` (the engine then dead-letters it).
  std::string type = "unknown";
  // "<source>|<id>" when both are strings without '|' or control
  // characters; else a hash of them ("sid:<hex>"), or of the whole line
  // ("line:<hex>") when either is missing. The same event gives the same id.
  std::string msg_id;
};

bool IsPlainIdPart(std::string_view s) {
  if (s.empty()) return false;
  for (unsigned char c : s)
    if (c < ' ' || c == 0x7f || c == '|') return false;
  return true;
}

std::string Hex(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

LineFields FieldsOf(std::string_view line, boost::json::parser& parser) {
  LineFields f;
  f.msg_id = "line:" + Hex(StableHash({line}));
  boost::system::error_code ec;
  parser.reset();
  parser.write(line.data(), line.size(), ec);
  if (ec) return f;
  boost::json::value v = parser.release();
  const boost::json::object* o = v.if_object();
  if (o == nullptr) return f;
  auto string_field = [&](const char* key) -> const boost::json::string* {
    auto it = o->find(key);
    return it == o->end() ? nullptr : it->value().if_string();
  };
  if (const boost::json::string* type = string_field("type"); type != nullptr && IsSubjectTail(*type))
    f.type = std::string(*type);
  const boost::json::string* source = string_field("source");
  const boost::json::string* id = string_field("id");
  if (source != nullptr && id != nullptr) {
    std::string_view sv(*source), iv(*id);
    f.msg_id = IsPlainIdPart(sv) && IsPlainIdPart(iv) ? std::string(sv).append("|").append(iv)
                                                      : "sid:" + Hex(StableHash({sv, iv}));
  }
  return f;
}

}  // namespace

int PublishCommand(const std::vector<std::string>& args) {
  CommandHelp help{kName,
                   "patron publish --events <file.jsonl> [--jetstream [--retry-for DURATION]] [--nats URL]\n"
                   "               [--subject-prefix PREFIX]",
                   "Publishes each non-blank line of the file, as it is, to <prefix>.events.<type>\n"
                   "with <type> read from the line's JSON. A line that is not a JSON object with\n"
                   "a string type goes to <prefix>.events.unknown, so that the engine\n"
                   "dead-letters it. Waits until the server has everything, then prints how\n"
                   "many lines were published. Exit 1 when the server cannot be reached.\n"
                   "\n"
                   "--jetstream publishes to JetStream (the stream PATRON_EVENTS, which `patron\n"
                   "run` creates) and waits for each acknowledgement; the Nats-Msg-Id of a line\n"
                   "is its event's source|id (a hash of the line when it has none), so the\n"
                   "stream keeps one copy of a line published twice within its duplicate\n"
                   "window. A publish not acknowledged (server down, connection cut, no stream\n"
                   "yet) is sent again with back-off, forever or for --retry-for (e.g. 10m);\n"
                   "the connection waits for a server the same way. Prints how many were\n"
                   "stored and how many the stream already had (duplicates). Exit 1 when a\n"
                   "line was never stored (retry bound passed, or refused for its size)."};
  po::options_description options("Options");
  options.add_options()("events", po::value<std::string>()->value_name("FILE"),
                        "events, one CloudEvent JSON object per line")(
      "jetstream", po::bool_switch(), "publish to JetStream with acks and retries (see above)")(
      "retry-for", po::value<std::string>()->value_name("DURATION"),
      "with --jetstream: give up on a line not stored after this long (default: never)");
  AddSettingFlags(options, {kFlagNats, kFlagNatsAccess, kFlagSubjectPrefix, kFlagConfig});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;
  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (vm.count("events") == 0) return UsageError(kName, "--events is required");
  const bool jetstream = vm["jetstream"].as<bool>();
  RetryingPublishOptions retry;
  if (vm.count("retry-for") != 0) {
    if (!jetstream) return UsageError(kName, "--retry-for needs --jetstream");
    auto bound = ParseDurationText(vm["retry-for"].as<std::string>());
    if (!bound.ok()) return UsageError(kName, "--retry-for: " + bound.status().message());
    retry.retry_for = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::microseconds(*bound));
  }

  auto reader = runtime::LineReader::Open(vm["events"].as<std::string>());
  if (!reader.ok()) return Failure(kName, reader.status().message());
  // Fails fast unless connect_wait_ms says to wait (with --jetstream: waits
  // as long as a publish is retried); logs on stderr.
  auto connection = ConnectFor(*config, "patron publish", jetstream ? retry.retry_for : std::chrono::milliseconds(0),
                               MakeLogger(kName, config->log_format, config->log_level));
  if (!connection.ok()) return Failure(kName, connection.status().message());
  std::unique_ptr<RetryingPublisher> acked;
  if (jetstream) {
    auto created = RetryingPublisher::Create(*connection, retry);
    if (!created.ok()) return Failure(kName, created.status().message());
    acked = std::move(*created);
  }
  const std::string prefix = config->subject_prefix + ".events.";
  boost::json::parser parser;
  uint64_t published = 0;
  uint64_t unknown = 0;
  std::string subject;
  std::string_view line;
  for (;;) {
    Result<bool> more = (*reader)->Next(line);
    if (!more.ok()) return Failure(kName, more.status().message());
    if (!*more) break;
    if (runtime::IsBlank(line)) continue;
    LineFields fields = FieldsOf(line, parser);
    if (fields.type == "unknown") ++unknown;
    subject.assign(prefix).append(fields.type);
    Status s = acked ? acked->Add(subject, std::string(line), std::move(fields.msg_id))
                     : connection->Publish(subject, line);
    if (!s.ok()) return Failure(kName, s.message());
    ++published;
  }
  RetryingPublishCounts counts;
  if (acked) {
    auto finished = acked->Finish();
    if (!finished.ok()) return Failure(kName, finished.status().message());
    counts = *finished;
  } else if (Status s = connection->Flush(kFlushTimeout); !s.ok()) {
    return Failure(kName, s.message());
  }
  if (std::string refused = connection->LastPermissionViolation(); !refused.empty())
    return Failure(kName, "the NATS server refused a publish: " + refused);
  std::cout << "published " << Plural(published, "event", "events");
  if (unknown > 0) std::cout << " (" << unknown << " without a usable type, to " << prefix << "unknown)";
  if (acked) {
    std::cout << ": " << counts.stored << " stored, " << Plural(counts.duplicates, "duplicate", "duplicates")
              << ", " << Plural(counts.retries, "retry", "retries");
    if (counts.refused > 0) std::cout << ", " << counts.refused << " refused (too large for the stream)";
  }
  std::cout << "\n";
  return acked && counts.refused > 0 ? kExitFailure : kExitOk;
}

}  // namespace patron::cli
