#include "eval/runner.h"

#include <condition_variable>
#include <mutex>
#include <thread>

#include <spdlog/spdlog.h>

#include "pipeline/open_state_store.h"
#include "records/money.h"
#include "store/database.h"
#include "util/secret_scrubber.h"

namespace llmctl {
namespace {

// Hands out case runs in order and keeps the run budget. All state is
// under one mutex: a worker holds it only to pick work or settle a cost.
class Scheduler {
 public:
  Scheduler(const std::vector<EvalTask>& tasks, const RunnerOptions& o, std::vector<CaseResult>* results)
      : tasks_(tasks), options_(o), results_(results), total_(tasks.size() * o.repeat) {}

  // The next case run to start, or false when none is left. Runs the budget
  // refuses are marked skipped on the way (and reported via *skipped).
  bool Next(size_t* index, std::vector<size_t>* skipped) {
    std::unique_lock<std::mutex> lock(mu_);
    while (next_ < total_) {
      const size_t i = next_;
      const int64_t worst = tasks_[i % tasks_.size()].plan.claim.cost_nanos;
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
        Skip(i, "not run: the run budget --max-cost " + options_.max_cost_text +
                    " would be passed (spent $" + FormatNanosFixed(spent_, 6) + ", this case may cost up to $" +
                    FormatNanosFixed(worst, 6) + ")",
             skipped);
        continue;
      }
      // Calls in flight hold their worst case; wait for one to settle for
      // what it really cost, which may leave room.
      settled_.wait(lock);
    }
    return false;
  }

  void Settle(size_t index, int64_t actual_nanos) {
    std::lock_guard<std::mutex> lock(mu_);
    reserved_ -= tasks_[index % tasks_.size()].plan.claim.cost_nanos;
    spent_ += actual_nanos;
    settled_.notify_all();
  }

 private:
  void Skip(size_t i, const std::string& why, std::vector<size_t>* skipped) {
    CaseResult& r = (*results_)[i];
    r.status = CaseStatus::kSkipped;
    r.message = why;
    skipped->push_back(i);
    ++next_;
  }

  const std::vector<EvalTask>& tasks_;
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

}  // namespace

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
  const bool filtered = outcome.record.error_type && *outcome.record.error_type == "content_filter";
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
    AssertionResult ar = CheckAssertion(a, o);
    r->assertions.push_back({a.name, ar.passed, ar.message});
    if (!ar.passed && r->status == CaseStatus::kPassed) {
      r->status = CaseStatus::kFailed;
      r->message = a.name + ": " + ar.message;
    }
  }
  // A cut-off answer passes no regression gate by accident: unless the case
  // says what finish reason it expects, truncation is a failure.
  if (o.finish_reason == "length" && !HasFinishReasonAssertion(c)) {
    const std::string m = "the answer was truncated after " + std::to_string(outcome.record.output_tokens) +
                          " output tokens (finish reason length); raise max_tokens or assert finish-reason";
    r->assertions.push_back({"finish-reason", false, m});
    if (r->status == CaseStatus::kPassed) {
      r->status = CaseStatus::kFailed;
      r->message = "finish-reason: " + m;
    }
  }
}

Status RunEval(const PipelineContext& base, const std::vector<EvalTask>& tasks, const RunnerOptions& options,
               const ResultCallback& on_result, std::vector<CaseResult>* results) {
  const size_t total = tasks.size() * static_cast<size_t>(options.repeat);
  results->assign(total, CaseResult());
  for (size_t i = 0; i < total; ++i) {
    const EvalCase& c = *tasks[i % tasks.size()].eval_case;
    (*results)[i].case_id = c.id;
    (*results)[i].line = c.line;
    (*results)[i].repeat = static_cast<int>(i / tasks.size()) + 1;
  }
  Scheduler scheduler(tasks, options, results);
  std::mutex report_mu;
  size_t done = 0;
  auto report = [&](size_t i) {
    std::lock_guard<std::mutex> lock(report_mu);
    ++done;
    if (on_result) on_result((*results)[i], done, total);
  };
  Status first_failure;  // a record that could not be written
  std::mutex failure_mu;

  auto worker = [&] {
    Database db;
    Status st = db.Open(base.settings->db_path, DatabaseOptionsFor(*base.settings));
    PipelineContext ctx = base;
    // One connection per worker: a Redis connection serves one thread.
    if (st.ok() && !base.make_state_store) st = OpenStateStoreFactory(*base.settings, &ctx.make_state_store);
    ctx.db = &db;
    ctx.on_text = nullptr;
    std::vector<size_t> skipped;
    size_t index = 0;
    while (true) {
      skipped.clear();
      const bool more = scheduler.Next(&index, &skipped);
      for (size_t s : skipped) report(s);
      if (!more) break;
      CaseResult& r = (*results)[index];
      const EvalTask& task = tasks[index % tasks.size()];
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
