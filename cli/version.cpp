#include "cli/version.hpp"

namespace patron::cli {

const char* Version() { return PATRON_VERSION; }

}  // namespace patron::cli
