#include "eval/runner.h"

#include <sstream>

#include <doctest/doctest.h>

#include "eval/compare.h"
#include "eval/report.h"

using namespace llmctl;

namespace {

EvalCase CaseWith(const std::vector<nlohmann::json>& specs) {
  EvalCase c;
  c.id = "c";
  for (const auto& s : specs) {
    Assertion a;
    REQUIRE(ParseAssertion(s, &a).empty());
    c.asserts.push_back(a);
  }
  return c;
}

CallOutcome Answered(const std::string& text, const std::string& finish = "stop") {
  CallOutcome o;
  o.text = text;
  o.record.finish_reason = finish;
  o.record.output_tokens = 5;
  return o;
}

EvalResultRow Row(const std::string& id, const std::string& status, int64_t cost, double latency,
                  int repeat = 1) {
  EvalResultRow r;
  r.case_id = id;
  r.status = status;
  r.cost_nanos = cost;
  r.latency_ms = latency;
  r.ran = status != "skipped";
  r.repeat = repeat;
  return r;
}

}  // namespace

TEST_CASE("JudgeCase: passing, failing, truncated and errored calls") {
  EvalCase c = CaseWith(
      {{{"type", "contains"}, {"value", "hi"}}, {{"type", "starts-with"}, {"value", "x"}}});
  CaseResult r;
  JudgeCase(c, Answered("x hi"), &r);
  CHECK(r.status == CaseStatus::kPassed);
  CHECK(r.assertions.size() == 2);

  CaseResult f;
  JudgeCase(c, Answered("hello"), &f);
  CHECK(f.status == CaseStatus::kFailed);
  CHECK(f.message.rfind("contains: expected output to contain \"hi\"", 0) == 0);

  // Truncation fails a case that does not assert on the finish reason...
  CaseResult t;
  JudgeCase(c, Answered("x hi", "length"), &t);
  CHECK(t.status == CaseStatus::kFailed);
  CHECK(t.message.find("truncated") != std::string::npos);
  // ...and is fine when the case expects it.
  EvalCase expects = CaseWith({{{"type", "finish-reason"}, {"value", "length"}}});
  CaseResult t2;
  JudgeCase(expects, Answered("x", "length"), &t2);
  CHECK(t2.status == CaseStatus::kPassed);

  CallOutcome failed;
  failed.status = Status::Provider("openai failed with HTTP 500");
  failed.record.error_type = "provider_error";
  CaseResult e;
  JudgeCase(c, failed, &e);
  CHECK(e.status == CaseStatus::kError);
  CHECK(e.call_status.exit_code() == 8);
}

TEST_CASE("closing line and verdict") {
  std::vector<CaseResult> rs(4);
  rs[0].status = CaseStatus::kPassed;
  rs[1].status = CaseStatus::kPassed;
  rs[2].status = CaseStatus::kFailed;
  rs[3].status = CaseStatus::kSkipped;
  CHECK(ClosingLine(CountResults(rs)) == "2 passed, 1 failed, 1 skipped");
  CHECK(RunVerdict(rs, "1 USD").exit_code() == 9);
  rs[2].status = CaseStatus::kPassed;
  CHECK(ClosingLine(CountResults(rs)) == "3 passed, 0 failed, 1 skipped");
  CHECK(RunVerdict(rs, "1 USD").exit_code() == 5);
  rs[3].status = CaseStatus::kError;
  rs[3].call_status = Status::Provider("down");
  CHECK(ClosingLine(CountResults(rs)) == "3 passed, 0 failed, 1 error");
  CHECK(RunVerdict(rs, "1 USD").exit_code() == 8);
  rs.pop_back();
  CHECK(ClosingLine(CountResults(rs)) == "3 passed, 0 failed");
  CHECK(RunVerdict(rs, "").ok());
}

TEST_CASE("CompareRuns lists cases whose pass/fail changed, with deltas") {
  std::vector<EvalResultRow> a = {Row("same", "passed", 100, 50), Row("broke", "passed", 100, 50),
                                  Row("fixed", "failed", 100, 50), Row("gone", "passed", 1, 1)};
  std::vector<EvalResultRow> b = {Row("same", "passed", 300, 70), Row("broke", "failed", 150, 80),
                                  Row("fixed", "passed", 50, 40), Row("new", "passed", 1, 1)};
  Comparison c = CompareRuns("A", a, "B", b);
  REQUIRE(c.changed.size() == 4);
  CHECK(c.changed[0].case_id == "broke");
  CHECK(c.changed[1].case_id == "fixed");
  CHECK(c.changed[2].case_id == "gone");
  CHECK_FALSE(c.changed[2].b.present);
  CHECK(c.changed[3].case_id == "new");
  CHECK(c.regressions == 1);
  CHECK(c.fixes == 1);
  CHECK(c.a.passed == 3);
  CHECK(c.b.passed == 3);
  CHECK(c.b.cost_nanos - c.a.cost_nanos == 200);
  std::ostringstream out;
  PrintComparison(c, out, false);
  CHECK(out.str().find("1 regressed, 1 fixed, 4 changed") != std::string::npos);
  CHECK(out.str().find("+0.000000") != std::string::npos);
}

TEST_CASE("CompareRuns folds repeats: one failing repeat fails the case") {
  std::vector<EvalResultRow> a = {Row("x", "passed", 1, 10, 1), Row("x", "passed", 1, 20, 2)};
  std::vector<EvalResultRow> b = {Row("x", "passed", 1, 10, 1), Row("x", "failed", 1, 30, 2)};
  Comparison c = CompareRuns("A", a, "B", b);
  REQUIRE(c.changed.size() == 1);
  CHECK(c.changed[0].a.mean_latency_ms == 15);
  CHECK(c.changed[0].b.passed == 1);
  CHECK(c.changed[0].b.runs == 2);
  CHECK(c.regressions == 1);
}

TEST_CASE("pass-rate gates: a case's threshold, and --min-pass-rate per model") {
  auto run = [](const std::string& id, const std::string& model, CaseStatus s,
                std::optional<double> thr = {}) {
    CaseResult r;
    r.case_id = id;
    r.model = model;
    r.status = s;
    r.threshold = thr;
    return r;
  };
  std::vector<CaseResult> rs;
  for (int i = 0; i < 3; ++i) rs.push_back(run("flaky", "", CaseStatus::kPassed, 0.6));
  for (int i = 0; i < 2; ++i) rs.push_back(run("flaky", "", CaseStatus::kFailed, 0.6));
  CHECK(GateFailures(rs, std::nullopt).empty());
  CHECK(RunVerdict(rs, "").ok());
  for (CaseResult& r : rs) r.threshold = 0.61;
  REQUIRE(GateFailures(rs, std::nullopt).size() == 1);
  CHECK(GateFailures(rs, std::nullopt)[0] ==
        "case flaky: 3 of 5 runs passed (0.60), threshold 0.61: below it");
  CHECK(RunVerdict(rs, "").exit_code() == 9);

  std::vector<CaseResult> m = {
      run("a", "x:1", CaseStatus::kPassed), run("b", "x:1", CaseStatus::kPassed),
      run("c", "x:1", CaseStatus::kPassed), run("d", "x:1", CaseStatus::kFailed),
      run("a", "y:2", CaseStatus::kPassed), run("b", "y:2", CaseStatus::kPassed),
      run("c", "y:2", CaseStatus::kPassed), run("d", "y:2", CaseStatus::kPassed)};
  CHECK(GateFailures(m, 0.75).empty());
  REQUIRE(GateFailures(m, 0.76).size() == 1);
  CHECK(GateFailures(m, 0.76)[0].find("pass rate on x:1 0.75 (3 of 4 case runs)") == 0);
  CHECK(GateFailures(m, std::nullopt).size() == 1);  // without a rate every run must pass
  const std::vector<ModelSummary> s = SummarizeByModel(m);
  REQUIRE(s.size() == 2);
  CHECK(s[0].model == "x:1");
  CHECK(s[0].pass_rate == doctest::Approx(0.75));
  CHECK(s[1].pass_rate == doctest::Approx(1.0));
}

TEST_CASE("llm-rubric: the grader's verdict, its threshold, and garbage as a case error") {
  EvalCase c = CaseWith({{{"type", "llm-rubric"}, {"value", "names Paris"}, {"threshold", 0.8}}});
  const Assertion& a = c.asserts[0];
  CHECK(a.threshold == 0.8);
  CaseResult ok;
  ok.status = CaseStatus::kPassed;
  JudgeRubric(a, "```json\n{\"pass\": true, \"score\": 0.9, \"reason\": \"fine\"}\n```", &ok);
  CHECK(ok.status == CaseStatus::kPassed);
  CaseResult low;
  low.status = CaseStatus::kPassed;
  JudgeRubric(a, "{\"pass\": true, \"score\": 0.5, \"reason\": \"hedges\"}", &low);
  CHECK(low.status == CaseStatus::kFailed);
  CHECK(low.message.find("score 0.5 is below the threshold 0.8") != std::string::npos);
  CaseResult no;
  no.status = CaseStatus::kPassed;
  JudgeRubric(a, "{\"pass\": false, \"score\": 1, \"reason\": \"wrong city\"}", &no);
  CHECK(no.status == CaseStatus::kFailed);
  CHECK(no.message.find("wrong city") != std::string::npos);
  for (const char* garbage :
       {"looks fine", "{\"pass\": 1, \"score\": 1, \"reason\": \"\"}",
        "{\"pass\": true, \"reason\": \"x\"}", "{\"pass\": true, \"score\": 1}", "[]"}) {
    CaseResult e;
    e.status = CaseStatus::kPassed;
    JudgeRubric(a, garbage, &e);
    CHECK(e.status == CaseStatus::kError);
    CHECK(e.call_status.exit_code() == 9);
  }
}
