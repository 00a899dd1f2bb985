// The `patron` executable: dispatches to one command (cli/commands.hpp).

#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/argv_secrets.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/version.hpp"

namespace {

struct CommandEntry {
  std::string_view name;
  std::string_view summary;
  int (*run)(const std::vector<std::string>& args);
};

constexpr CommandEntry kCommands[] = {
    {"check", "check a rule set and print its errors", patron::cli::CheckCommand},
    {"replay", "run rules over a file of events, without a server", patron::cli::ReplayCommand},
    {"run", "run the engine on NATS", patron::cli::RunCommand},
    {"publish", "publish a file of events to NATS", patron::cli::PublishCommand},
    {"subscribe", "print the messages of a NATS subject", patron::cli::SubscribeCommand},
    {"inspect", "print a customer's profile from a data directory", patron::cli::InspectCommand},
};

void PrintHelp(std::ostream& out) {
  out << "Usage: patron <command> [options]\n\n"
         "Patron: an event-driven rule engine for restaurants. Rules written in\n"
         "Patron's language watch CloudEvents from NATS (or a file), keep one\n"
         "profile per customer, and emit actions.\n\n"
         "Commands:\n";
  for (const auto& c : kCommands) {
    out << "  " << c.name << std::string(12 - c.name.size(), ' ') << c.summary << "\n";
  }
  out << "\n'patron <command> --help' describes a command's options.\n"
         "Options: --help, --version.\n";
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    PrintHelp(std::cerr);
    return patron::cli::kExitUsage;
  }
  std::string_view first = argv[1];
  if (first == "--help" || first == "-h" || first == "help") {
    PrintHelp(std::cout);
    return patron::cli::kExitOk;
  }
  if (first == "--version") {
    std::cout << "patron " << patron::cli::Version() << "\n";
    return patron::cli::kExitOk;
  }
  for (const auto& c : kCommands) {
    if (c.name != first) continue;
    std::vector<std::string> args(argv + 2, argv + argc);
    // The copy is parsed; `ps` shows argv, so a URL's password leaves it.
    patron::cli::HideUrlSecretsInArgv(argc, argv);
    return c.run(args);
  }
  std::cerr << "patron: unknown command '" << first << "'\n"
            << "Try 'patron --help' for the list of commands.\n";
  return patron::cli::kExitUsage;
}
