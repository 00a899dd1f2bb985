#pragma once
// What every `patron` command shares: exit statuses, parsing its arguments
// with Boost.ProgramOptions (with --help), and usage errors. Exceptions of
// Boost.ProgramOptions are caught here and never leave cli/.

#include <optional>
#include <string>
#include <vector>

#include <boost/program_options.hpp>

#include "base/result.hpp"
#include "runtime/engine_report.hpp"

namespace patron::cli {

using runtime::Plural;  // runtime/engine_report.hpp

namespace po = boost::program_options;

// Exit statuses of every command.
inline constexpr int kExitOk = 0;       // it ran
inline constexpr int kExitFailure = 1;  // rule errors, not found, could not run
inline constexpr int kExitUsage = 2;    // bad command line

// The help text of one command.
struct CommandHelp {
  std::string name;         // "replay"
  std::string usage;        // "patron replay --rules <file-or-dir> --events <file.jsonl> [options]"
  std::string description;  // paragraphs printed between usage and options
};

// Parses `args` (the words after the command name) into `vm`, with `--help`
// added to `options`; `hidden` options (positional arguments) are accepted
// but not listed in the help. Returns nullopt to go on, or the exit status
// the command must return at once: kExitOk after printing the help on
// stdout, kExitUsage after printing a usage error on stderr.
std::optional<int> ParseCommandLine(const CommandHelp& help, po::options_description options,
                                    const po::positional_options_description& positional,
                                    const std::vector<std::string>& args, po::variables_map& vm,
                                    const po::options_description& hidden = po::options_description());

// Prints "patron <command>: <message>" and a hint to use --help on stderr;
// returns kExitUsage.
int UsageError(const std::string& command, const std::string& message);

// Prints "patron <command>: <message>" on stderr; returns kExitFailure.
int Failure(const std::string& command, const std::string& message);

// True when the option was given on the command line (not a default).
bool Given(const po::variables_map& vm, const char* name);

// Ok when /usr/share/zoneinfo/<name> names a zone; kInvalidArgument otherwise.
Status CheckTimezone(const std::string& name);


}  // namespace patron::cli
