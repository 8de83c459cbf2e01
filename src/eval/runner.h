// The eval runner: every case of a suite through the call pipeline on a
// pool of threads, so requests really overlap, under a run budget that is
// never exceeded: a case starts only when what the run has spent plus the
// worst case of every call in flight plus its own worst case fits.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "eval/assertions.h"
#include "eval/suite.h"
#include "pipeline/call_pipeline.h"
#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// One case made ready to run on one model: its planned call, whose claim
// is what the call may cost at most, and for each llm-rubric assertion (in
// the order of the case's assertions) the model that grades it.
struct EvalTask {
  const EvalCase* eval_case = nullptr;
  CallPlan plan;
  std::string model;  // "provider:model" under --models; empty otherwise
  std::vector<ModelRef> graders;
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
  std::string model;  // as EvalTask::model
  int line = 0;
  std::optional<double> threshold;  // the case's, see EvalCase
  int repeat = 1;                   // 1-based
  CaseStatus status = CaseStatus::kSkipped;
  std::vector<AssertionOutcome> assertions;
  std::string message;  // the first failure, the error, or why it was skipped
  Status call_status;   // kError: the call's own status (its exit code)
  bool ran = false;     // a call was made and recorded
  CallRecord record;
  std::string text;
  int64_t grader_cost_nanos = 0;  // llm-rubric calls, apart from the case's own
};

struct RunnerOptions {
  int concurrency = 4;
  int repeat = 1;
  int64_t max_cost_nanos = 0;  // 0: no run budget
  std::string max_cost_text;   // how the budget is named in skip messages
  const std::atomic<bool>* cancelled = nullptr;
  // Settings of llm-rubric calls (the run's, with the cache read at
  // temperature 0 even when --repeat turned reading off); null: the run's.
  const Settings* grader_settings = nullptr;
};

// Called once per case run as it finishes (or is skipped), one at a time.
using ResultCallback = std::function<void(const CaseResult&, size_t done, size_t total)>;

// Runs every task as often as its case's `repeat` (else options.repeat).
// *results is filled repeat-major (every task once, then again), whatever
// order they finished in. llm-rubric graders run after their case's call,
// through the same guardrails, their worst case held in the run budget. `base` supplies settings,
// environment and on_text (unused); each thread opens its own connection to
// settings->db_path, as SQLite handles must not be shared.
Status RunEval(const PipelineContext& base, const std::vector<EvalTask>& tasks,
               const RunnerOptions& options, const ResultCallback& on_result,
               std::vector<CaseResult>* results);

// Judges one finished call against its case's assertions, all but
// llm-rubric (left to the grader).
void JudgeCase(const EvalCase& c, const CallOutcome& outcome, CaseResult* result);

// Applies one grader's answer to an llm-rubric assertion of result: a pass
// or a failure, or a case error when the answer is not the grader JSON.
void JudgeRubric(const Assertion& a, const std::string& grader_answer, CaseResult* result);

}  // namespace llmctl
