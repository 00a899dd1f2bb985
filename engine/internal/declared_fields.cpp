#include "engine/internal/declared_fields.hpp"

#include <boost/json/value.hpp>

#include "engine/value.hpp"

namespace patron {
namespace {

const char* JsonKindName(const boost::json::value& v) {
  switch (v.kind()) {
    case boost::json::kind::null: return "null";
    case boost::json::kind::bool_: return "a bool";
    case boost::json::kind::int64:
    case boost::json::kind::uint64:
    case boost::json::kind::double_: return "a number";
    case boost::json::kind::string: return "a string";
    case boost::json::kind::array: return "a list";
    case boost::json::kind::object: return "an object";
  }
  return "a value";
}

const char* Expected(dsl::ValueType type) {
  switch (type) {
    case dsl::ValueType::kBool: return "a bool";
    case dsl::ValueType::kNumber: return "a number";
    case dsl::ValueType::kString: return "a string";
    case dsl::ValueType::kTime: return "an RFC 3339 time with an offset";
    case dsl::ValueType::kList: return "a list";
    case dsl::ValueType::kObject: return "an object";
    default: return "any value";
  }
}

bool Conforms(const boost::json::value& v, dsl::ValueType type) {
  switch (type) {
    case dsl::ValueType::kBool: return v.is_bool();
    case dsl::ValueType::kNumber: return v.is_number();
    case dsl::ValueType::kString: return v.is_string();
    case dsl::ValueType::kTime: return v.is_string() && ParseRfc3339(v.get_string()).has_value();
    case dsl::ValueType::kList: return v.is_array();
    case dsl::ValueType::kObject: return v.is_object();
    default: return true;
  }
}

}  // namespace

std::optional<std::string> CheckNumberFits(const Event& event, std::string_view name, const boost::json::value& v) {
  if (!v.is_number() || JsonNumberToDecimal(v)) return std::nullopt;
  return "field '" + std::string(name) + "' of " + event.type +
         " is a number out of range (decimals hold at most about 9.2e12)";
}

std::optional<std::string> CheckBuiltinFields(const Event& event) {
  if (event.type != "order.completed") return std::nullopt;
  const boost::json::value* amount = event.data.if_contains("amount");
  return amount != nullptr ? CheckNumberFits(event, "amount", *amount) : std::nullopt;
}

std::optional<std::string> CheckDeclaredFields(const Event& event, const std::vector<DeclaredField>& fields) {
  for (const DeclaredField& f : fields) {
    const boost::json::value* v = event.data.if_contains(f.name);
    if (v == nullptr || v->is_null()) continue;
    if (f.type == dsl::ValueType::kNumber && v->is_number()) {
      if (auto reason = CheckNumberFits(event, f.name, *v)) return reason;
      continue;
    }
    if (Conforms(*v, f.type)) continue;
    std::string reason = "field '" + f.name + "' of " + event.type + " must be " + Expected(f.type) + ", got ";
    if (f.type == dsl::ValueType::kTime && v->is_string()) reason += "a string that is not one";
    else reason += JsonKindName(*v);
    return reason;
  }
  return std::nullopt;
}

}  // namespace patron
