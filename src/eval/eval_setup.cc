#include "eval/eval_setup.h"

#include <fstream>
#include <iostream>

#include <spdlog/spdlog.h>

#include "eval/compare.h"
#include "eval/grader.h"
#include "eval/junit.h"
#include "pipeline/call_plan.h"
#include "util/regex.h"

namespace llmctl {

Status LoadSuiteFile(const std::string& path, Suite* suite) {
  std::vector<std::string> errors;
  if (path == "-") {
    ParseSuite(std::cin, "<stdin>", suite, &errors);
  } else {
    std::ifstream in(path);
    if (!in) return Status::Usage(path + ": cannot read the suite file");
    ParseSuite(in, path, suite, &errors);
  }
  if (errors.empty()) return Status::Ok();
  for (size_t i = 0; i + 1 < errors.size(); ++i) spdlog::error("{}", errors[i]);
  return Status::Usage(errors.back());
}

Status FilterCases(const std::string& pattern, Suite* suite) {
  if (pattern.empty()) return Status::Ok();
  std::string error;
  auto re = Regex::Compile(pattern, &error);
  if (!re) return Status::Usage("--filter " + pattern + ": invalid regular expression: " + error);
  std::erase_if(suite->cases, [&](const EvalCase& c) { return !re->Search(c.id); });
  if (suite->cases.empty())
    return Status::Usage("--filter " + pattern + " matches no case id in " + suite->name);
  return Status::Ok();
}

namespace {

// The grader of each llm-rubric assertion of c, checked as a call would be
// (provider known, key present) with a stand-in request.
Status PlanGraders(const PipelineContext& base, const Suite& suite, const EvalCase& c,
                   const ModelRef& tested, const std::string& grader_model, EvalTask* t) {
  const Settings& settings = *base.settings;
  for (const Assertion& a : c.asserts) {
    if (a.type != AssertionType::kLlmRubric) continue;
    const std::string& name = a.grader.empty() ? grader_model : a.grader;
    ModelRef grader = tested;
    if (!name.empty()) {
      const auto colon = name.find(':');
      Status st = ParseModelRef(name, tested.provider, settings, &grader);
      // A grader is always named with its provider or alone: "x:" is a
      // mistyped provider, not a model called "x:…".
      if (st.ok() && colon != std::string::npos &&
          !IsKnownProvider(name.substr(0, colon), settings))
        st = Status::Usage("unknown provider \"" + name.substr(0, colon) + "\"");
      if (!st.ok())
        return Status::Usage(suite.name + ":" + std::to_string(c.line) + ": case \"" + c.id +
                             "\": grader " + name + ": " + st.message());
    }
    CallSpec spec;
    spec.primary = grader;
    spec.user = settings.user;
    BuildGraderRequest(a.text, "", &spec.request);
    CallPlan probe;
    Status st = MakeCallPlan(base, std::move(spec), &probe);
    if (!st.ok()) return st;
    t->graders.push_back(grader);
  }
  return Status::Ok();
}

}  // namespace

Status PlanEvalTasks(const PipelineContext& base, const Suite& suite, const EvalCallDefaults& d,
                     std::vector<EvalTask>* tasks) {
  const Settings& settings = *base.settings;
  if (!d.models.empty()) {
    EvalCallDefaults one = d;
    one.models.clear();
    one.ignore_case_models = true;
    tasks->reserve(tasks->size() + d.models.size() * suite.cases.size());
    for (const ModelRef& m : d.models) {
      one.model = m;
      std::vector<EvalTask> planned;
      Status st = PlanEvalTasks(base, suite, one, &planned);
      if (!st.ok()) return st;
      for (EvalTask& t : planned) {
        // Every case on every model: the comparison is the point.
        t.model = m.ToString();
        tasks->push_back(std::move(t));
      }
    }
    return Status::Ok();
  }
  tasks->reserve(tasks->size() + suite.cases.size());
  for (const EvalCase& c : suite.cases) {
    EvalTask t;
    t.eval_case = &c;
    CallSpec spec;
    spec.primary = d.model;
    if (!c.model.empty() && !d.ignore_case_models) {
      Status st = ParseModelRef(c.model, d.model.provider, settings, &spec.primary);
      if (!st.ok())
        return Status::Usage(suite.name + ":" + std::to_string(c.line) + ": case \"" + c.id +
                             "\": " + st.message());
    }
    spec.fallbacks = d.fallbacks;
    spec.user = settings.user;
    spec.tags = settings.tags;
    spec.allow_truncated = true;  // judged by the case (see JudgeCase)
    spec.run_id = d.run_id;
    spec.case_id = c.id;
    spec.request.system = c.system;
    spec.request.messages = c.messages;
    spec.data = c.data;
    spec.request.max_tokens = c.max_tokens.value_or(settings.max_tokens);
    spec.request.temperature = c.temperature.value_or(settings.temperature);
    const ModelRef tested = spec.primary;
    Status st = MakeCallPlan(base, std::move(spec), &t.plan);
    if (!st.ok()) return st;
    st = PlanGraders(base, suite, c, tested, d.grader_model, &t);
    if (!st.ok()) return st;
    tasks->push_back(std::move(t));
  }
  return Status::Ok();
}

Status WriteEvalOutputs(Database& db, const EvalRunInfo& info, int64_t started_ms,
                        const std::vector<CaseResult>& results, const EvalOutputs& o,
                        std::ostream& out) {
  Status st = SaveEvalResults(db, info.run_id, info.suite, started_ms, results);
  if (!st.ok()) spdlog::warn("{} (--compare will not see this run)", st.message());
  if (!o.junit_path.empty()) {
    std::ofstream f(o.junit_path, std::ios::trunc);
    JUnitRun jr{info.suite, info.run_id, started_ms, info.wall_seconds, info.repeat};
    if (f) WriteJUnit(jr, results, f);
    if (!f) return Status::Usage("--junit " + o.junit_path + ": cannot write the file");
  }
  if (!o.jsonl_path.empty()) {
    st = WriteResultsJsonl(info, results, o.jsonl_path);
    if (!st.ok()) return st;
  }
  if (o.json) PrintEvalJson(info, results, out);
  else PrintEvalSummary(info, results, out, o.color);
  return Status::Ok();
}

Status CompareStoredRuns(Database& db, const std::string& db_path, const std::string& run_a,
                         const std::string& run_b, bool json, bool color, std::ostream& out) {
  std::vector<EvalResultRow> a, b;
  Status st = LoadEvalResults(db, run_a, &a);
  if (st.ok()) st = LoadEvalResults(db, run_b, &b);
  if (!st.ok()) return st;
  for (const auto& [id, rows] : {std::pair{&run_a, &a}, std::pair{&run_b, &b}})
    if (rows->empty())
      return Status::Usage("--compare: no eval results for run " + *id + " in " + db_path +
                           " (the run id is printed at the end of every eval)");
  const Comparison c = CompareRuns(run_a, a, run_b, b);
  if (json) PrintComparisonJson(c, out);
  else PrintComparison(c, out, color);
  out.flush();
  if (c.regressions)
    return Status::CheckFailed(std::to_string(c.regressions) + " case(s) passed in " + run_a +
                               " and not in " + run_b);
  return Status::Ok();
}

}  // namespace llmctl
