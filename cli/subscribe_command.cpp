// patron subscribe: prints what arrives on a NATS subject, one message per
// line; what a store manager's app or the messaging gateway would receive.

#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "runtime/message_queue.hpp"
#include "cli/logging.hpp"
#include "cli/nats_access.hpp"
#include "cli/settings.hpp"
#include "transport/nats_connection.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "subscribe";

// Messages waiting to be printed before the delivery thread blocks.
constexpr size_t kQueueCapacity = 65'536;
constexpr std::chrono::milliseconds kFlushTimeout{10'000};

}  // namespace

int SubscribeCommand(const std::vector<std::string>& args) {
  CommandHelp help{
      kName, "patron subscribe --subject SUBJECT [--nats URL] [--count N] [--timeout-ms T] [--with-subject]",
      "Subscribes to SUBJECT (wildcards allowed: patron.actions.*.s012,\n"
      "patron.actions.message.>) and prints each message's payload on its own\n"
      "line on stdout, as it arrives. Prints 'subscribed to SUBJECT' on stderr\n"
      "once the server has the subscription. Stops after N messages, or after T\n"
      "milliseconds without a message; without either it runs until interrupted.\n"
      "Exit 1 when --count was not reached before the silence timeout."};
  po::options_description options("Options");
  options.add_options()("subject", po::value<std::string>()->value_name("SUBJECT"),
                        "the subject to listen to")("count", po::value<uint64_t>()->value_name("N"),
                                                    "stop after N messages")(
      "timeout-ms", po::value<uint64_t>()->value_name("T"), "stop after T ms without a message")(
      "with-subject", po::bool_switch(), "print each message's subject and a tab before it");
  AddSettingFlags(options, {kFlagNats, kFlagNatsAccess, kFlagConfig});
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, {}, args, vm)) return *exit;
  Result<Config> config = ResolveConfig(vm);
  if (!config.ok()) return ConfigErrorExit(kName, config.status());
  if (vm.count("subject") == 0) return UsageError(kName, "--subject is required");
  const std::string subject = vm["subject"].as<std::string>();
  // 0: no limit.
  const uint64_t count = vm.count("count") != 0 ? vm["count"].as<uint64_t>() : 0;
  const uint64_t silence_ms = vm.count("timeout-ms") != 0 ? vm["timeout-ms"].as<uint64_t>() : 0;
  if (vm.count("count") != 0 && count == 0) return UsageError(kName, "--count must be at least 1");
  if (vm.count("timeout-ms") != 0 && silence_ms == 0)
    return UsageError(kName, "--timeout-ms must be at least 1");
  const bool with_subject = vm["with-subject"].as<bool>();

  // Fails fast unless connect_wait_ms says to wait; logs on stderr.
  auto connection = ConnectFor(*config, "patron subscribe", std::chrono::milliseconds(0),
                               MakeLogger(kName, config->log_format, config->log_level));
  if (!connection.ok()) return Failure(kName, connection.status().message());
  runtime::MessageQueue queue(kQueueCapacity);
  auto subscription = connection->Subscribe(subject, [&queue](std::string_view s, std::string_view data) {
    queue.Push(InboundMessage{std::string(s), std::string(data), {}});
  });
  if (!subscription.ok()) return Failure(kName, subscription.status().message());
  if (Status s = connection->Flush(kFlushTimeout); !s.ok()) return Failure(kName, s.message());
  if (std::string refused = connection->LastPermissionViolation(); !refused.empty())
    return Failure(kName, "the NATS server refused the subscription: " + refused);
  std::cerr << "subscribed to " << subject << std::endl;

  uint64_t received = 0;
  std::vector<InboundMessage> batch;
  std::string out;
  while (count == 0 || received < count) {
    batch.clear();
    std::optional<runtime::MessageQueue::Clock::time_point> deadline;
    if (silence_ms > 0) deadline = runtime::MessageQueue::Clock::now() + std::chrono::milliseconds(silence_ms);
    size_t room = count > 0 ? static_cast<size_t>(count - received) : kQueueCapacity;
    queue.PopBatch(batch, room, deadline);
    if (batch.empty()) break;  // silence
    out.clear();
    for (const InboundMessage& m : batch) {
      if (with_subject) out.append(m.subject).push_back('\t');
      out.append(m.payload).push_back('\n');
    }
    std::cout << out << std::flush;
    received += batch.size();
  }
  queue.Close();  // first: a handler blocked on a full queue returns
  subscription->Unsubscribe();
  if (count > 0 && received < count) {
    return Failure(kName, "received " + std::to_string(received) + " of " + std::to_string(count) +
                              " messages before " + std::to_string(silence_ms) + " ms of silence");
  }
  return kExitOk;
}

}  // namespace patron::cli
