#pragma once
// The `patron` commands. Each takes the words after its name, prints its
// own help and errors, and returns the process exit status (kExitOk,
// kExitFailure, kExitUsage of cli/command_line.hpp). Each runs on the
// calling thread and returns only when it is done.

#include <string>
#include <vector>

namespace patron::cli {

// patron check <file-or-dir>...
int CheckCommand(const std::vector<std::string>& args);
// patron replay --rules <file-or-dir> --events <file.jsonl> [...]
int ReplayCommand(const std::vector<std::string>& args);
// patron run --rules <file-or-dir> --data <dir> --core [...]
int RunCommand(const std::vector<std::string>& args);
// patron publish --events <file.jsonl> [--nats URL] [--subject-prefix P]
int PublishCommand(const std::vector<std::string>& args);
// patron inspect --data <dir> customer <phone|id> [--unmasked]
int InspectCommand(const std::vector<std::string>& args);
// patron subscribe --subject S [--nats URL] [--count N] [--timeout-ms T]
int SubscribeCommand(const std::vector<std::string>& args);

}  // namespace patron::cli
