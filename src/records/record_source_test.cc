#include "records/record_source.h"
#include "records/record_line_parser.h"

#include <random>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "records/test_records.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

using testing::MakeRecord;
using testing::ScratchDir;

// Captures spdlog warnings for the lifetime of the object.
class CapturedWarnings {
 public:
  CapturedWarnings() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>(
        "capture", std::make_shared<spdlog::sinks::ostream_sink_st>(out_));
    logger->set_pattern("%v");
    spdlog::set_default_logger(logger);
  }
  ~CapturedWarnings() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

// The slow reference: a whole nlohmann document, fields read by name.
bool ReferenceParse(const std::string& line, CallRecord* out) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("timestamp") ||
      !j["timestamp"].is_string() || !ParseRecordTimestamp(j["timestamp"].get<std::string>()))
    return false;
  *out = CallRecord();
  out->user_id = j.value("user_id", "");
  out->model = j.value("model", "");
  out->input_tokens = j.value("input_tokens", int64_t{0});
  out->cost_nanos = UsdToNanos(j.value("cost_usd", 0.0));
  return true;
}

// A record line, sometimes damaged in one of the ways files get damaged.
std::string RandomLine(std::mt19937& rng) {
  std::uniform_int_distribution<int> pick(0, 99);
  CallRecord r = MakeRecord("2026-11-01T00:00:00.000Z", "user-" + std::to_string(pick(rng) % 7),
                            "openai", pick(rng) % 2 ? "gpt-4o" : "m\u00e9", pick(rng) * 1'000'003);
  r.input_tokens = pick(rng);
  nlohmann::json j = nlohmann::json::parse(r.ToJsonLine());
  if (pick(rng) < 30)
    j["unknown_" + std::to_string(pick(rng))] = {{"deep", {1, "two\n\"", nullptr, true, -1.5e3}}};
  if (pick(rng) < 10) j["user_id"] = "caf\u00e9 \"quoted\" \\ tab\t";
  std::string line = j.dump();
  switch (pick(rng) % 12) {
    case 0: line.resize(pick(rng) * line.size() / 100); break;          // truncated write
    case 1: line[pick(rng) * line.size() / 100] = '\x01'; break;        // control byte
    case 2: line.insert(pick(rng) * line.size() / 100, "\xff"); break;  // invalid UTF-8
    case 3: line.insert(pick(rng) * line.size() / 100, ","); break;     // stray comma
    case 4: line += " x"; break;                                        // trailing text
    case 5: line.insert(line.size() - 1, ",\"n\":[1,2,]"); break;       // bad nested value
    case 6: line.insert(line.size() - 1, ",\"n\":\"\\ud800\""); break;  // lone surrogate
    case 7: line.insert(line.size() - 1, ",\"n\":01"); break;           // leading zero
    case 8: line.insert(line.size() - 1, ",\"n\":[-1e999]"); break;     // overflows a double
    default: break;
  }
  return line;
}

}  // namespace

TEST_CASE("jsonl report input: the fast reader agrees with a full JSON parser on random lines") {
  std::mt19937 rng(20261202);
  int accepted = 0, rejected = 0;
  for (int i = 0; i < 20000; ++i) {
    const std::string line = RandomLine(rng);
    CallRecord fast, slow;
    const bool fast_ok = ParseRecordLine(line, &fast).ok();
    const bool slow_ok = ReferenceParse(line, &slow);
    INFO(line);
    REQUIRE(fast_ok == slow_ok);
    if (!fast_ok) {
      ++rejected;
      continue;
    }
    ++accepted;
    CHECK(fast.user_id == slow.user_id);
    CHECK(fast.model == slow.model);
    CHECK(fast.input_tokens == slow.input_tokens);
    CHECK(fast.cost_nanos == slow.cost_nanos);
  }
  CHECK(accepted > 5000);
  CHECK(rejected > 5000);
}

TEST_CASE(
    "jsonl report input: a large file is read on every core with exact totals and true line numbers") {
  ScratchDir dir;
  std::string text;
  int64_t expected_nanos = 0;
  size_t lines = 0;
  std::vector<size_t> bad_lines;
  while (text.size() < (40u << 20)) {
    ++lines;
    if (lines == 7 || lines % 50'000 == 0) {
      text += "{broken\n";
      bad_lines.push_back(lines);
      continue;
    }
    CallRecord r = MakeRecord("2026-11-01T00:00:00.000Z", "u", "openai", "m",
                              static_cast<int64_t>(lines) * 999);
    expected_nanos += r.cost_nanos;
    text += r.ToJsonLine() + "\n";
  }
  const std::string file = dir.Write("big.jsonl", text);
  int64_t nanos = 0;
  size_t records = 0;
  CapturedWarnings warnings;
  REQUIRE(ReadJsonlRecords({file}, false, [&](const CallRecord& r) {
            nanos += r.cost_nanos;
            ++records;
          }).ok());
  CHECK(nanos == expected_nanos);
  CHECK(records == lines - bad_lines.size());
  size_t last = 0;
  for (size_t bad : bad_lines) {
    const size_t at = warnings.text().find(file + ":" + std::to_string(bad) + ": invalid JSON");
    REQUIRE(at != std::string::npos);
    CHECK(at >= last);  // in file order
    last = at;
  }
  Status strict = ReadJsonlRecords({file}, true, [](const CallRecord&) {});
  CHECK(strict.message().find(file + ":7: invalid JSON") == 0);
}

TEST_CASE("jsonl report input: a record line round-trips") {
  CallRecord r =
      MakeRecord("2026-11-28T10:15:03.123Z", "alice", "openai", "gpt-4o-mini", 123'456'789);
  r.ttft_ms = 55.5;
  r.cache_hit = true;
  r.saved_cost_nanos = 42;
  r.error_type = "timeout";
  r.error = "slow";
  r.attempts.push_back({"openai", "gpt-4o-mini", 200, "", 12});
  CallRecord back;
  REQUIRE(ParseRecordLine(r.ToJsonLine(), &back).ok());
  CHECK(back.timestamp_ms == r.timestamp_ms);
  CHECK(back.request_id == r.request_id);
  CHECK(back.user_id == "alice");
  CHECK(back.provider == "openai");
  CHECK(back.model == "gpt-4o-mini");
  CHECK(back.input_tokens == 100);
  CHECK(back.output_tokens == 10);
  CHECK(back.cost_nanos == 123'456'789);
  CHECK(back.saved_cost_nanos == 42);
  CHECK(back.latency_ms == 100);
  CHECK(back.ttft_ms == 55.5);
  CHECK(back.cache_hit);
  CHECK(back.error_type == "timeout");
  CHECK(back.finish_reason == "stop");
  CHECK(back.attempts.empty());  // skipped on purpose
}

TEST_CASE("jsonl report input: tags and escaped text are read") {
  CallRecord r;
  REQUIRE(
      ParseRecordLine(
          R"({"timestamp":"2026-11-28T10:15:03Z","user_id":"caf\u00e9 \ud83d\ude00\n","tags":{"team":"search","ci_job":"4711","team":"ads"}})",
          &r)
          .ok());
  CHECK(r.user_id == "caf\xc3\xa9 \xf0\x9f\x98\x80\n");
  CHECK(r.tags ==
        std::vector<std::pair<std::string, std::string>>{{"ci_job", "4711"}, {"team", "ads"}});
  CHECK(
      ParseRecordLine(R"({"timestamp":"2026-11-28T10:15:03Z","tags":{"team":1}})", &r).message() ==
      "\"tags\" must be an object of strings");
}

TEST_CASE("jsonl report input: bad lines are rejected with a reason") {
  CallRecord r;
  CHECK(ParseRecordLine("{\"timestamp\": ", &r).message().find("invalid JSON") == 0);
  CHECK(ParseRecordLine("[1,2]", &r).message() == "not a JSON object");
  CHECK(ParseRecordLine("42", &r).message() == "not a JSON object");
  CHECK(ParseRecordLine("{\"user_id\": \"a\"}", &r).message() == "missing \"timestamp\"");
  CHECK(ParseRecordLine("{\"timestamp\": \"noon\"}", &r).message() == "bad \"timestamp\": noon");
  CHECK(ParseRecordLine(R"({"timestamp":"2026-11-28T10:15:03.123Z","input_tokens":"12"})", &r)
            .message() == "\"input_tokens\" must be a number");
  CHECK(ParseRecordLine(R"({"timestamp":"2026-11-28T10:15:03.123Z","user_id":{"a":1}})", &r)
            .message() == "\"user_id\" must be a string");
  // Unknown keys and nulls are fine; later keys may be added to records.
  CHECK(ParseRecordLine(
            R"({"timestamp":"2026-11-28T10:15:03.123Z","new":[{"x":[1]}],"ttft_ms":null})", &r)
            .ok());
  CHECK_FALSE(r.ttft_ms.has_value());
}

TEST_CASE("jsonl report input: numbers outside their domain make a bad line") {
  CallRecord r;
  const std::string ts = "{\"timestamp\": \"2026-11-01T00:00:00Z\", ";
  CHECK(ParseRecordLine(ts + "\"input_tokens\": -5}", &r).message() ==
        "\"input_tokens\" is -5: expected a whole number of tokens from 0 to 1000000000");
  CHECK_FALSE(ParseRecordLine(ts + "\"output_tokens\": 18446744073709551615}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"output_tokens\": 1.5}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"cost_usd\": 1e300}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"cost_usd\": -0.5}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"saved_cost_usd\": 1e999}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"latency_ms\": -1}", &r).ok());
  CHECK_FALSE(ParseRecordLine(ts + "\"ttft_ms\": 1e300}", &r).ok());
  REQUIRE(ParseRecordLine(
              ts + "\"input_tokens\": 1000000000, \"cost_usd\": 0.25, \"latency_ms\": 12.5}", &r)
              .ok());
  CHECK(r.input_tokens == 1'000'000'000);
  CHECK(r.cost_nanos == 250'000'000);
}

TEST_CASE("jsonl report input: several files, malformed lines warned with FILE:LINE") {
  ScratchDir dir;
  CallRecord a = MakeRecord("2026-11-01T00:00:00.000Z", "a", "openai", "m", 1);
  CallRecord b = MakeRecord("2026-11-02T00:00:00.000Z", "b", "openai", "m", 2);
  std::string f1 = dir.Write("one.jsonl", a.ToJsonLine() + "\n{oops\n\n" + b.ToJsonLine() + "\n");
  std::string f2 = dir.Write("two.jsonl", "not json\r\n" + a.ToJsonLine());  // no final newline
  std::vector<std::string> users;
  CapturedWarnings warnings;
  Status st =
      ReadJsonlRecords({f1, f2}, false, [&](const CallRecord& r) { users.push_back(r.user_id); });
  CHECK(st.ok());
  CHECK(users == std::vector<std::string>{"a", "b", "a"});
  CHECK(warnings.text().find(f1 + ":2: invalid JSON") != std::string::npos);
  CHECK(warnings.text().find(f2 + ":1: invalid JSON") != std::string::npos);
  CHECK(warnings.text().find(":3:") == std::string::npos);  // the blank line is not an error
}

TEST_CASE("jsonl report input: --strict stops at the first bad line") {
  ScratchDir dir;
  CallRecord a = MakeRecord("2026-11-01T00:00:00.000Z", "a", "openai", "m", 1);
  std::string f = dir.Write("bad.jsonl", a.ToJsonLine() + "\n" + a.ToJsonLine() + "\n[]\n");
  int seen = 0;
  Status st = ReadJsonlRecords({f}, true, [&](const CallRecord&) { ++seen; });
  CHECK(st.code() == StatusCode::kUsage);
  CHECK(st.message().find(f + ":3: not a JSON object") == 0);
  CHECK(seen == 2);
}

TEST_CASE("jsonl report input: unreadable file is a usage error") {
  Status st = ReadJsonlRecords({"/nonexistent/calls.jsonl"}, false, [](const CallRecord&) {});
  CHECK(st.code() == StatusCode::kUsage);
  CHECK(st.message().find("cannot read /nonexistent/calls.jsonl") == 0);
}

TEST_CASE("jsonl report input: lines longer than the read buffer") {
  ScratchDir dir;
  CallRecord a =
      MakeRecord("2026-11-01T00:00:00.000Z", std::string(1 << 20, 'u'), "openai", "m", 1);
  std::string f = dir.Write("long.jsonl", a.ToJsonLine() + "\n" + a.ToJsonLine() + "\n");
  int seen = 0;
  CHECK(ReadJsonlRecords({f}, true, [&](const CallRecord& r) {
          seen += r.user_id.size() == (1u << 20);
        }).ok());
  CHECK(seen == 2);
}

}  // namespace llmctl

namespace llmctl {

TEST_CASE("ParseRecordLine reads the tags object, sorted by key, and walks past other nesting") {
  CallRecord r;
  REQUIRE(
      ParseRecordLine(
          R"({"timestamp": "2026-11-28T10:15:03.123Z", "tags": {"team": "search", "ci_job": "4711"},)"
          R"( "attempts": [{"provider": "openai", "tags": {"x": "y"}}], "cost_usd": 0.5})",
          &r)
          .ok());
  REQUIRE(r.tags.size() == 2);
  CHECK(r.tags[0] == std::pair<std::string, std::string>{"ci_job", "4711"});
  CHECK(r.tags[1] == std::pair<std::string, std::string>{"team", "search"});
  CHECK(r.cost_nanos == 500'000'000);
  REQUIRE(ParseRecordLine(R"({"timestamp": "2026-11-28T10:15:03.123Z", "tags": {}})", &r).ok());
  CHECK(r.tags.empty());
}

}  // namespace llmctl
