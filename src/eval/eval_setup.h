// Getting an eval run ready and wrapping it up: the suite read and
// filtered, one planned call per case, and the results stored and written
// where the user asked. The `eval` command only wires flags to these.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "eval/report.h"
#include "eval/runner.h"
#include "eval/suite.h"
#include "pipeline/pipeline_context.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// Reads and checks a suite file ("-": standard input). Every error but the
// last is logged; the last is the returned usage status.
Status LoadSuiteFile(const std::string& path, Suite* suite);

// Keeps the cases whose id matches the regular expression (empty: all).
Status FilterCases(const std::string& pattern, Suite* suite);

// What every case's call shares.
struct EvalCallDefaults {
  ModelRef model;  // for cases that name none
  // --models: every case runs on each of these instead (its own model
  // ignored), in this order.
  std::vector<ModelRef> models;
  std::vector<ModelRef> fallbacks;
  std::string run_id;
  std::string grader_model;         // LLM_GRADER_MODEL; empty: the case's model
  bool ignore_case_models = false;  // set for each model of --models
};

// Plans one call per case (per case and model under --models), in suite
// order, and the grader of each llm-rubric assertion (the assertion's or
// case's `grader`, else LLM_GRADER_MODEL, else the model under test); a
// bad model is a usage error with its suite line, a missing key a
// configuration error, both before anything is sent.
Status PlanEvalTasks(const PipelineContext& base, const Suite& suite,
                     const EvalCallDefaults& defaults, std::vector<EvalTask>* tasks);

// Where a finished run's results go besides the summary on `out`.
struct EvalOutputs {
  std::string junit_path;  // empty: none
  std::string jsonl_path;  // empty: none
  bool color = false;
  bool json = false;  // the summary as JSON (--format json)
};

// Stores the results for --compare (a failure only warns), writes the
// JUnit and JSONL files, prints the summary.
Status WriteEvalOutputs(Database& db, const EvalRunInfo& info, int64_t started_ms,
                        const std::vector<CaseResult>& results, const EvalOutputs& outputs,
                        std::ostream& out);

// --compare: the two runs' stored results side by side. A case that
// passed in run_a and not in run_b makes it a failed check.
Status CompareStoredRuns(Database& db, const std::string& db_path, const std::string& run_a,
                         const std::string& run_b, bool json, bool color, std::ostream& out);

}  // namespace llmctl
