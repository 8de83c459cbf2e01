#include "records/record_line_parser.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "records/record_fields.h"
#include "util/utc_calendar.h"
#include "util/utf8.h"

namespace llmctl {
namespace {

// Far deeper than any record nests; the bound keeps a hostile line from
// costing more than its length.
constexpr size_t kMaxDepth = 512;

const char* ExpectedType(const RecordField& f) {
  switch (f.kind) {
    case FieldKind::kCount:
    case FieldKind::kUsd:
    case FieldKind::kMs:
    case FieldKind::kOptionalMs: return "a number";
    case FieldKind::kFlag: return "a boolean";
    default: return "a string";
  }
}

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

// One pass over one line. Every method that returns bool returns false
// after recording the first error, which is the one reported.
class RecordLineParser {
 public:
  RecordLineParser(std::string_view line, CallRecord* out)
      : begin_(line.data()), p_(line.data()), end_(line.data() + line.size()), r_(out) {}

  // Text outside strings must be ASCII to match the grammar, so only
  // strings are checked for valid UTF-8.
  Status Parse() {
    SkipSpace();
    if (p_ == end_) return Status::Usage("invalid JSON: empty line");
    if (*p_ != '{') {
      if (!SkipValue()) return Error();
      SkipSpace();
      if (p_ != end_) {
        Invalid("unexpected text after the value");
        return Error();
      }
      return Status::Usage("not a JSON object");
    }
    if (!Object()) return Error();
    SkipSpace();
    if (p_ != end_) {
      Invalid("unexpected text after the record");
      return Error();
    }
    if (!has_timestamp_) return Status::Usage("missing \"timestamp\"");
    return Status::Ok();
  }

 private:
  Status Error() const { return Status::Usage(error_); }

  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }
  bool Invalid(const char* what) {
    return Fail(std::string("invalid JSON: ") + what + " at byte " +
                std::to_string(p_ - begin_ + 1));
  }

  void SkipSpace() {
    while (p_ != end_ && IsSpace(*p_)) ++p_;
  }

  // Walks the members of the object p_ is at, calling member(key) with p_
  // at each value; true when the object is well formed to its end.
  template <typename OnMember>
  bool Members(const OnMember& member) {
    ++p_;
    SkipSpace();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    for (;;) {
      SkipSpace();
      if (p_ == end_ || *p_ != '"') return Invalid("expected a key");
      std::string_view key;
      if (!String(&key, &key_scratch_)) return false;
      SkipSpace();
      if (p_ == end_ || *p_ != ':') return Invalid("expected ':'");
      ++p_;
      SkipSpace();
      if (!member(key)) return false;
      SkipSpace();
      if (p_ == end_) return Invalid("unterminated object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      return Invalid("expected ',' or '}'");
    }
  }

  bool Object() {
    return Members([&](std::string_view key) { return Member(key); });
  }

  // A top-level member: a field reports read is parsed into the record,
  // anything else is only validated.
  bool Member(std::string_view key) {
    if (p_ == end_) return Invalid("expected a value");
    const RecordField* field = FindRecordField(key);
    if (!field) return key == "tags" ? Tags() : SkipValue();
    switch (*p_) {
      case '"': {
        std::string_view text;
        return String(&text, &value_scratch_) && TextField(*field, key, text);
      }
      case 't':
      case 'f': {
        const bool value = *p_ == 't';
        if (!Literal(value ? "true" : "false")) return false;
        if (field->kind != FieldKind::kFlag) return Mistyped(*field, key);
        r_->*field->flag = value;
        return true;
      }
      case 'n':
        // null keeps a field's default: writers put null for an absent value.
        return Literal("null");
      case '{':
      case '[': return Mistyped(*field, key);
      default: {
        double value;
        return Number(&value) && NumberField(*field, key, value);
      }
    }
  }

  bool Tags() {
    if (*p_ == 'n') return Literal("null");
    if (*p_ != '{') return Fail("\"tags\" must be an object of strings");
    const bool ok = Members([&](std::string_view key) {
      if (p_ == end_ || *p_ != '"') return Fail("\"tags\" must be an object of strings");
      std::string tag_key(key);
      std::string_view value;
      if (!String(&value, &value_scratch_)) return false;
      auto same_key = std::find_if(r_->tags.begin(), r_->tags.end(),
                                   [&](const auto& tag) { return tag.first == tag_key; });
      if (same_key != r_->tags.end()) same_key->second.assign(value);
      else r_->tags.emplace_back(std::move(tag_key), std::string(value));
      return true;
    });
    std::sort(r_->tags.begin(), r_->tags.end());
    return ok;
  }

  bool TextField(const RecordField& field, std::string_view key, std::string_view text) {
    switch (field.kind) {
      case FieldKind::kTimestamp: {
        auto ms = ParseRecordTimestamp(text);
        if (!ms) return Fail("bad \"timestamp\": " + std::string(text));
        r_->*field.integer = *ms;
        has_timestamp_ = true;
        return true;
      }
      case FieldKind::kText: (r_->*field.text).assign(text); return true;
      case FieldKind::kOptionalText: r_->*field.optional_text = std::string(text); return true;
      default: return Mistyped(field, key);
    }
  }

  // A number outside its field's domain fails the line: summed, one forged
  // or corrupted record would swamp (or, negative, cancel) every real one.
  // Every count and amount is checked as a double: the domains are far
  // inside the range where a double holds integers exactly.
  bool NumberField(const RecordField& field, std::string_view key, double d) {
    switch (field.kind) {
      case FieldKind::kCount: {
        const bool tokens = key.ends_with("_tokens");
        if (!(d >= 0 && d <= static_cast<double>(kMaxRecordTokens)) || d != std::floor(d))
          return OutOfDomain(key, d,
                             std::string("a whole number") + (tokens ? " of tokens" : "") +
                                 " from 0 to " + std::to_string(kMaxRecordTokens));
        r_->*field.integer = static_cast<int64_t>(d);
        return true;
      }
      case FieldKind::kUsd: {
        const double max_usd = static_cast<double>(kMaxRecordCostNanos) / 1e9;
        if (!(d >= 0 && d <= max_usd))
          return OutOfDomain(
              key, d,
              "an amount of USD from 0 to " + std::to_string(static_cast<int64_t>(max_usd)));
        r_->*field.integer = UsdToNanos(d);
        return true;
      }
      case FieldKind::kMs:
        if (!Milliseconds(key, d)) return false;
        r_->*field.real = d;
        return true;
      case FieldKind::kOptionalMs:
        if (!Milliseconds(key, d)) return false;
        r_->*field.optional_real = d;
        return true;
      default: return Mistyped(field, key);
    }
  }

  bool Milliseconds(std::string_view key, double d) {
    // A year: far beyond any deadline, far inside what a double sums exactly.
    constexpr double kMaxMs = 366.0 * 86400 * 1000;
    if (d >= 0 && d <= kMaxMs) return true;
    return OutOfDomain(
        key, d,
        "a number of milliseconds from 0 to " + std::to_string(static_cast<int64_t>(kMaxMs)));
  }

  bool OutOfDomain(std::string_view key, double d, const std::string& expected) {
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.17g", d);
    return Fail("\"" + std::string(key) + "\" is " + shown + ": expected " + expected);
  }

  bool Mistyped(const RecordField& field, std::string_view key) {
    return Fail("\"" + std::string(key) + "\" must be " + ExpectedType(field));
  }

  bool Literal(std::string_view word) {
    if (static_cast<size_t>(end_ - p_) < word.size() || std::string_view(p_, word.size()) != word)
      return Invalid("unknown literal");
    p_ += word.size();
    return true;
  }

  // p_ is at the opening quote. *out is the decoded text: a view into the
  // line when there are no escapes, else into *scratch.
  bool String(std::string_view* out, std::string* scratch) {
    const char* start = ++p_;
    const char* q = start;
    for (;;) {
      q = SkipPlainBytes(q);
      if (q == end_) {
        p_ = q;
        return Invalid("unterminated string");
      }
      const unsigned char c = static_cast<unsigned char>(*q);
      if (c == '"') {
        *out = std::string_view(start, q - start);
        p_ = q + 1;
        return true;
      }
      if (c == '\\') break;
      if (!NonAscii(&q)) return false;
    }
    scratch->assign(start, q);
    while (q != end_) {
      const char* plain = SkipPlainBytes(q);
      scratch->append(q, plain);
      q = plain;
      if (q == end_) break;
      const unsigned char c = static_cast<unsigned char>(*q);
      if (c == '"') {
        *out = *scratch;
        p_ = q + 1;
        return true;
      }
      if (c != '\\') {
        const char* sequence = q;
        if (!NonAscii(&q)) return false;
        scratch->append(sequence, q);
        continue;
      }
      p_ = q;
      if (++q == end_) break;
      switch (*q++) {
        case '"': scratch->push_back('"'); break;
        case '\\': scratch->push_back('\\'); break;
        case '/': scratch->push_back('/'); break;
        case 'b': scratch->push_back('\b'); break;
        case 'f': scratch->push_back('\f'); break;
        case 'n': scratch->push_back('\n'); break;
        case 'r': scratch->push_back('\r'); break;
        case 't': scratch->push_back('\t'); break;
        case 'u': {
          uint32_t cp;
          if (!Hex4(&q, &cp)) return Invalid("bad \\u escape");
          if (cp >= 0xDC00 && cp <= 0xDFFF) return Invalid("lone low surrogate");
          if (cp >= 0xD800 && cp <= 0xDBFF) {
            uint32_t low;
            if (end_ - q < 2 || q[0] != '\\' || q[1] != 'u') return Invalid("lone high surrogate");
            q += 2;
            if (!Hex4(&q, &low) || low < 0xDC00 || low > 0xDFFF)
              return Invalid("lone high surrogate");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
          }
          AppendUtf8(cp, scratch);
          break;
        }
        default: return Invalid("bad escape");
      }
    }
    p_ = q;
    return Invalid("unterminated string");
  }

  // The first byte at or after q that is not plain printable ASCII: a
  // quote, a backslash, a control character, a byte above 0x7F, or end_.
  // Eight bytes are tested at a time: strings are most of a record.
  const char* SkipPlainBytes(const char* q) const {
    constexpr uint64_t kOnes = 0x0101010101010101ULL, kHighBits = 0x8080808080808080ULL;
    while (end_ - q >= 8) {
      uint64_t w;
      std::memcpy(&w, q, sizeof w);
      // A byte's high bit is set in `special` when it is below 0x20, a
      // quote, a backslash (each XORed to zero) or above 0x7F; a borrow can
      // only mark more bytes after a byte that really is special.
      const uint64_t quote = w ^ (kOnes * '"'), backslash = w ^ (kOnes * '\\');
      const uint64_t special = (((w - kOnes * 0x20) & ~w) | ((quote - kOnes) & ~quote) |
                                ((backslash - kOnes) & ~backslash) | w) &
                               kHighBits;
      if (special) break;
      q += 8;
    }
    while (q != end_) {
      const unsigned char c = static_cast<unsigned char>(*q);
      if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80) break;
      ++q;
    }
    return q;
  }

  // *q is a control character (an error) or starts a multi-byte sequence,
  // which is stepped over when it is valid UTF-8.
  bool NonAscii(const char** q) {
    if (static_cast<unsigned char>(**q) < 0x20) {
      p_ = *q;
      return Invalid("control character in a string");
    }
    const size_t len = ValidSequenceLength(std::string_view(*q, end_ - *q));
    if (len == 0) {
      p_ = *q;
      return Invalid("invalid UTF-8");
    }
    *q += len;
    return true;
  }

  bool Hex4(const char** q, uint32_t* cp) {
    if (end_ - *q < 4) return false;
    *cp = 0;
    for (int i = 0; i < 4; ++i) {
      const int digit = HexDigit((*q)[i]);
      if (digit < 0) return false;
      *cp = *cp * 16 + static_cast<uint32_t>(digit);
    }
    *q += 4;
    return true;
  }

  // RFC 8259's number grammar; *value is read only when value is not null.
  // A number too large for a double is invalid wherever it is: reading it
  // would give infinity.
  bool Number(double* value) {
    const char* start = p_;
    bool exponent = false;
    if (p_ != end_ && *p_ == '-') ++p_;
    if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_)))
      return Invalid("expected a value");
    if (*p_ == '0') ++p_;
    else
      while (p_ != end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_)))
        return Invalid("expected a digit");
      while (p_ != end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      exponent = true;
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !std::isdigit(static_cast<unsigned char>(*p_)))
        return Invalid("expected a digit");
      while (p_ != end_ && std::isdigit(static_cast<unsigned char>(*p_))) ++p_;
    }
    // Without an exponent only a number of more than 308 digits overflows.
    if (!value && !exponent && p_ - start < 300) return true;
    double parsed;
    auto [end, ec] = std::from_chars(start, p_, parsed);
    if (ec == std::errc::result_out_of_range) {
      // Too large or too small for a double: strtod says which.
      parsed = std::strtod(std::string(start, p_).c_str(), nullptr);
    }
    if (!std::isfinite(parsed)) return Invalid("number too large");
    if (value) *value = parsed;
    return true;
  }

  // Validates one value of any kind without keeping it.
  bool SkipValue() {
    bool in_object[kMaxDepth];
    size_t depth = 0;
    std::string_view ignored;
    for (;;) {
      SkipSpace();
      if (p_ == end_) return Invalid("expected a value");
      const char c = *p_;
      bool closed_empty = false;
      if (c == '{' || c == '[') {
        if (depth == kMaxDepth) return Invalid("nested too deeply");
        in_object[depth++] = c == '{';
        ++p_;
        SkipSpace();
        if (p_ != end_ && *p_ == (c == '{' ? '}' : ']')) {
          ++p_;
          --depth;
          closed_empty = true;
        } else if (c == '{') {
          if (!MemberKey()) return false;
          continue;
        } else {
          continue;
        }
      }
      if (!closed_empty) {
        bool ok;
        switch (c) {
          case '"': ok = String(&ignored, &value_scratch_); break;
          case 't': ok = Literal("true"); break;
          case 'f': ok = Literal("false"); break;
          case 'n': ok = Literal("null"); break;
          default: ok = Number(nullptr); break;
        }
        if (!ok) return false;
      }
      // After a value: close containers until one continues with a comma.
      for (;;) {
        if (depth == 0) return true;
        SkipSpace();
        if (p_ == end_) return Invalid("unterminated array or object");
        const bool object = in_object[depth - 1];
        if (*p_ == ',') {
          ++p_;
          if (object) {
            SkipSpace();
            if (!MemberKey()) return false;
          }
          break;
        }
        if (*p_ == (object ? '}' : ']')) {
          ++p_;
          --depth;
          continue;
        }
        return Invalid(object ? "expected ',' or '}'" : "expected ',' or ']'");
      }
    }
  }

  // A key and its colon inside a skipped object.
  bool MemberKey() {
    if (p_ == end_ || *p_ != '"') return Invalid("expected a key");
    std::string_view ignored;
    if (!String(&ignored, &key_scratch_)) return false;
    SkipSpace();
    if (p_ == end_ || *p_ != ':') return Invalid("expected ':'");
    ++p_;
    return true;
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  CallRecord* r_;
  bool has_timestamp_ = false;
  std::string key_scratch_;
  std::string value_scratch_;
  std::string error_;
};

}  // namespace

Status ParseRecordLine(std::string_view line, CallRecord* out) {
  // Copying over the fields reuses their buffers; a fresh record would be
  // built and freed for every line.
  static const CallRecord kEmpty;
  *out = kEmpty;
  return RecordLineParser(line, out).Parse();
}

}  // namespace llmctl
