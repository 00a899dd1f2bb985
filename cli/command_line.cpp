#include "cli/command_line.hpp"

#include <iostream>

#include "base/timezone.hpp"

namespace patron::cli {

std::optional<int> ParseCommandLine(const CommandHelp& help, po::options_description options,
                                    const po::positional_options_description& positional,
                                    const std::vector<std::string>& args, po::variables_map& vm,
                                    const po::options_description& hidden) {
  options.add_options()("help,h", "print this help and exit");
  po::options_description all;
  all.add(options).add(hidden);
  try {
    po::store(po::command_line_parser(args).options(all).positional(positional).run(), vm);
    if (vm.count("help") != 0) {
      std::cout << "Usage: " << help.usage << "\n\n" << help.description << "\n\n" << options;
      return kExitOk;
    }
    po::notify(vm);
  } catch (const po::error& e) {
    return UsageError(help.name, e.what());
  }
  return std::nullopt;
}

int UsageError(const std::string& command, const std::string& message) {
  std::cerr << "patron " << command << ": " << message << "\n"
            << "Try 'patron " << command << " --help' for more information.\n";
  return kExitUsage;
}

int Failure(const std::string& command, const std::string& message) {
  std::cerr << "patron " << command << ": " << message << "\n";
  return kExitFailure;
}

bool Given(const po::variables_map& vm, const char* name) {
  auto it = vm.find(name);
  return it != vm.end() && !it->second.defaulted();
}

Status CheckTimezone(const std::string& name) {
  // The same lookup the engine makes (date/tz over the OS tzdata), so a name
  // accepted here always loads there.
  if (!TimeZone::Load(name).ok()) {
    return Status::Invalid("unknown timezone '" + name +
                           "' (expected an IANA name from /usr/share/zoneinfo, e.g. Asia/Shanghai)");
  }
  return Status::Ok();
}

}  // namespace patron::cli
