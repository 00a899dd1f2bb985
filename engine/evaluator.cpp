#include "engine/evaluator.hpp"

#include <boost/json/array.hpp>
#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "base/phone.hpp"
#include "engine/customer/lifecycle.hpp"
#include "engine/measures.hpp"

namespace patron {
namespace {

Value OptionalTime(const std::optional<TimePoint>& t) { return t ? Value::Time(*t) : Value(); }
Value NonEmpty(const std::string& s) { return s.empty() ? Value() : Value::String(s); }

size_t CodePoints(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s)
    if ((c & 0xC0) != 0x80) ++n;
  return n;
}

}  // namespace

Evaluator::Evaluator(const CompiledRules& rules) : rules_(rules), memo_(rules.nodes.size()) {}

void Evaluator::BeginEvent(const Event& event, const CustomerRecord* customer, TimePoint now) {
  event_ = &event;
  customer_ = customer;
  now_ = now;
  arena_.Reset();
  event_generation_ = ++counter_;
  customer_generation_ = event_generation_;
}

void Evaluator::CustomerChanged() { customer_generation_ = ++counter_; }

Value Evaluator::Eval(uint32_t id) {
  const Node& n = rules_.nodes[id];
  if (n.op == NodeOp::kConst) return rules_.constants[n.arg];
  if (!n.memo) {
    ++evaluations_;
    return Compute(n);
  }
  uint64_t generation = n.customer_dependent ? customer_generation_ : event_generation_;
  if (memo_[id].generation == generation) return memo_[id].value;
  ++evaluations_;
  Value v = Compute(n);
  memo_[id].generation = generation;
  memo_[id].value = v;
  return v;
}

Value Evaluator::WalkJson(const boost::json::value& at, const std::vector<std::string>& path, size_t from) {
  const boost::json::value* v = &at;
  for (size_t i = from; i < path.size(); ++i) {
    if (const boost::json::object* o = v->if_object()) {
      v = o->if_contains(path[i]);
      if (v == nullptr) return {};
    } else if (const boost::json::array* a = v->if_array()) {
      // A path through a list projects it: event.items.sku is every item's sku.
      // Items collect on the shared scratch stack above `start` (a nested
      // projection uses the part above ours and gives it back before returning).
      const size_t start = scratch_.size();
      for (const boost::json::value& element : *a) {
        Value r = WalkJson(element, path, i);
        if (r.kind() == ValueKind::kList) {  // projections flatten: items.opts.k is one list
          for (const Value& x : r.list()) scratch_.push_back(x);
        } else if (!r.is_null()) {
          scratch_.push_back(r);
        }
      }
      size_t n = scratch_.size() - start;
      Value* stored = arena_.NewValues(n);
      std::copy(scratch_.begin() + static_cast<std::ptrdiff_t>(start), scratch_.end(), stored);
      scratch_.resize(start);
      return Value::List(stored, n);
    } else {
      return {};
    }
  }
  return FromJson(*v, arena_);
}

Value Evaluator::EventField(const Node& n) {
  const std::vector<std::string>& path = rules_.event_paths[n.arg];
  const boost::json::value* first = event_->data.if_contains(path[0]);
  if (first == nullptr) return {};
  Value v = WalkJson(*first, path, 1);
  if (n.as_time) {
    if (v.kind() != ValueKind::kString) return {};
    auto t = ParseRfc3339(v.string());
    return t ? Value::Time(*t) : Value();
  }
  return v;
}

Value Evaluator::CustomerAttrValue(CustomerAttr attr) {
  if (customer_ == nullptr) return {};
  const CustomerProfile& p = customer_->profile;
  switch (attr) {
    case CustomerAttr::kId: return Value::String(p.id);
    case CustomerAttr::kName: return NonEmpty(p.name);
    case CustomerAttr::kPhone: return NonEmpty(p.phone);
    case CustomerAttr::kGender: return NonEmpty(p.gender);
    case CustomerAttr::kBirthday: return p.birthday ? Value::Date(*p.birthday) : Value();
    case CustomerAttr::kTier: return Value::String(p.tier);
    case CustomerAttr::kPoints: return Value::Number(p.points);
    case CustomerAttr::kTags: {
      Value* items = arena_.NewValues(p.tags.size());
      for (size_t i = 0; i < p.tags.size(); ++i) items[i] = Value::String(p.tags[i]);
      return Value::List(items, p.tags.size());
    }
    case CustomerAttr::kOrders: return Value::Number(Decimal::FromInt(p.orders));
    case CustomerAttr::kSpent: return Value::Number(p.spent);
    case CustomerAttr::kFirstOrderAt: return OptionalTime(p.first_order_at);
    case CustomerAttr::kLastOrderAt: return OptionalTime(p.last_order_at);
    case CustomerAttr::kJoinedAt: return OptionalTime(p.joined_at);
    case CustomerAttr::kLastSeenAt: return OptionalTime(p.last_seen_at);
    case CustomerAttr::kStore: return NonEmpty(p.store);
    case CustomerAttr::kOwner: return NonEmpty(p.owner);
    case CustomerAttr::kLifecycle: return Value::String(customer::Lifecycle(p, now_));
  }
  return {};
}

Value Evaluator::Compute(const Node& n) {
  switch (n.op) {
    case NodeOp::kConst:
      return rules_.constants[n.arg];
    case NodeOp::kEventId:
      return Value::String(event_->id);
    case NodeOp::kEventType:
      return Value::String(event_->type);
    case NodeOp::kEventTime:
      return Value::Time(event_->time);
    case NodeOp::kEventStore:
      return NonEmpty(event_->store);
    case NodeOp::kEventField:
      return EventField(n);
    case NodeOp::kCustomerAttr:
      return CustomerAttrValue(static_cast<CustomerAttr>(n.arg));
    case NodeOp::kCustomerCustom: {
      if (customer_ == nullptr) return {};
      const std::vector<std::string>& path = rules_.attr_paths[n.arg];
      const boost::json::value* first = customer_->profile.attrs.if_contains(path[0]);
      if (first == nullptr) return {};
      return WalkJson(*first, path, 1);
    }
    case NodeOp::kMakeList: {
      Value* items = arena_.NewValues(n.count);
      for (uint32_t i = 0; i < n.count; ++i) items[i] = Eval(rules_.list_children[n.arg + i]);
      return Value::List(items, n.count);
    }
    case NodeOp::kNot:
      return Value::Bool(!Eval(n.a).truthy());
    case NodeOp::kNegate:
      return Negate(Eval(n.a));
    case NodeOp::kAnd:
      return Value::Bool(Eval(n.a).truthy() && Eval(n.b).truthy());
    case NodeOp::kOr:
      return Value::Bool(Eval(n.a).truthy() || Eval(n.b).truthy());
    case NodeOp::kEq:
      return Value::Bool(ValuesEqual(Eval(n.a), Eval(n.b)));
    case NodeOp::kNe:
      return Value::Bool(ValuesDiffer(Eval(n.a), Eval(n.b)));
    case NodeOp::kLt:
    case NodeOp::kLe:
    case NodeOp::kGt:
    case NodeOp::kGe: {
      auto c = CompareValues(Eval(n.a), Eval(n.b));
      if (!c) return Value::Bool(false);
      switch (n.op) {
        case NodeOp::kLt: return Value::Bool(*c < 0);
        case NodeOp::kLe: return Value::Bool(*c <= 0);
        case NodeOp::kGt: return Value::Bool(*c > 0);
        default: return Value::Bool(*c >= 0);
      }
    }
    case NodeOp::kIn:
      return Value::Bool(ValueIn(Eval(n.a), Eval(n.b)));
    case NodeOp::kContains:
      return Value::Bool(ValueContains(Eval(n.a), Eval(n.b)));
    case NodeOp::kAdd:
      return Add(Eval(n.a), Eval(n.b));
    case NodeOp::kSub:
      return Subtract(Eval(n.a), Eval(n.b));
    case NodeOp::kMul:
      return Multiply(Eval(n.a), Eval(n.b));
    case NodeOp::kDiv:
      return Divide(Eval(n.a), Eval(n.b));
    case NodeOp::kDaysSince:
    case NodeOp::kHoursSince: {
      auto t = AsTime(Eval(n.a));
      if (!t) return {};
      int64_t per_unit_micros = n.op == NodeOp::kDaysSince ? kMicrosPerDay : kMicrosPerHour;
      // Elapsed microseconds / unit, as a decimal with 6 places: micros * 10^6 / unit.
      __int128 q = DivRound(__int128(now_ - *t) * Decimal::kScale, per_unit_micros);
      return Value::Number(Decimal::FromMicros(static_cast<int64_t>(q)));
    }
    case NodeOp::kLen: {
      Value v = Eval(n.a);
      switch (v.kind()) {
        case ValueKind::kString: return Value::Number(Decimal::FromInt(static_cast<int64_t>(CodePoints(v.string()))));
        case ValueKind::kList: return Value::Number(Decimal::FromInt(static_cast<int64_t>(v.list().size())));
        case ValueKind::kObject: return Value::Number(Decimal::FromInt(static_cast<int64_t>(v.object().size())));
        default: return {};
      }
    }
    case NodeOp::kLower: {
      Value v = Eval(n.a);
      if (v.kind() != ValueKind::kString) return {};
      std::string_view s = v.string();
      bool upper = false;
      for (char c : s) upper |= c >= 'A' && c <= 'Z';
      if (!upper) return v;
      char* p = arena_.NewChars(s.size());
      for (size_t i = 0; i < s.size(); ++i)
        p[i] = (s[i] >= 'A' && s[i] <= 'Z') ? static_cast<char>(s[i] - 'A' + 'a') : s[i];
      return Value::String(std::string_view(p, s.size()));
    }
    case NodeOp::kExists:
      return Value::Bool(!Eval(n.a).is_null());
    case NodeOp::kNow:
      return Value::Time(now_);
    case NodeOp::kCustomerMeasure: {
      if (customer_ == nullptr) return {};
      std::optional<Decimal> v = MeasureValue(rules_.measures[n.arg], *customer_, rules_.zone, now_);
      return v ? Value::Number(*v) : Value();
    }
  }
  return {};
}

void Evaluator::Render(const CompiledTemplate& t, bool mask_phone, std::string& out) {
  if (t.constant) {
    out += t.text;
    return;
  }
  for (const TemplatePiece& piece : t.pieces) {
    if (piece.node == kNoNode) {
      out += piece.literal;
      continue;
    }
    Value v = Eval(piece.node);
    if (mask_phone && piece.phone && !v.is_null()) {
      std::string text;
      AppendText(text, v);
      out += MaskPhone(text);
    } else {
      AppendText(out, v);
    }
  }
}

}  // namespace patron
