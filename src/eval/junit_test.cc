#include "eval/junit.h"

#include <sstream>

#include <doctest/doctest.h>

using namespace llmctl;

namespace {

CaseResult Result(const std::string& id, CaseStatus status, const std::string& message = "") {
  CaseResult r;
  r.case_id = id;
  r.status = status;
  r.message = message;
  if (status != CaseStatus::kSkipped) {
    r.ran = true;
    r.record.request_id = "req-" + id;
    r.record.latency_ms = 1234;
  }
  if (status == CaseStatus::kFailed) r.assertions.push_back({"contains", false, message});
  if (status == CaseStatus::kError) r.record.error_type = "provider_error";
  return r;
}

size_t Count(const std::string& s, const std::string& needle) {
  size_t n = 0;
  for (size_t p = s.find(needle); p != std::string::npos; p = s.find(needle, p + 1)) ++n;
  return n;
}

}  // namespace

TEST_CASE("XmlEscape escapes markup and replaces what XML 1.0 forbids") {
  CHECK(XmlEscape("a<b>&\"c'") == "a&lt;b&gt;&amp;&quot;c&apos;");
  CHECK(XmlEscape("line\nnext\ttab") == "line&#10;next&#9;tab");
  CHECK(XmlEscape(std::string("nul\0bell\x07", 9)) ==
        "nul\xEF\xBF\xBD"
        "bell\xEF\xBF\xBD");
  CHECK(XmlEscape("bad \xC3 byte") == "bad \xEF\xBF\xBD byte");
  CHECK(XmlEscape("\xED\xA0\x80") == "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // a surrogate
  CHECK(XmlEscape("café ✓ 🎉") == "café ✓ 🎉");
}

TEST_CASE("WriteJUnit writes one testcase per case run with matching counts") {
  std::vector<CaseResult> results = {
      Result("ok", CaseStatus::kPassed),
      Result("bad <one>", CaseStatus::kFailed, "expected output to contain \"x\", got \"a & b\""),
      Result("boom", CaseStatus::kError, "openai failed with HTTP 500"),
      Result("later", CaseStatus::kSkipped, "not run: the run budget"),
  };
  std::ostringstream out;
  WriteJUnit({"suite&.jsonl", "run-1", 1700000000000, 2.5, 1}, results, out);
  const std::string xml = out.str();
  CHECK(xml.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites", 0) == 0);
  CHECK(xml.find("tests=\"4\" failures=\"1\" errors=\"1\" skipped=\"1\" time=\"2.500\"") !=
        std::string::npos);
  CHECK(Count(xml, "<testcase ") == 4);
  CHECK(Count(xml, "<failure ") == 1);
  CHECK(Count(xml, "<error ") == 1);
  CHECK(Count(xml, "<skipped ") == 1);
  CHECK(xml.find("name=\"bad &lt;one&gt;\"") != std::string::npos);
  CHECK(xml.find("classname=\"suite&amp;.jsonl\"") != std::string::npos);
  CHECK(xml.find("got &quot;a &amp; b&quot;") != std::string::npos);
  CHECK(xml.find("time=\"1.234\"") != std::string::npos);
  CHECK(xml.find("<property name=\"run_id\" value=\"run-1\"/>") != std::string::npos);
  CHECK(xml.find("timestamp=\"2023-11-14T22:13:20\"") != std::string::npos);
  CHECK(xml.find("</testsuite>\n</testsuites>\n") != std::string::npos);
}

TEST_CASE("repeats get distinct test names") {
  CaseResult a = Result("flaky", CaseStatus::kPassed), b = Result("flaky", CaseStatus::kPassed);
  a.repeat = 1;
  b.repeat = 2;
  std::ostringstream out;
  WriteJUnit({"s.jsonl", "r", 0, 0, 2}, {a, b}, out);
  CHECK(out.str().find("name=\"flaky [repeat 1/2]\"") != std::string::npos);
  CHECK(out.str().find("name=\"flaky [repeat 2/2]\"") != std::string::npos);
}
