// Plain tests of dsl/parse.hpp beside the goldens: values of the spec's
// examples, span round trips, error positions asserted as numbers,
// recovery and caps, directory loading, and hostile input.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include <catch2/catch.hpp>

#include "dsl/ast_dump.hpp"
#include "dsl/parse.hpp"
#include "tests/support/temp_dir.hpp"

using namespace patron;
using namespace patron::dsl;

namespace {

const char* const kSpecExamples = R"(# Wake customers who have not ordered for 30 days
rule "Wake sleeping customers"
  when no order.completed for 30 days
  where customer.tier != "blacklist" and not ("no-marketing" in customer.tags)
  then
    coupon "COMEBACK20" value 20 valid 14 days
    message sms "miss_you"
  limit 1 per customer per 60 days
  holdout 10%
end

rule "差评关怀"
  when review.posted where event.rating <= 2
  then
    message sms "sorry_bad_review"
    ticket "差评 {event.rating} 星: {event.text}" priority high to store_manager
end
)";

RuleSet MustLoad(const std::string& text) {
  Diagnostics diags;
  auto rules = LoadRuleText("t.rules", text, diags);
  INFO(diags.Render());
  REQUIRE(rules.has_value());
  return std::move(*rules);
}

Diagnostics MustFail(const std::string& text, const ParseOptions& options = {}) {
  Diagnostics diags;
  auto rules = LoadRuleText("t.rules", text, diags, options);
  REQUIRE_FALSE(rules.has_value());
  REQUIRE(diags.HasErrors());
  return diags;
}

std::string_view TextAt(const RuleSet& rs, Span span) {
  return std::string_view(rs.files.at(span.file).text).substr(span.begin, span.end - span.begin);
}

std::string ReadAll(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("the spec's examples parse to the expected values") {
  RuleSet rs = MustLoad(kSpecExamples);
  REQUIRE(rs.rules.size() == 2);

  const Rule& wake = rs.rules[0];
  CHECK(wake.name.text == "Wake sleeping customers");
  CHECK(wake.trigger.kind == TriggerKind::kAbsence);
  REQUIRE(wake.trigger.event_types.size() == 1);
  CHECK(wake.trigger.event_types[0].text == "order.completed");
  CHECK(wake.trigger.duration == 30 * kMicrosPerDay);
  CHECK(wake.trigger.where == nullptr);
  REQUIRE(wake.where != nullptr);
  CHECK(wake.where->binary_op == BinaryOp::kAnd);
  CHECK(wake.where->type == ValueType::kBool);
  REQUIRE(wake.actions.size() == 2);
  CHECK(wake.actions[0].kind == ActionKind::kCoupon);
  CHECK(wake.actions[0].text.source == "COMEBACK20");
  CHECK(wake.actions[0].coupon_value == Decimal::FromInt(20));
  CHECK(wake.actions[0].coupon_valid == 14 * kMicrosPerDay);
  CHECK(wake.actions[1].kind == ActionKind::kMessage);
  CHECK(wake.actions[1].channel == Channel::kSms);
  REQUIRE(wake.limit.has_value());
  CHECK(wake.limit->count == 1);
  CHECK(wake.limit->per_customer);
  CHECK(wake.limit->window == 60 * kMicrosPerDay);
  CHECK(wake.holdout_percent == Decimal::FromInt(10));
  CHECK(wake.priority == 0);

  const Rule& review = rs.rules[1];
  CHECK(review.name.text == "差评关怀");
  CHECK(review.trigger.kind == TriggerKind::kEvent);
  CHECK(review.trigger.event_types[0].text == "review.posted");
  REQUIRE(review.where != nullptr);  // no wait: the one where is the rule's
  CHECK(review.where->binary_op == BinaryOp::kLe);
  const Action& ticket = review.actions[1];
  CHECK(ticket.kind == ActionKind::kTicket);
  CHECK(ticket.priority == TicketPriority::kHigh);
  CHECK(ticket.role.text == "store_manager");
  REQUIRE(ticket.text.parts.size() == 4);
  CHECK(ticket.text.parts[0].literal == "差评 ");
  REQUIRE(ticket.text.parts[1].path != nullptr);
  CHECK(ticket.text.parts[1].path->segments[0].text == "rating");
  CHECK(ticket.text.parts[2].literal == " 星: ");
  CHECK(ticket.text.parts[3].path->segments[0].text == "text");
}

TEST_CASE("where placement follows wait") {
  RuleSet rs = MustLoad(R"(
rule "a" when first order.completed where event.x > 1 wait 24 hours where customer.orders == 1 then tag "a" end
rule "b" when order.completed wait 1h where customer.orders == 1 then tag "b" end
rule "c" when order.completed where event.x > 1 wait 2m then tag "c" end
)");
  REQUIRE(rs.rules.size() == 3);
  CHECK(rs.rules[0].trigger.where != nullptr);
  CHECK(rs.rules[0].where != nullptr);
  CHECK(rs.rules[0].wait == 24 * kMicrosPerHour);
  CHECK(rs.rules[1].trigger.where == nullptr);
  CHECK(rs.rules[1].where != nullptr);
  CHECK(rs.rules[2].trigger.where != nullptr);
  CHECK(rs.rules[2].where == nullptr);
  CHECK(rs.rules[2].wait == 2 * kMicrosPerMinute);
}

TEST_CASE("trigger values") {
  RuleSet rs = MustLoad(R"(
event order.completed { amount: number, cart_id: string }
rule "agg" when sum(order.completed.amount where event.amount > 1) over 30 days >= -2.5 then tag "a" end
rule "cnt" when count(order.completed) this week == 3 then tag "a" end
rule "nfb" when cart.abandoned not followed by order.completed within 2h on event.cart_id then tag "a" end
rule "fb" when a.x followed by b.y within 10m then tag "a" end
rule "date" when 3 days before customer.attrs.anniversary yearly at 9:30 then tag "a" end
rule "wd" when every friday at 18:00 then tag "a" end
rule "on" when on 2026-02-17 at 00:01 then tag "a" end
)");
  const Trigger& agg = rs.rules[0].trigger;
  CHECK(agg.kind == TriggerKind::kAggregate);
  CHECK(agg.aggregate == Aggregate::kSum);
  CHECK(agg.event_types[0].text == "order.completed");
  REQUIRE(agg.field.has_value());
  CHECK(agg.field->text == "amount");
  CHECK(agg.aggregate_where != nullptr);
  CHECK(agg.window == Window::kSliding);
  CHECK(agg.window_length == 30 * kMicrosPerDay);
  CHECK(agg.compare == CompareOp::kGe);
  CHECK(agg.threshold == Decimal::FromMicros(-2'500'000));

  const Trigger& cnt = rs.rules[1].trigger;
  CHECK(cnt.aggregate == Aggregate::kCount);
  CHECK_FALSE(cnt.field.has_value());
  CHECK(cnt.event_types[0].text == "order.completed");
  CHECK(cnt.window == Window::kWeek);

  const Trigger& nfb = rs.rules[2].trigger;
  CHECK(nfb.kind == TriggerKind::kNotFollowedBy);
  CHECK(nfb.event_types.size() == 2);
  CHECK(nfb.duration == 2 * kMicrosPerHour);
  REQUIRE(nfb.on_field.has_value());
  CHECK(nfb.on_field->text == "cart_id");
  CHECK(TextAt(rs, nfb.on_field->span) == "cart_id");

  CHECK(rs.rules[3].trigger.kind == TriggerKind::kFollowedBy);
  CHECK_FALSE(rs.rules[3].trigger.on_field.has_value());

  const Trigger& date = rs.rules[4].trigger;
  CHECK(date.kind == TriggerKind::kDate);
  CHECK(date.before);
  CHECK(date.yearly);
  CHECK(date.date_attribute.text == "attrs.anniversary");
  CHECK(date.at_minutes == 9 * 60 + 30);

  CHECK(rs.rules[5].trigger.kind == TriggerKind::kEveryWeekday);
  CHECK(rs.rules[5].trigger.weekday == 5);
  CHECK(rs.rules[6].trigger.kind == TriggerKind::kOnDate);
  CHECK(rs.rules[6].trigger.on_date == *ParseDate("2026-02-17"));
  CHECK(rs.rules[6].trigger.at_minutes == 1);
}

TEST_CASE("every span maps back to its token text") {
  // Every good golden file, plus the spec examples.
  std::vector<std::string> texts = {kSpecExamples};
  const auto root = std::filesystem::path(PATRON_SOURCE_DIR) / "tests" / "dsl" / "cases";
  for (const auto& e : std::filesystem::recursive_directory_iterator(root)) {
    if (e.path().extension() != ".rules") continue;
    std::string text = ReadAll(e.path());
    Diagnostics diags;
    if (LoadRuleText("x", text, diags)) texts.push_back(text);
  }
  REQUIRE(texts.size() > 10);
  size_t checked = 0;
  for (const std::string& text : texts) {
    RuleSet rs = MustLoad(text);
    auto starts_with = [&](Span s, std::string_view word) {
      return TextAt(rs, s).substr(0, word.size()) == word;
    };
    std::function<void(const Expr&)> expr = [&](const Expr& e) {
      std::string_view src = TextAt(rs, e.span);
      if (e.kind == ExprKind::kPath) {
        std::string dotted = e.root == PathRoot::kEvent ? "event" : "customer";
        for (const Name& n : e.segments) {
          dotted += "." + n.text;
          CHECK(TextAt(rs, n.span) == n.text);
        }
        CHECK(src == dotted);
      } else if (e.kind == ExprKind::kSegment) {
        CHECK(src == e.segment_name.text);
      } else if (e.kind == ExprKind::kLiteral && e.literal == LiteralKind::kString) {
        CHECK(src.front() == '"');
        CHECK(src.back() == '"');
      } else if (e.kind == ExprKind::kLiteral && e.literal == LiteralKind::kNumber) {
        CHECK(Decimal::Parse(src) == e.number);
      } else if (e.kind == ExprKind::kCall) {
        CHECK(TextAt(rs, e.function_name.span) == e.function_name.text);
        CHECK(src.back() == ')');
      } else if (e.kind == ExprKind::kBinary) {
        CHECK(e.span.begin <= e.args[0]->span.begin);
        CHECK(e.span.end >= e.args[1]->span.end);
      }
      ++checked;
      for (const auto& a : e.args) expr(*a);
    };
    auto templ = [&](const Template& t) {
      CHECK(TextAt(rs, t.span) == "\"" + t.source + "\"");
      for (const TemplatePart& p : t.parts) {
        if (p.path) expr(*p.path);
      }
    };
    for (const EventDecl& d : rs.events) {
      CHECK(starts_with(d.span, "event"));
      CHECK(TextAt(rs, d.type.span) == d.type.text);
      for (const FieldDecl& f : d.fields) CHECK(TextAt(rs, f.name.span) == f.name.text);
    }
    for (const Segment& s : rs.segments) {
      CHECK(starts_with(s.span, "segment"));
      CHECK(TextAt(rs, s.name.span) == s.name.text);
      expr(*s.expr);
    }
    for (const Rule& r : rs.rules) {
      CHECK(starts_with(r.span, "rule"));
      CHECK(TextAt(rs, r.span).substr(TextAt(rs, r.span).size() - 3) == "end");
      if (r.name.text.find_first_of("\"\\\n\t") == std::string::npos)
        CHECK(TextAt(rs, r.name.span) == r.name.text);
      CHECK(starts_with(r.trigger.span, "when"));
      for (const Name& t : r.trigger.event_types) CHECK(TextAt(rs, t.span) == t.text);
      if (r.trigger.field) CHECK(TextAt(rs, r.trigger.field->span) == r.trigger.field->text);
      if (r.trigger.kind == TriggerKind::kAggregate) {
        CHECK(TextAt(rs, r.trigger.aggregate_name.span) == r.trigger.aggregate_name.text);
      }
      if (r.trigger.kind == TriggerKind::kDate) {
        CHECK(TextAt(rs, r.trigger.date_attribute.span) == r.trigger.date_attribute.text);
      }
      if (r.trigger.aggregate_where) expr(*r.trigger.aggregate_where);
      if (r.trigger.where) expr(*r.trigger.where);
      if (r.where) expr(*r.where);
      if (r.wait) CHECK(starts_with(r.wait_span, "wait"));
      for (const Action& a : r.actions) {
        static const char* kWords[] = {"coupon", "message", "ticket", "remind", "tag",
                                       "untag",  "set",     "points", "emit",   "webhook"};
        CHECK(starts_with(a.span, kWords[static_cast<int>(a.kind)]));
        if (a.kind != ActionKind::kSet && a.kind != ActionKind::kPoints && a.kind != ActionKind::kEmit)
          templ(a.text);
        if (a.kind == ActionKind::kRemind) CHECK(TextAt(rs, a.role.span) == a.role.text);
        for (const Name& n : a.set_path) CHECK(TextAt(rs, n.span) == n.text);
        if (a.value) expr(*a.value);
        if (a.kind == ActionKind::kEmit) CHECK(TextAt(rs, a.emit_type.span) == a.emit_type.text);
        for (const EmitField& f : a.emit_fields) {
          CHECK(TextAt(rs, f.name.span) == f.name.text);
          expr(*f.value);
        }
      }
      if (r.limit) CHECK(starts_with(r.limit->span, "limit"));
      if (r.limit && r.limit->per_path) expr(*r.limit->per_path);
      if (r.holdout_percent) CHECK(starts_with(r.holdout_span, "holdout"));
      if (r.priority_span.end != 0) CHECK(starts_with(r.priority_span, "priority"));
      if (r.between) CHECK(starts_with(r.between->span, "between"));
    }
  }
  CHECK(checked > 200);
}

TEST_CASE("syntax errors name the token, its line and its column") {
  Diagnostics d = MustFail("rule \"x\"\n  when order.completed\n    coupon \"X\"\nend\n");
  REQUIRE(d.items().size() == 1);
  const Diagnostic& e = d.items()[0];
  CHECK(e.path == "t.rules");
  CHECK(e.line == 3);
  CHECK(e.column == 5);
  CHECK(e.width == 6);
  CHECK(e.message == "expected 'then' after the trigger, found 'coupon'");
  CHECK(e.source_line == "    coupon \"X\"");
  CHECK(d.Render() ==
        "t.rules:3:5: error: expected 'then' after the trigger, found 'coupon'\n"
        "    coupon \"X\"\n"
        "    ^~~~~~\n");
}

TEST_CASE("columns count characters, not bytes") {
  Diagnostics d =
      MustFail("rule \"差评关怀\" when review.posted where customer.teir == \"x\" then tag \"a\" end\n");
  REQUIRE(d.items().size() == 1);
  CHECK(d.items()[0].line == 1);
  // `rule "差评关怀" when review.posted where customer.` is 46 characters.
  CHECK(d.items()[0].column == 47);
  CHECK(d.items()[0].width == 4);
  CHECK(d.items()[0].message == "unknown customer attribute 'teir'; did you mean 'tier'?");

  Diagnostics s = MustFail("rule \"甲\" when a.b then message sms \"你好 {customer.nmae}\" end\n");
  REQUIRE(s.items().size() == 1);
  CHECK(s.items()[0].column == 50);  // the 'nmae' after `"你好 {customer.`
  CHECK(s.items()[0].width == 4);
}

TEST_CASE("the caret sits under the token in a terminal, CJK characters being two cells wide") {
  Diagnostics d =
      MustFail("rule \"差评关怀\" when review.posted where customer.teir == \"x\" then tag \"a\" end\n");
  REQUIRE(d.items().size() == 1);
  // 46 characters before the token, 4 of them CJK: 50 cells.
  CHECK(d.Render() ==
        "t.rules:1:47: error: unknown customer attribute 'teir'; did you mean 'tier'?\n"
        "rule \"差评关怀\" when review.posted where customer.teir == \"x\" then tag \"a\" end\n" +
            std::string(50, ' ') + "^~~~\n");
}

TEST_CASE("checker errors carry exact positions") {
  Diagnostics d = MustFail(
      "event review.posted { rating: number }\n"
      "rule \"a\"\n"
      "  when no order.completed for 30 days\n"
      "  where event.rating > 1 and customer.tier > 5\n"
      "  then tag \"{event.ratng}\"\n"
      "  holdout 150%\n"
      "end\n"
      "rule \"a\" when review.posted where event.ratng > 1 and customer in vips then tag \"x\" end\n");
  std::vector<std::tuple<uint32_t, uint32_t, std::string>> got;
  for (const Diagnostic& e : d.items()) got.emplace_back(e.line, e.column, e.message);
  std::vector<std::tuple<uint32_t, uint32_t, std::string>> want = {
      {4, 9, "'event' cannot be used here: an absence trigger has no event (use customer.* only)"},
      {4, 44, "cannot compare string with number"},
      {5, 14, "'event' cannot be used here: an absence trigger has no event (use customer.* only)"},
      {6, 11, "holdout must be between 0% and 100%, found 150%"},
      {8, 7, "duplicate rule name 'a' (first used at t.rules:2:7)"},
      {8, 41, "event 'review.posted' has no field 'ratng'; did you mean 'rating'?"},
      {8, 67, "unknown segment 'vips'"},
  };
  CHECK(got == want);
}

TEST_CASE("after a syntax error parsing resumes at the next rule, event or segment") {
  Diagnostics d = MustFail(
      "rule \"one\" when then tag \"a\" end\n"      // 1: no trigger
      "rule \"two\" when a.b then tag \"b\" end\n"  // 2: fine
      "segment s = customer.spent >\n"              // 3: missing operand
      "  event x.y { a: number }\n"                 // 4: resumes here (indented keyword)
      "rule \"three\" when a.b then tag end\n");    // 5: tag without text
  std::vector<std::pair<uint32_t, uint32_t>> at;
  for (const Diagnostic& e : d.items()) at.emplace_back(e.line, e.column);
  CHECK(at == std::vector<std::pair<uint32_t, uint32_t>>{{1, 17}, {4, 3}, {5, 32}});
  CHECK(d.items()[0].message == "expected a trigger after 'when', found 'then'");
  CHECK(d.items()[1].message == "expected an expression, found 'event'");
  CHECK(d.items()[2].message == "expected a string in double quotes, found 'end'");
}

TEST_CASE("syntax errors per file are capped") {
  std::string text;
  for (int i = 0; i < 10; ++i) text += "rule \"r" + std::to_string(i) + "\" when a.b then end\n";
  ParseOptions options;
  options.max_errors_per_file = 3;
  Diagnostics d = MustFail(text, options);
  CHECK(d.count() == 3);
  CHECK(d.items().back().line == 3);

  Diagnostics capped(2);
  auto rules = LoadRuleText("t.rules", text, capped);
  CHECK_FALSE(rules.has_value());
  CHECK(capped.count() == 10);
  CHECK(capped.items().size() == 2);
  const std::string rendered = capped.Render();
  CHECK(rendered.substr(rendered.size() - 22) == "... and 8 more errors\n");
}

TEST_CASE("end of file and unterminated strings") {
  Diagnostics d = MustFail("rule \"x\" when a.b then tag \"a\"\n\n");
  REQUIRE(d.items().size() == 1);
  CHECK(d.items()[0].line == 1);
  CHECK(d.items()[0].column == 31);  // just after the last character
  CHECK(d.items()[0].message == "expected an action, an option or 'end', found end of file");

  Diagnostics s = MustFail("rule \"x\" when a.b then tag \"abc\nend\n");
  REQUIRE(s.items().size() == 1);
  CHECK(s.items()[0].line == 1);
  CHECK(s.items()[0].column == 28);
  CHECK(s.items()[0].width == 4);
  CHECK(s.items()[0].message == "expected '\"' to close the string, found end of line");
}

TEST_CASE("keywords need a word boundary, after a dot any name goes") {
  RuleSet rs = MustLoad(
      "rule \"k\" when order.first where event.iffy == event.end and event.whenever == 1 and event.rule.then "
      "== 2\n"
      "then tag \"x\" end\n"
      "rule \"k2\"when a.b then tag\"x\"end\n");
  REQUIRE(rs.rules.size() == 2);
  CHECK(rs.rules[0].trigger.event_types[0].text == "order.first");
  CHECK(rs.rules[1].actions[0].text.source == "x");
}

TEST_CASE("lexical forms") {
  RuleSet rs = MustLoad(R"(
rule "d" when a.b then
  coupon "a" valid 30d coupon "b" valid 24 hours coupon "c" valid 10m coupon "d" valid 45 seconds
  coupon "e" valid 2w coupon "f" valid 1 day coupon "g" valid 1.5h
  coupon "h\"\\\n\t" value -3.25
  ticket "{{x}} {customer.name}}}" remind purchasing "r"
  points -2
end
)");
  const auto& a = rs.rules[0].actions;
  CHECK(a[0].coupon_valid == 30 * kMicrosPerDay);
  CHECK(a[1].coupon_valid == 24 * kMicrosPerHour);
  CHECK(a[2].coupon_valid == 10 * kMicrosPerMinute);
  CHECK(a[3].coupon_valid == 45 * kMicrosPerSecond);
  CHECK(a[4].coupon_valid == 14 * kMicrosPerDay);
  CHECK(a[5].coupon_valid == kMicrosPerDay);
  CHECK(a[6].coupon_valid == 90 * kMicrosPerMinute);
  REQUIRE(a[7].text.parts.size() == 1);
  CHECK(a[7].text.parts[0].literal == "h\"\\\n\t");
  CHECK(a[7].coupon_value == Decimal::FromMicros(-3'250'000));
  REQUIRE(a[8].text.parts.size() == 3);
  CHECK(a[8].text.parts[0].literal == "{x} ");
  CHECK(a[8].text.parts[1].path->segments[0].text == "name");
  CHECK(a[8].text.parts[2].literal == "}");
  CHECK(a[9].role.text == "purchasing");
  CHECK(a[10].value->kind == ExprKind::kLiteral);
  CHECK(a[10].value->number == Decimal::FromInt(-2));
}

TEST_CASE("LoadRuleSet reads a directory's .rules files in name order") {
  testing::TempDir dir;
  std::ofstream(dir.path() / "b.rules") << "rule \"b\" when a.b then tag \"b\" end\n";
  std::ofstream(dir.path() / "a.rules")
      << "segment s = customer.orders > 1\nrule \"a\" when a.b then tag \"a\" end\n";
  std::ofstream(dir.path() / "notes.txt") << "not rules";
  std::filesystem::create_directory(dir.path() / "sub.rules");

  Diagnostics diags;
  auto rs = LoadRuleSet({dir.str()}, diags);
  INFO(diags.Render());
  REQUIRE(rs.has_value());
  REQUIRE(rs->files.size() == 2);
  CHECK(rs->files[0].path == dir.str() + "/a.rules");
  CHECK(rs->files[1].path == dir.str() + "/b.rules");
  REQUIRE(rs->rules.size() == 2);
  CHECK(rs->rules[0].name.text == "a");
  CHECK(rs->rules[1].name.text == "b");
  CHECK(rs->rules[1].span.file == 1);

  // A duplicate across files is reported at the second, naming the first.
  std::ofstream(dir.path() / "c.rules") << "\nrule \"a\" when a.b then tag \"c\" end\n";
  Diagnostics dup;
  CHECK_FALSE(LoadRuleSet({dir.str()}, dup).has_value());
  REQUIRE(dup.items().size() == 1);
  CHECK(dup.items()[0].path == dir.str() + "/c.rules");
  CHECK(dup.items()[0].line == 2);
  CHECK(dup.items()[0].message == "duplicate rule name 'a' (first used at " + dir.str() + "/a.rules:2:7)");
}

TEST_CASE("an unreadable path is an error without a position") {
  testing::TempDir dir;
  const std::string missing = dir.str() + "/missing.rules";
  Diagnostics diags;
  CHECK_FALSE(LoadRuleSet({missing}, diags).has_value());
  REQUIRE(diags.items().size() == 1);
  CHECK(diags.items()[0].line == 0);
  CHECK(diags.Render() == missing + ": error: cannot read file: No such file or directory\n");
}

TEST_CASE("hostile input never throws and always reports") {
  std::string junk;
  uint32_t x = 12345;
  for (int i = 0; i < 4000; ++i) {
    x = x * 1103515245u + 12345u;
    junk += static_cast<char>(x >> 16);
  }
  const std::vector<std::string> inputs = {
      junk,
      std::string("rule \"\0\" when", 13),
      "\xEF\xBB\xBF",
      "rule",
      "rule \"",
      "event",
      "segment x =",
      "rule \"x\" when sum(",
      "rule \"x\" when a.b where ((((((((",
      "\xff\xfe rule",
      "rule \"x\" when a.b then tag \"{\"",
  };
  for (const std::string& in : inputs) {
    Diagnostics d;
    std::optional<RuleSet> rs;
    REQUIRE_NOTHROW(rs = LoadRuleText("j.rules", in, d));
    if (in == "\xEF\xBB\xBF") {
      CHECK(rs.has_value());  // a byte order mark alone is an empty rule set
    } else {
      CHECK_FALSE(rs.has_value());
      CHECK(d.HasErrors());
      CHECK_NOTHROW(d.Render());
    }
  }
}

TEST_CASE("many rules load") {
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += "rule \"r" + std::to_string(i) + "\" when order.completed where event.amount > " +
            std::to_string(i) + " then coupon \"C" + std::to_string(i) +
            "\" value 10 limit 1 per customer per 30 days end\n";
  }
  RuleSet rs = MustLoad(text);
  CHECK(rs.rules.size() == 2000);
  CHECK(rs.rules[1999].name.text == "r1999");
}

TEST_CASE("diagnostics helpers") {
  CHECK(EditDistance("tier", "tier") == 0);
  CHECK(EditDistance("teir", "tier") == 1);
  CHECK(EditDistance("kitten", "sitting") == 3);
  CHECK(EditDistance("", "abc") == 3);
  CHECK(Suggest("teir", {"id", "tier", "tags"}) == "tier");
  CHECK(Suggest("xyz", {"id", "tier"}).empty());
  CHECK(Suggest("lenght", {"len", "length", "lower"}) == "length");
  CHECK(Suggest("ab", {"abcd"}).empty());

  SourceMap map("ab\n差评x\n\nlast");
  CHECK(map.Line(0) == 1);
  CHECK(map.Line(3) == 2);
  CHECK(map.Column(3) == 1);
  CHECK(map.Column(9) == 3);  // 'x' after two 3-byte characters
  CHECK(map.LineText(2) == "差评x");
  CHECK(map.LineText(3).empty());
  CHECK(map.LineText(4) == "last");

  Diagnostic d;
  d.path = "f.rules";
  d.line = 2;
  d.column = 3;
  d.width = 2;
  d.message = "m";
  d.source_line = "\tab cd";
  CHECK(RenderDiagnostic(d) == "f.rules:2:3: error: m\n\tab cd\n\t ^~\n");
}

TEST_CASE("the dump is deterministic and shows spans") {
  RuleSet a = MustLoad(kSpecExamples);
  RuleSet b = MustLoad(kSpecExamples);
  CHECK(DumpAst(a) == DumpAst(b));
  const std::string dump = DumpAst(a);
  CHECK(dump.find("rule \"Wake sleeping customers\" @2:1-10:4\n") != std::string::npos);
  CHECK(dump.find("  trigger absence @3:3-3:38\n") != std::string::npos);
  CHECK(FormatDuration(30 * kMicrosPerDay) == "30d");
  CHECK(FormatDuration(90 * kMicrosPerMinute) == "90m");
  CHECK(FormatDuration(1500) == "1500us");
}

TEST_CASE("nesting and expression depth are bounded, not a stack overflow") {
  auto nested = [](int n) {
    return "rule \"x\" when a.b where " + std::string(n, '(') + "event.x" + std::string(n, ')') +
           " > 1 then tag \"a\" end\n";
  };
  MustLoad(nested(64));
  Diagnostics d = MustFail(nested(100000));
  REQUIRE(d.items().size() == 1);
  CHECK(d.items()[0].column == 90);  // the token inside the 65th parenthesis
  CHECK(d.items()[0].message ==
        "expression nested too deeply (more than 64 levels of parentheses, lists, calls, 'not' or '-')");

  std::string nots = "rule \"x\" when a.b where ";
  for (int i = 0; i < 100000; ++i) nots += "not ";
  nots += "true then tag \"a\" end\n";
  CHECK(MustFail(nots).items()[0].line == 1);

  std::string chain = "rule \"x\" when a.b where event.x";
  for (int i = 0; i < 100000; ++i) chain += " + 1";
  chain += " > 1 then tag \"a\" end\n";
  Diagnostics c = MustFail(chain);
  REQUIRE(c.items().size() == 1);
  CHECK(c.items()[0].message == "expression too deep (more than 256 operators applied one to another)");

  ParseOptions options;
  options.max_nesting = 2;
  Diagnostics small = MustFail("rule \"x\" when a.b where ((1)) == (((1))) then tag \"a\" end\n", options);
  REQUIRE(small.items().size() == 1);
  CHECK(small.items()[0].column == 37);  // the 1 inside the third parenthesis
}
