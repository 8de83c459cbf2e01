// The eval runner: every case of a suite through the call pipeline on a
// pool of threads, so requests really overlap, under a run budget that is
// never exceeded: a case starts only when what the run has spent plus the
// worst case of every call in flight plus its own worst case fits.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "eval/assertions.h"
#include "eval/suite.h"
#include "pipeline/call_pipeline.h"
#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// One case made ready to run: its planned call, whose claim is what the
// call may cost at most.
struct EvalTask {
  const EvalCase* eval_case = nullptr;
  CallPlan plan;
};

enum class CaseStatus { kPassed, kFailed, kError, kSkipped };
const char* CaseStatusName(CaseStatus s);  // passed, failed, error, skipped

struct AssertionOutcome {
  std::string type;
  bool passed = false;
  std::string message;
};

struct CaseResult {
  std::string case_id;
  int line = 0;
  int repeat = 1;  // 1-based
  CaseStatus status = CaseStatus::kSkipped;
  std::vector<AssertionOutcome> assertions;
  std::string message;  // the first failure, the error, or why it was skipped
  Status call_status;   // kError: the call's own status (its exit code)
  bool ran = false;     // a call was made and recorded
  CallRecord record;
  std::string text;
};

struct RunnerOptions {
  int concurrency = 4;
  int repeat = 1;
  int64_t max_cost_nanos = 0;  // 0: no run budget
  std::string max_cost_text;   // how the budget is named in skip messages
  const std::atomic<bool>* cancelled = nullptr;
};

// Called once per case run as it finishes (or is skipped), one at a time.
using ResultCallback = std::function<void(const CaseResult&, size_t done, size_t total)>;

// Runs tasks × repeat. *results is filled repeat-major (every case once,
// then again), whatever order they finished in. `base` supplies settings,
// environment and on_text (unused); each thread opens its own connection to
// settings->db_path, as SQLite handles must not be shared.
Status RunEval(const PipelineContext& base, const std::vector<EvalTask>& tasks, const RunnerOptions& options,
               const ResultCallback& on_result, std::vector<CaseResult>* results);

// Judges one finished call against its case's assertions.
void JudgeCase(const EvalCase& c, const CallOutcome& outcome, CaseResult* result);

}  // namespace llmctl
