#include "eval/runner.h"

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "eval/grader.h"
#include "pipeline/call_plan.h"
#include "pipeline/open_state_store.h"
#include "providers/finish_reason.h"
#include "records/money.h"
#include "store/database.h"
#include "util/secret_scrubber.h"

namespace llmctl {
namespace {

// Hands out case runs in order and keeps the run budget. All state is
// under one mutex: a worker holds it only to pick work or settle a cost.
class Scheduler {
 public:
  // worst[i]: what case run i may cost at most.
  Scheduler(std::vector<int64_t> worst, const RunnerOptions& o, std::vector<CaseResult>* results)
      : worst_(std::move(worst)), options_(o), results_(results), total_(worst_.size()) {}

  // The next case run to start, or false when none is left. Runs the budget
  // refuses are marked skipped on the way (and reported via *skipped).
  bool Next(size_t* index, std::vector<size_t>* skipped) {
    std::unique_lock<std::mutex> lock(mu_);
    while (next_ < total_) {
      const size_t i = next_;
      const int64_t worst = worst_[i];
      if (options_.cancelled && options_.cancelled->load()) {
        Skip(i, "not run: the run was interrupted", skipped);
        continue;
      }
      if (options_.max_cost_nanos <= 0 ||
          (!exhausted_ && spent_ + reserved_ + worst <= options_.max_cost_nanos)) {
        ++next_;
        reserved_ += worst;
        *index = i;
        return true;
      }
      if (exhausted_ || reserved_ == 0) {
        // Nothing in flight can give budget back: the run is out of money,
        // and every case still waiting is skipped rather than some of them
        // slipping in later, so a report shows one clean cut-off point.
        exhausted_ = true;
        Skip(i,
             "not run: the run budget --max-cost " + options_.max_cost_text +
                 " would be passed (spent $" + FormatNanosFixed(spent_, 6) +
                 ", this case may cost up to $" + FormatNanosFixed(worst, 6) + ")",
             skipped);
        continue;
      }
      // Calls in flight hold their worst case; wait for one to settle for
      // what it really cost, which may leave room.
      settled_.wait(lock);
    }
    return false;
  }

  void Settle(size_t index, int64_t actual_nanos) { SettleExtra(worst_[index], actual_nanos); }

  // Holds `worst` for a grader call, waiting while calls in flight may give
  // budget back; false when the run budget cannot hold it.
  bool ReserveExtra(int64_t worst) {
    std::unique_lock<std::mutex> lock(mu_);
    while (options_.max_cost_nanos > 0 && spent_ + reserved_ + worst > options_.max_cost_nanos) {
      if (reserved_ == 0) return false;
      settled_.wait(lock);
    }
    reserved_ += worst;
    return true;
  }
  void SettleExtra(int64_t worst, int64_t actual_nanos) {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= worst;
    spent_ += actual_nanos;
    settled_.notify_all();
  }
  int64_t spent() {
    std::lock_guard<std::mutex> lock(mu_);
    return spent_;
  }

 private:
  void Skip(size_t i, const std::string& why, std::vector<size_t>* skipped) {
    CaseResult& r = (*results_)[i];
    r.status = CaseStatus::kSkipped;
    r.message = why;
    skipped->push_back(i);
    ++next_;
  }

  const std::vector<int64_t> worst_;
  const RunnerOptions& options_;
  std::vector<CaseResult>* results_;
  const size_t total_;
  std::mutex mu_;
  std::condition_variable settled_;
  size_t next_ = 0;
  int64_t spent_ = 0;
  int64_t reserved_ = 0;
  bool exhausted_ = false;
};

bool HasFinishReasonAssertion(const EvalCase& c) {
  for (const Assertion& a : c.asserts)
    if (a.type == AssertionType::kFinishReason) return true;
  return false;
}

void Fail(CaseResult* r, const std::string& type, const std::string& message) {
  r->assertions.push_back({type, false, message});
  if (r->status == CaseStatus::kPassed) {
    r->status = CaseStatus::kFailed;
    r->message = type + ": " + message;
  }
}

void CaseError(CaseResult* r, Status why) {
  r->status = CaseStatus::kError;
  r->message = ScrubSecrets(why.message());
  r->call_status = std::move(why);
}

// Runs the case's llm-rubric assertions, one grader call each, through the
// pipeline; stops at the first that cannot be judged.
void GradeCase(const PipelineContext& ctx, const EvalTask& task, Scheduler& scheduler,
               CaseResult* r) {
  const EvalCase& c = *task.eval_case;
  size_t grader_index = 0;
  for (const Assertion& a : c.asserts) {
    if (a.type != AssertionType::kLlmRubric) continue;
    const ModelRef& grader = task.graders[grader_index++];
    if (r->status == CaseStatus::kError) return;
    CallSpec spec;
    spec.primary = grader;
    spec.user = ctx.settings->user;
    spec.tags = ctx.settings->tags;
    spec.run_id = task.plan.spec.run_id;
    spec.case_id = c.id;
    spec.allow_truncated = true;
    BuildGraderRequest(a.text, r->text, &spec.request);
    CallPlan plan;
    Status st = MakeCallPlan(ctx, spec, &plan);
    if (!st.ok()) return CaseError(r, st);
    if (!scheduler.ReserveExtra(plan.claim.cost_nanos))
      return CaseError(
          r, Status::Budget("llm-rubric: the grader " + grader.ToString() +
                            " was not called: the run budget --max-cost could not hold it"));
    CallOutcome outcome;
    Status written = RunCall(ctx, plan, &outcome);
    scheduler.SettleExtra(plan.claim.cost_nanos, outcome.record.cost_nanos);
    r->grader_cost_nanos += outcome.record.cost_nanos;
    if (!written.ok()) return CaseError(r, written);
    if (!outcome.status.ok())
      return CaseError(r,
                       Status(outcome.status.code(), "llm-rubric: the grader " + grader.ToString() +
                                                         " failed: " + outcome.status.message()));
    JudgeRubric(a, outcome.text, r);
  }
}

}  // namespace

void JudgeRubric(const Assertion& a, const std::string& answer, CaseResult* r) {
  GraderVerdict v;
  if (std::string why = ParseGraderAnswer(answer, &v); !why.empty())
    return CaseError(
        r, Status::CheckFailed("llm-rubric: the grader's answer is not {\"pass\": bool, \"score\": "
                               "number, \"reason\": string} (" +
                               why + "), got " + QuoteGot(answer)));
  char score[32], threshold[32] = "";
  std::snprintf(score, sizeof score, "%.3g", v.score);
  if (a.threshold) std::snprintf(threshold, sizeof threshold, "%.3g", *a.threshold);
  const bool passed = v.pass && (!a.threshold || v.score >= *a.threshold);
  if (passed) {
    r->assertions.push_back({a.name, true, ""});
    return;
  }
  const std::string why =
      v.pass ? std::string("score ") + score + " is below the threshold " + threshold
             : std::string("the grader failed it (score ") + score + ")";
  Fail(r, a.name, why + ": " + QuoteGot(v.reason, 200));
}

const char* CaseStatusName(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPassed: return "passed";
    case CaseStatus::kFailed: return "failed";
    case CaseStatus::kError: return "error";
    case CaseStatus::kSkipped: return "skipped";
  }
  return "?";
}

void JudgeCase(const EvalCase& c, const CallOutcome& outcome, CaseResult* r) {
  r->ran = true;
  r->record = outcome.record;
  r->text = outcome.text;
  const bool filtered = outcome.record.error_type &&
                        ParseErrorType(*outcome.record.error_type) == ErrorType::kContentFilter;
  // A refusal is an answer when the case asserts on the finish reason
  // (a suite may check that a harmful prompt is refused).
  if (!outcome.status.ok() && !(filtered && HasFinishReasonAssertion(c))) {
    r->status = CaseStatus::kError;
    r->call_status = outcome.status;
    // Printed in progress lines and written to --junit and --output files.
    r->message = ScrubSecrets(outcome.status.message());
    return;
  }
  Observation o;
  o.text = outcome.text;
  o.finish_reason = outcome.record.finish_reason;
  o.output_tokens = outcome.record.output_tokens;
  o.cost_nanos = outcome.record.cost_nanos;
  o.latency_ms = outcome.record.latency_ms;
  r->status = CaseStatus::kPassed;
  for (const Assertion& a : c.asserts) {
    if (a.type == AssertionType::kLlmRubric) continue;
    AssertionResult ar = CheckAssertion(a, o);
    if (ar.passed) r->assertions.push_back({a.name, true, ""});
    else Fail(r, a.name, ar.message);
  }
  // A cut-off answer passes no regression gate by accident: unless the case
  // says what finish reason it expects, truncation is a failure.
  if (ParseFinishReason(o.finish_reason) == FinishReason::kLength && !HasFinishReasonAssertion(c)) {
    Fail(r, "finish-reason",
         "the answer was truncated after " + std::to_string(outcome.record.output_tokens) +
             " output tokens (finish reason length); raise max_tokens or assert finish-reason");
  }
}

Status RunEval(const PipelineContext& base, const std::vector<EvalTask>& tasks,
               const RunnerOptions& options, const ResultCallback& on_result,
               std::vector<CaseResult>* results) {
  // Repeat-major: every task's first run, then every second run, ...
  std::vector<size_t> unit_task;
  int most = 0;
  for (const EvalTask& t : tasks)
    most = std::max(most, t.eval_case->repeat.value_or(options.repeat));
  std::vector<int64_t> worst;
  results->clear();
  for (int rep = 1; rep <= most; ++rep) {
    for (size_t t = 0; t < tasks.size(); ++t) {
      const EvalCase& c = *tasks[t].eval_case;
      if (rep > c.repeat.value_or(options.repeat)) continue;
      CaseResult r;
      r.case_id = c.id;
      r.model = tasks[t].model;
      r.line = c.line;
      r.repeat = rep;
      r.threshold = c.threshold;
      results->push_back(std::move(r));
      unit_task.push_back(t);
      worst.push_back(tasks[t].plan.claim.cost_nanos);
    }
  }
  const size_t total = results->size();
  Scheduler scheduler(std::move(worst), options, results);
  std::mutex report_mu;
  size_t done = 0;
  auto report = [&](size_t i) {
    std::lock_guard<std::mutex> lock(report_mu);
    ++done;
    if (on_result) on_result((*results)[i], done, total);
  };
  Status first_failure;  // a record that could not be written
  std::mutex failure_mu;

  // Every worker records through one connection: the workers take turns on
  // it for the moments they write, while their network waits overlap. A
  // connection each would have them contend for the file's write lock.
  Database db;
  const Status opened = db.Open(base.settings->db_path, DatabaseOptionsFor(*base.settings));

  auto worker = [&] {
    Status st = opened;
    PipelineContext ctx = base;
    // A Redis connection serves one thread: one per worker.
    if (st.ok() && !base.make_state_store)
      st = OpenStateStoreFactory(*base.settings, &ctx.make_state_store);
    ctx.db = &db;
    ctx.on_text = nullptr;
    PipelineContext grader_ctx = ctx;
    if (options.grader_settings) grader_ctx.settings = options.grader_settings;
    std::vector<size_t> skipped;
    size_t index = 0;
    while (true) {
      skipped.clear();
      const bool more = scheduler.Next(&index, &skipped);
      for (size_t s : skipped) report(s);
      if (!more) break;
      CaseResult& r = (*results)[index];
      const EvalTask& task = tasks[unit_task[index]];
      if (!st.ok()) {
        r.status = CaseStatus::kError;
        r.call_status = st;
        r.message = st.message();
        scheduler.Settle(index, 0);
        report(index);
        continue;
      }
      CallOutcome outcome;
      db.ResetWaitBudget();  // each case is a call with its own lock wait
      Status written = RunCall(ctx, task.plan, &outcome);
      scheduler.Settle(index, outcome.record.cost_nanos);
      if (!written.ok()) {
        std::lock_guard<std::mutex> lock(failure_mu);
        if (first_failure.ok()) first_failure = written;
      }
      JudgeCase(*task.eval_case, outcome, &r);
      if (!task.graders.empty() && r.status != CaseStatus::kError) {
        db.ResetWaitBudget();
        GradeCase(grader_ctx, task, scheduler, &r);
      }
      report(index);
    }
  };

  const int threads = std::max(1, std::min<int>(options.concurrency, static_cast<int>(total)));
  std::vector<std::thread> pool;
  pool.reserve(threads);
  for (int t = 0; t < threads; ++t) pool.emplace_back(worker);
  for (std::thread& t : pool) t.join();
  return first_failure;
}

}  // namespace llmctl
