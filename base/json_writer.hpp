#pragma once
// JsonWriter: the one JSON writer of every module that writes JSON text
// itself (action envelopes and dead letters, customer profiles, rule values,
// `patron inspect`). It appends to a string the caller owns and places the
// commas; strings go through AppendJsonString (base/json_string.hpp).
// Built for the action hot path: inline, nothing virtual, nothing allocated
// beyond the output string's own growth, and the nesting is a 64-bit stack
// of bits inside the writer (hence a depth limit, below).

#include <charconv>
#include <concepts>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>

#include "base/decimal.hpp"
#include "base/json_string.hpp"
#include "base/time.hpp"

namespace patron {

namespace json_writer_internal {
// Never defined: a JsonKey constant that breaks the rule below calls it, which
// cannot happen at compile time, so the program does not compile.
void KeyMustBePrintableAsciiWithoutQuoteOrBackslashAndAtMost32Bytes();
}  // namespace json_writer_internal

// A member name fixed in the source: a string literal of at most kMaxSize
// ASCII bytes from 0x20 to 0x7f (no control characters) other than '"' and
// '\\', which JSON
// writes as they are. Checked when the program is compiled (any other literal
// does not compile), and `,"name":` is built then too, so JsonWriter::Key
// costs one append. Names known only at run time go through
// JsonWriter::EscapedKey.
class JsonKey {
 public:
  static constexpr size_t kMaxSize = 32;

  template <size_t N>
  consteval JsonKey(const char (&literal)[N])  // NOLINT: implicit, so that w.Key("id") reads well
      : name_(literal), size_(N - 1) {
    bool plain = N - 1 <= kMaxSize;
    for (size_t i = 0; i + 1 < N && plain; ++i) {
      const auto c = static_cast<unsigned char>(literal[i]);
      if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') plain = false;
    }
    if (!plain) json_writer_internal::KeyMustBePrintableAsciiWithoutQuoteOrBackslashAndAtMost32Bytes();
  }

  // The name, without quotes.
  constexpr std::string_view name() const { return {name_, size_}; }

 private:
  friend class JsonWriter;
  // The literal itself (static storage) and its length: two registers, so
  // that passing a key builds nothing on the stack.
  const char* name_;
  size_t size_;
};

// Writes one JSON value (usually an object or an array, but any value) at
// the end of `out`, what was there before left alone. Calls follow the shape
// of the text: BeginObject, then Key and a value per member, then End; values
// in an array without keys; the writer adds every ',' itself. Each value
// method has a member form, `String("code", c)` for `Key("code"); String(c)`.
//
// The caller keeps the shape right (a key before each value in an object,
// none in an array, one End per Begin): the writer does not check it, and a
// wrong shape gives wrong JSON but never undefined behaviour.
//
// Depth limit: at most kMaxDepth containers open at once. A container that
// would be the (kMaxDepth+1)-th is replaced, with all it holds, by `null`
// when its End comes (until then its text is in `out`), so the output is
// valid JSON once every container is closed; ok() turns false for good, and
// depth() counts the dropped containers too.
// Nothing else fails: the writer never throws (except std::string's own
// bad_alloc) and never stops.
//
// `out` must outlive the writer; the writer holds no other memory. Not
// thread-safe (like the string it writes to); use one writer per string.
class JsonWriter {
 public:
  static constexpr int kMaxDepth = 64;

  explicit JsonWriter(std::string& out) : out_(out) {}
  JsonWriter(const JsonWriter&) = delete;
  JsonWriter& operator=(const JsonWriter&) = delete;

  // Every method but EscapedKey is inline and passes `this` to no call, so
  // a hot caller compiled with [[gnu::flatten]] (AppendActionJson) keeps the
  // writer in registers and folds most comma and depth tests away.

  // '{' or '[': opens a container (see the depth limit above).
  void BeginObject() { Begin(true); }
  void BeginArray() { Begin(false); }
  // '}' or ']', whichever closes the innermost open container. Nothing at
  // depth 0.
  void End() {
    if (depth_ > kMaxDepth) return EndTooDeep();
    if (depth_ == 0) return;
    out_.push_back((objects_ & 1) != 0 ? '}' : ']');
    objects_ >>= 1;
    --depth_;
    need_comma_ = true;
  }

  // A member name inside an object. Key copies a checked literal; EscapedKey
  // escapes any text as a JSON string.
  void Key(JsonKey key) {
    // `,"name":` in one append from a small buffer (key.size_ <= kMaxSize).
    char buf[JsonKey::kMaxSize + 4];
    char* p = buf;
    if (need_comma_) *p++ = ',';
    *p++ = '"';
    std::memcpy(p, key.name_, key.size_);
    p += key.size_;
    *p++ = '"';
    *p++ = ':';
    out_.append(buf, static_cast<size_t>(p - buf));
    need_comma_ = false;
  }
  void EscapedKey(std::string_view key);

  // A string, escaped by AppendJsonString (invalid UTF-8 becomes U+FFFD).
  void String(std::string_view text) {
    Separate();
    AppendJsonString(out_, text);
  }
  // An integer in decimal (bool is not an integer here).
  template <std::integral T>
  requires(!std::same_as<T, bool>) void Int(T value) {
    Separate();
    char buf[24];  // 20 digits and a sign at most
    const auto end = std::to_chars(buf, buf + sizeof buf, value).ptr;
    out_.append(buf, static_cast<size_t>(end - buf));
  }
  // A number as Decimal::AppendTo writes it: 500, 128.5, -0.25.
  void Number(Decimal value) {
    Separate();
    value.AppendTo(out_);
  }
  void Bool(bool value) {
    Separate();
    out_.append(value ? "true" : "false", value ? 4 : 5);
  }
  void Null() {
    Separate();
    out_.append("null", 4);
  }
  // A time as an RFC 3339 UTC string (AppendRfc3339Utc): "2026-03-31T12:34:56Z".
  void Time(TimePoint t) {
    Separate();
    out_.push_back('"');
    AppendRfc3339Utc(out_, t);
    out_.push_back('"');
  }
  // Text that already is exactly one JSON value (a constant string such as
  // "\"1.0\"" included), appended as it is: the writer does not look inside,
  // so it must not be empty.
  void Raw(std::string_view json) {
    Separate();
    out_.append(json);
  }

  // Member forms: Key(key), then the value.
  void BeginObject(JsonKey key) {
    Key(key);
    BeginObject();
  }
  void BeginArray(JsonKey key) {
    Key(key);
    BeginArray();
  }
  void String(JsonKey key, std::string_view text) {
    Key(key);
    String(text);
  }
  template <std::integral T>
  requires(!std::same_as<T, bool>) void Int(JsonKey key, T value) {
    Key(key);
    Int(value);
  }
  void Number(JsonKey key, Decimal value) {
    Key(key);
    Number(value);
  }
  void Bool(JsonKey key, bool value) {
    Key(key);
    Bool(value);
  }
  void Null(JsonKey key) {
    Key(key);
    Null();
  }
  void Time(JsonKey key, TimePoint t) {
    Key(key);
    Time(t);
  }
  void Raw(JsonKey key, std::string_view json) {
    Key(key);
    Raw(json);
  }

  // Containers open now (0 at the start and after the last End).
  int depth() const { return depth_; }
  // False once a container was dropped for the depth limit.
  bool ok() const { return !overflowed_; }

 private:
  void Begin(bool object) {
    if (need_comma_) out_.push_back(',');
    if (depth_ >= kMaxDepth) return BeginTooDeep();
    out_.push_back(object ? '{' : '[');
    objects_ = (objects_ << 1) | (object ? 1 : 0);
    ++depth_;
    need_comma_ = false;
  }
  // Before a value: the ',' it needs.
  void Separate() {
    if (need_comma_) out_.push_back(',');
    need_comma_ = true;
  }
  // The depth limit's cold paths, inline too (a call that took `this` would
  // keep the writer in memory). What a dropped container holds is written
  // as usual, without its brackets, and erased by its End, so that values
  // and keys need no test for the limit.
  void BeginTooDeep() {
    if (depth_ == kMaxDepth) {
      dropped_at_ = out_.size();
      overflowed_ = true;
    }
    ++depth_;
    need_comma_ = false;
  }
  void EndTooDeep() {
    if (--depth_ > kMaxDepth) return;
    out_.resize(dropped_at_);
    out_.append("null", 4);
    need_comma_ = true;
  }

  std::string& out_;
  uint64_t objects_ = 0;     // bit k: the container k levels out from the innermost is an object
  int depth_ = 0;            // beyond kMaxDepth inside a dropped container
  size_t dropped_at_ = 0;    // where the outermost dropped container starts in out_
  bool need_comma_ = false;  // a value or key here must be preceded by ','
  bool overflowed_ = false;
};

}  // namespace patron
