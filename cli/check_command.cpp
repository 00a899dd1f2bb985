// patron check <file-or-dir>...: load, check and compile a rule set; print
// every error (language.md "Errors") and exit 1, or a one-line summary.

#include <iostream>

#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "runtime/rule_loading.hpp"

namespace patron::cli {

int CheckCommand(const std::vector<std::string>& args) {
  CommandHelp help{"check", "patron check [--timezone NAME] <file-or-dir>...",
                   "Loads the rule set (every *.rules file of a directory, in name order, or the\n"
                   "files given), checks and compiles it. Prints every error as\n"
                   "<path>:<line>:<col>: error: ... with the line and a caret on stderr and\n"
                   "exits 1; with no error prints a one-line summary on stdout and exits 0."};
  po::options_description options("Options");
  options.add_options()("timezone", po::value<std::string>()->default_value("Asia/Shanghai"),
                        "IANA timezone of the rule set (at HH:MM, between, calendar windows)");
  po::options_description hidden;
  hidden.add_options()("paths", po::value<std::vector<std::string>>(), "rule files or directories");
  po::positional_options_description positional;
  positional.add("paths", -1);
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, positional, args, vm, hidden)) return *exit;
  if (vm.count("paths") == 0) return UsageError("check", "give at least one rule file or directory");
  std::string timezone = vm["timezone"].as<std::string>();
  if (Status tz = CheckTimezone(timezone); !tz.ok()) return UsageError("check", tz.message());

  CompileOptions compile;
  compile.timezone = timezone;
  auto loaded = runtime::LoadAndCompileRules(vm["paths"].as<std::vector<std::string>>(), compile, std::cerr);
  if (!loaded) return kExitFailure;
  std::cout << "ok: " << runtime::DescribeRuleSet(loaded->rules) << "\n";
  return kExitOk;
}

}  // namespace patron::cli
