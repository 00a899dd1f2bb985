#include "base/phone.hpp"

namespace patron {

std::string NormalisePhone(std::string_view raw) {
  std::string digits;
  digits.reserve(raw.size());
  bool plus = false;
  for (size_t i = 0; i < raw.size(); ++i) {
    char c = raw[i];
    if (c >= '0' && c <= '9') digits.push_back(c);
    else if (c == '+' && digits.empty()) plus = true;
    else if (c == ' ' || c == '-' || c == '.' || c == '(' || c == ')' || c == '\t') continue;
    else digits.push_back(c);  // keep anything unexpected: it still identifies
  }
  if (digits.rfind("0086", 0) == 0) digits.erase(0, 4);
  else if ((plus || digits.size() == 13) && digits.rfind("86", 0) == 0) digits.erase(0, 2);
  return digits;
}

std::string MaskPhone(std::string_view phone) {
  if (phone.size() < 8) return "****";
  std::string out(phone.substr(0, 3));
  out += "****";
  out += phone.substr(phone.size() - 4);
  return out;
}

std::string MaskPhonesInText(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] >= '0' && text[i] <= '9') {
      size_t j = i;
      while (j < text.size() && text[j] >= '0' && text[j] <= '9') ++j;
      if (j - i >= 7) out += MaskPhone(text.substr(i, j - i));
      else out.append(text.substr(i, j - i));
      i = j;
    } else {
      out.push_back(text[i++]);
    }
  }
  return out;
}

}  // namespace patron
