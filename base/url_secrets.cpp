#include "base/url_secrets.hpp"

namespace patron {

std::vector<SecretSpan> FindUrlSecrets(std::string_view text) {
  std::vector<SecretSpan> spans;
  size_t from = 0;
  for (;;) {
    const size_t scheme = text.find("://", from);
    if (scheme == std::string_view::npos) break;
    const size_t authority = scheme + 3;
    // The authority ends at the path, the query, the next URL of a list, or
    // the end of the word.
    size_t end = text.find_first_of("/?#, \t", authority);
    if (end == std::string_view::npos) end = text.size();
    // The last '@' of the authority ends the userinfo (a password may hold '@').
    const size_t at = text.rfind('@', end == 0 ? 0 : end - 1);
    if (at != std::string_view::npos && at >= authority && at < end) {
      const size_t colon = text.find(':', authority);
      const size_t begin = colon != std::string_view::npos && colon < at ? colon + 1 : authority;
      if (at > begin) spans.push_back({begin, at - begin});
    }
    from = end;
  }
  return spans;
}

std::string RedactUrl(std::string_view text) {
  std::string out;
  size_t copied = 0;
  for (const SecretSpan& s : FindUrlSecrets(text)) {
    out.append(text.substr(copied, s.begin - copied));
    out.append("***");
    copied = s.begin + s.size;
  }
  out.append(text.substr(copied));
  return out;
}

}  // namespace patron
