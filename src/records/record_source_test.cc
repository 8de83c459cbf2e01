#include "records/record_source.h"

#include <sstream>

#include <doctest/doctest.h>
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "records/test_records.h"

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

}  // namespace

TEST_CASE("jsonl report input: a record line round-trips") {
  CallRecord r = MakeRecord("2026-11-28T10:15:03.123Z", "alice", "openai", "gpt-4o-mini", 123'456'789);
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
  CHECK(ParseRecordLine(R"({"timestamp":"2026-11-28T10:15:03.123Z","new":[{"x":[1]}],"ttft_ms":null})", &r)
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
  REQUIRE(ParseRecordLine(ts + "\"input_tokens\": 1000000000, \"cost_usd\": 0.25, \"latency_ms\": 12.5}", &r).ok());
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
  Status st = ReadJsonlRecords({f1, f2}, false, [&](const CallRecord& r) { users.push_back(r.user_id); });
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
  CallRecord a = MakeRecord("2026-11-01T00:00:00.000Z", std::string(1 << 20, 'u'), "openai", "m", 1);
  std::string f = dir.Write("long.jsonl", a.ToJsonLine() + "\n" + a.ToJsonLine() + "\n");
  int seen = 0;
  CHECK(ReadJsonlRecords({f}, true, [&](const CallRecord& r) { seen += r.user_id.size() == (1u << 20); }).ok());
  CHECK(seen == 2);
}

}  // namespace llmctl

namespace llmctl {

TEST_CASE("ParseRecordLine reads the tags object, sorted by key, and walks past other nesting") {
  CallRecord r;
  REQUIRE(ParseRecordLine(R"({"timestamp": "2026-11-28T10:15:03.123Z", "tags": {"team": "search", "ci_job": "4711"},)"
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
