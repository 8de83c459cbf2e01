#include "records/record_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>

#include <spdlog/spdlog.h>

#include "records/record_fields.h"
#include "util/unique_fd.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

const char* ExpectedType(const RecordField& f) {
  switch (f.kind) {
    case FieldKind::kCount:
    case FieldKind::kUsd:
    case FieldKind::kMs:
    case FieldKind::kOptionalMs:
      return "a number";
    case FieldKind::kFlag:
      return "a boolean";
    default:
      return "a string";
  }
}

// SAX handler filling a CallRecord from the top-level keys and the tags
// object; other nested values (attempts) are walked past without being
// stored.
class RecordSax {
 public:
  using json = nlohmann::json;
  explicit RecordSax(CallRecord* out) : r_(out) {}

  const std::string& error() const { return error_; }
  bool has_timestamp() const { return has_timestamp_; }

  // null keeps a field's default: writers put null for an absent value.
  bool null() { return Scalar() == kTopLevel || ok(); }
  bool boolean(bool v) {
    if (Scalar() != kTopLevel) return ok();
    if (!field_ || field_->kind != FieldKind::kFlag) return Mistyped();
    r_->*field_->flag = v;
    return true;
  }
  // Every count and amount is checked as a double: the domains below are far
  // inside the range where a double holds integers exactly.
  bool number_integer(json::number_integer_t v) { return Number(static_cast<double>(v)); }
  bool number_unsigned(json::number_unsigned_t v) { return Number(static_cast<double>(v)); }
  bool number_float(json::number_float_t v, const std::string&) { return Number(v); }
  bool string(std::string& v) {
    const Where where = Scalar();
    if (where == kNested && in_tags_ && depth_ == 2) {
      r_->tags.emplace_back(std::move(tag_key_), std::move(v));
      return true;
    }
    if (where != kTopLevel) return ok();
    if (!field_) return true;
    switch (field_->kind) {
      case FieldKind::kTimestamp: {
        auto ms = ParseRecordTimestamp(v);
        if (!ms) return Fail("bad \"timestamp\": " + v);
        r_->*field_->integer = *ms;
        has_timestamp_ = true;
        return true;
      }
      case FieldKind::kText: (r_->*field_->text).assign(v); return true;
      case FieldKind::kOptionalText: r_->*field_->optional_text = v; return true;
      default: return Mistyped();
    }
  }
  bool binary(json::binary_t&) { return Fail("binary value"); }
  bool start_object(std::size_t) { return OpenObject(); }
  bool end_object() { return Close(); }
  bool start_array(std::size_t) { return depth_ == 0 ? Fail("not a JSON object") : Open(); }
  bool end_array() { return Close(); }
  bool key(std::string& k) {
    if (depth_ == 1) {
      key_.assign(k);
      field_ = FindRecordField(k);
    } else if (in_tags_ && depth_ == 2) {
      tag_key_.assign(k);
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception& e) {
    // what() reads "[json.exception.parse_error.101] parse error at …".
    std::string what = e.what();
    auto bracket = what.find("] ");
    return Fail("invalid JSON: " + (bracket == std::string::npos ? what : what.substr(bracket + 2)));
  }

 private:
  enum Where { kTopLevel, kNested, kBare };

  bool ok() const { return error_.empty(); }
  Where Scalar() {
    if (depth_ == 0) {
      Fail("not a JSON object");
      return kBare;
    }
    return depth_ == 1 ? kTopLevel : kNested;
  }
  bool Open() {
    if (depth_ == 1 && field_) return Mistyped();
    ++depth_;
    return true;
  }
  bool OpenObject() {
    if (depth_ == 1 && !field_ && key_ == "tags") in_tags_ = true;
    return Open();
  }
  bool Close() {
    if (--depth_ == 1) in_tags_ = false;
    return true;
  }
  // A number outside its field's domain fails the line: summed, one forged
  // or corrupted record would swamp (or, negative, cancel) every real one.
  bool Number(double d) {
    if (Scalar() != kTopLevel) return ok();
    if (!field_) return true;
    switch (field_->kind) {
      case FieldKind::kCount: return Count(d, &(r_->*field_->integer));
      case FieldKind::kUsd: return Usd(d, &(r_->*field_->integer));
      case FieldKind::kMs:
        if (!Milliseconds(d)) return false;
        r_->*field_->real = d;
        return true;
      case FieldKind::kOptionalMs:
        if (!Milliseconds(d)) return false;
        r_->*field_->optional_real = d;
        return true;
      default: return Mistyped();
    }
  }
  bool Count(double d, int64_t* out) {
    const bool tokens = std::string_view(field_->name).ends_with("_tokens");
    if (!(d >= 0 && d <= static_cast<double>(kMaxRecordTokens)) || d != std::floor(d))
      return OutOfDomain(d, std::string("a whole number") + (tokens ? " of tokens" : "") + " from 0 to " +
                                std::to_string(kMaxRecordTokens));
    *out = static_cast<int64_t>(d);
    return true;
  }
  bool Usd(double d, int64_t* out) {
    const double max_usd = static_cast<double>(kMaxRecordCostNanos) / 1e9;
    if (!(d >= 0 && d <= max_usd))
      return OutOfDomain(d, "an amount of USD from 0 to " + std::to_string(static_cast<int64_t>(max_usd)));
    *out = UsdToNanos(d);
    return true;
  }
  bool Milliseconds(double d) {
    // A year: far beyond any deadline, far inside what a double sums exactly.
    constexpr double kMaxMs = 366.0 * 86400 * 1000;
    if (d >= 0 && d <= kMaxMs) return true;
    return OutOfDomain(d, "a number of milliseconds from 0 to " + std::to_string(static_cast<int64_t>(kMaxMs)));
  }
  bool OutOfDomain(double d, const std::string& expected) {
    char shown[32];
    std::snprintf(shown, sizeof shown, "%.17g", d);
    return Fail("\"" + key_ + "\" is " + shown + ": expected " + expected);
  }
  // A value of the wrong JSON type: an error for a known field only.
  bool Mistyped() {
    if (!field_) return true;
    return Fail("\"" + key_ + "\" must be " + ExpectedType(*field_));
  }
  bool Fail(std::string why) {
    if (error_.empty()) error_ = std::move(why);
    return false;
  }

  CallRecord* r_;
  int depth_ = 0;
  const RecordField* field_ = nullptr;  // null: a key reports do not read
  std::string key_;
  bool in_tags_ = false;  // inside the top-level "tags" object
  std::string tag_key_;
  bool has_timestamp_ = false;
  std::string error_;
};

// Reads a file descriptor in large blocks and hands out one line at a time
// (without its newline or a trailing CR).
class LineReader {
 public:
  explicit LineReader(int fd) : fd_(fd), buf_(1 << 18) {}

  // false at end of input or on a read error (then error() is set).
  bool Next(std::string_view* line) {
    for (;;) {
      const char* nl = static_cast<const char*>(std::memchr(buf_.data() + start_, '\n', end_ - start_));
      if (nl) {
        size_t len = nl - (buf_.data() + start_);
        *line = Trim(std::string_view(buf_.data() + start_, len));
        start_ += len + 1;
        return true;
      }
      if (eof_) {
        if (start_ == end_) return false;
        *line = Trim(std::string_view(buf_.data() + start_, end_ - start_));
        start_ = end_;
        return true;
      }
      Fill();
    }
  }
  const std::string& error() const { return error_; }

 private:
  static std::string_view Trim(std::string_view s) {
    if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
    return s;
  }
  void Fill() {
    // Move the partial line to the front; grow only for a line longer than the buffer.
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    ssize_t n;
    do n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    while (n < 0 && errno == EINTR);
    if (n < 0) error_ = std::strerror(errno);
    if (n <= 0) eof_ = true;
    else end_ += static_cast<size_t>(n);
  }

  int fd_;
  std::vector<char> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  std::string error_;
};

Status ReadOne(const std::string& path, bool strict,
               const std::function<void(const CallRecord&)>& sink) {
  const bool is_stdin = path == "-";
  const std::string name = is_stdin ? "<stdin>" : path;
  UniqueFd owned(is_stdin ? -1 : ::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  const int fd = is_stdin ? STDIN_FILENO : owned.get();
  if (fd < 0) return Status::Usage("cannot read " + path + ": " + std::strerror(errno));
  LineReader reader(fd);
  CallRecord record;
  std::string_view line;
  Status result;
  for (size_t line_no = 1; reader.Next(&line); ++line_no) {
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    Status st = ParseRecordLine(line, &record);
    if (st.ok()) {
      sink(record);
      continue;
    }
    std::string where = name + ":" + std::to_string(line_no) + ": " + st.message();
    if (strict) {
      result = Status::Usage(where + " (--strict stops at the first bad line)");
      break;
    }
    spdlog::warn("{} (line skipped)", where);
  }
  if (result.ok() && !reader.error().empty())
    result = Status::Usage("cannot read " + name + ": " + reader.error());
  return result;
}

}  // namespace

Status ReadJsonlRecords(const std::vector<std::string>& paths, bool strict,
                        const std::function<void(const CallRecord&)>& sink) {
  for (const std::string& path : paths) {
    Status st = ReadOne(path, strict, sink);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

Status ParseRecordLine(std::string_view line, CallRecord* out) {
  *out = CallRecord();
  RecordSax sax(out);
  const bool parsed = nlohmann::json::sax_parse(line.begin(), line.end(), &sax);
  if (!parsed || !sax.error().empty())
    return Status::Usage(sax.error().empty() ? "invalid JSON" : sax.error());
  if (!sax.has_timestamp()) return Status::Usage("missing \"timestamp\"");
  std::sort(out->tags.begin(), out->tags.end());
  return Status::Ok();
}

}  // namespace llmctl
