#include "base/crash_point.hpp"

#ifdef PATRON_CRASH_POINTS
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

namespace patron::crash_internal {
namespace {

struct Armed {
  std::string name;  // empty: no crash point armed
  long long nth = 1;
};

Armed ReadArmed() {
  Armed a;
  const char* spec = std::getenv("PATRON_CRASH_AT");
  if (spec == nullptr || *spec == '\0') return a;
  std::string s(spec);
  if (auto colon = s.rfind(':'); colon != std::string::npos) {
    a.nth = std::atoll(s.c_str() + colon + 1);
    s.resize(colon);
  }
  a.name = s;
  return a;
}

}  // namespace

void Hit(const char* name) {
  static const Armed armed = ReadArmed();
  static std::atomic<long long> hits{0};
  if (armed.name.empty() || armed.name != name) return;
  if (hits.fetch_add(1) + 1 != armed.nth) return;
  std::fprintf(stderr, "crash point %s: hit %lld, aborting\n", name, armed.nth);
  std::fflush(stderr);
  std::abort();
}

}  // namespace patron::crash_internal
#endif
