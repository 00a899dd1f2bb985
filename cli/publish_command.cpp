// patron publish: sends each event of a JSON-lines file to NATS, on
// <prefix>.events.<type>; for tests, demos and backfills.

#include <iostream>

#include <boost/json/parser.hpp>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "runtime/line_reader.hpp"
#include "cli/logging.hpp"
#include "cli/nats_access.hpp"
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

// The `type` of an event line, or "unknown" when the line is not a JSON
// object with a usable string `type` (the engine then dead-letters it).
std::string TypeOf(std::string_view line, boost::json::parser& parser) {
  boost::system::error_code ec;
  parser.reset();
  parser.write(line.data(), line.size(), ec);
  if (ec) return "unknown";
  boost::json::value v = parser.release();
  const boost::json::object* o = v.if_object();
  if (o == nullptr) return "unknown";
  auto it = o->find("type");
  if (it == o->end() || !it->value().is_string()) return "unknown";
  std::string_view type(it->value().get_string());
  return IsSubjectTail(type) ? std::string(type) : "unknown";
}

}  // namespace

int PublishCommand(const std::vector<std::string>& args) {
  CommandHelp help{kName, "patron publish --events <file.jsonl> [--nats URL] [--subject-prefix PREFIX]",
                   "Publishes each non-blank line of the file, as it is, to <prefix>.events.<type>\n"
                   "with <type> read from the line's JSON. A line that is not a JSON object with\n"
                   "a string type goes to <prefix>.events.unknown, so that the engine\n"
                   "dead-letters it. Waits until the server has everything, then prints how\n"
                   "many lines were published. Exit 1 when the server cannot be reached."};
  po::options_description options("Options");
  options.add_options()("events", po::value<std::string>()->value_name("FILE"),
                        "events, one CloudEvent JSON object per line");
  AddSettingFlags(options, {kFlagNats, kFlagNatsAccess, kFlagSubjectPrefix, kFlagConfig});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;
  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (vm.count("events") == 0) return UsageError(kName, "--events is required");

  auto reader = runtime::LineReader::Open(vm["events"].as<std::string>());
  if (!reader.ok()) return Failure(kName, reader.status().message());
  // Fails fast unless connect_wait_ms says to wait; logs on stderr.
  auto connection = ConnectFor(*config, "patron publish", std::chrono::milliseconds(0),
                               MakeLogger(kName, config->log_format, config->log_level));
  if (!connection.ok()) return Failure(kName, connection.status().message());
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
    std::string type = TypeOf(line, parser);
    if (type == "unknown") ++unknown;
    subject.assign(prefix).append(type);
    if (Status s = connection->Publish(subject, line); !s.ok()) return Failure(kName, s.message());
    ++published;
  }
  if (Status s = connection->Flush(kFlushTimeout); !s.ok()) return Failure(kName, s.message());
  if (std::string refused = connection->LastPermissionViolation(); !refused.empty())
    return Failure(kName, "the NATS server refused a publish: " + refused);
  std::cout << "published " << Plural(published, "event", "events");
  if (unknown > 0) std::cout << " (" << unknown << " without a usable type, to " << prefix << "unknown)";
  std::cout << "\n";
  return kExitOk;
}

}  // namespace patron::cli
