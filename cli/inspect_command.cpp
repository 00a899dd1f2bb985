// patron inspect: reads a data directory (of `run` or `replay --data`)
// without writing to it: a customer's profile, or the outcome counts per rule.

#include <filesystem>
#include <iostream>

#include "base/json_writer.hpp"
#include "base/phone.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "runtime/system_clock.hpp"
#include "stores/customer_json.hpp"
#include "stores/state_reader.hpp"

namespace patron::cli {
namespace {

constexpr const char* kName = "inspect";

int InspectCustomer(const std::string& data, const std::string& key, bool unmasked) {
  auto reader = StateReader::Open(data);
  if (!reader.ok()) return Failure(kName, reader.status().message());
  auto found = (*reader)->LookupCustomer(key);
  if (!found.ok()) return Failure(kName, found.status().message());
  if (!found->has_value()) {
    // The key may be a phone: echo it masked unless asked otherwise.
    return Failure(kName, "no customer '" + (unmasked ? key : MaskPhonesInText(key)) + "' in " + data);
  }
  std::cout << CustomerToJson(**found, runtime::SystemClock().Now(), !unmasked) << "\n";
  return kExitOk;
}

int InspectRules(const std::string& data) {
  auto reader = StateReader::Open(data);
  if (!reader.ok()) return Failure(kName, reader.status().message());
  auto stats = (*reader)->ReadRuleStats();
  if (!stats.ok()) return Failure(kName, stats.status().message());
  // {"<rule>":{"fired":3,"held_out":1},...}, rules in name order.
  std::string out;
  JsonWriter w(out);
  w.BeginObject();
  for (const auto& [rule, counts] : *stats) {
    w.EscapedKey(rule);
    w.BeginObject();
    for (const auto& [kind, n] : counts) {
      w.EscapedKey(kind);
      w.Int(n);
    }
    w.End();
  }
  w.End();
  std::cout << out << "\n";
  return kExitOk;
}

}  // namespace

int InspectCommand(const std::vector<std::string>& args) {
  CommandHelp help{kName,
                   "patron inspect --data DIR customer <phone|id> [--unmasked]\n"
                   "       patron inspect --data DIR rules",
                   "Reads the state in DIR (of `patron run` or `patron replay --data`) without\n"
                   "changing it; safe while `patron run` is using the directory.\n"
                   "\n"
                   "  customer <phone|id>  prints the customer's profile as one JSON object. The\n"
                   "                       key is tried as a Patron customer id, then as a phone\n"
                   "                       number (normalised), then as any other identifier\n"
                   "                       (openid, meituan_id, ...). The phone and birthday are\n"
                   "                       masked unless --unmasked is given. Exit 1 if not found.\n"
                   "  rules                prints the outcome counts per rule (fired, held out,\n"
                   "                       skipped by limit, suppressed, converted) as JSON."};
  po::options_description options("Options");
  options.add_options()("data", po::value<std::string>()->value_name("DIR"), "the data directory")(
      "unmasked", po::bool_switch(), "show phone numbers and birthdays in full");
  po::options_description hidden;
  hidden.add_options()("what", po::value<std::vector<std::string>>(), "what to inspect");
  po::positional_options_description positional;
  positional.add("what", -1);
  po::variables_map vm;
  if (auto exit = ParseCommandLine(help, options, positional, args, vm, hidden)) return *exit;

  std::vector<std::string> what;
  if (vm.count("what") != 0) what = vm["what"].as<std::vector<std::string>>();
  bool customer = what.size() == 2 && what[0] == "customer";
  bool rules = what.size() == 1 && what[0] == "rules";
  if (!customer && !rules) return UsageError(kName, "expected: customer <phone|id>, or rules");
  if (vm.count("data") == 0) return UsageError(kName, "--data is required");
  const std::string data = vm["data"].as<std::string>();
  std::error_code ec;
  if (!std::filesystem::is_directory(data, ec)) return Failure(kName, "no data directory '" + data + "'");
  return customer ? InspectCustomer(data, what[1], vm["unmasked"].as<bool>()) : InspectRules(data);
}

}  // namespace patron::cli
