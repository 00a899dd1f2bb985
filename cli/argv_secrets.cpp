#include "cli/argv_secrets.hpp"

#include <string_view>

#include "base/url_secrets.hpp"

namespace patron::cli {

void HideUrlSecretsInArgv(int argc, char** argv) {
  for (int i = 0; i < argc; ++i) {
    for (const SecretSpan& s : FindUrlSecrets(std::string_view(argv[i])))
      for (size_t k = 0; k < s.size; ++k) argv[i][s.begin + k] = '*';
  }
}

}  // namespace patron::cli
