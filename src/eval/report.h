// What an eval run shows: progress on stderr while it runs, then on stdout
// a table of cases, the failures, and the closing line "N passed, N failed"
// (", N skipped", ", N errors" when there are any) that CI logs end with;
// also the per-case JSONL file of --output.
#pragma once

#include <chrono>
#include <cstdio>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "eval/runner.h"
#include "util/status.h"

namespace llmctl {

struct EvalCounts {
  size_t passed = 0, failed = 0, errors = 0, skipped = 0;
  int64_t cost_nanos = 0;
  int64_t grader_cost_nanos = 0;  // llm-rubric calls, apart from cost_nanos
  size_t cache_hits = 0;
};

EvalCounts CountResults(const std::vector<CaseResult>& results);

// "3 passed, 1 failed" plus ", 2 skipped" and ", 1 error(s)" when non-zero.
std::string ClosingLine(const EvalCounts& c);

// Progress on stderr: a bar redrawn in place on a terminal, one plain line
// per finished case otherwise (CI logs keep every line). Not thread-safe:
// the runner calls it under its own lock.
class Progress {
 public:
  Progress(FILE* out, bool terminal, bool enabled, int repeat);
  void Update(const CaseResult& r, size_t done, size_t total);
  void Finish();

 private:
  FILE* out_;
  bool terminal_, enabled_;
  int repeat_;
  EvalCounts counts_;
  std::chrono::steady_clock::time_point start_, last_draw_;
  bool drawn_ = false;
};

struct EvalRunInfo {
  std::string suite;
  std::string run_id;
  int repeat = 1;
  double wall_seconds = 0;
  std::optional<double> min_pass_rate;  // --min-pass-rate
};

// One model's figures in a run (the whole run when it has one model).
struct ModelSummary {
  std::string model;  // empty: the run has one model
  EvalCounts counts;
  double pass_rate = 0;           // passed over passed + failed + errors; 0 when none
  double p50_ms = 0, p95_ms = 0;  // over the case runs that made a call
  int64_t input_tokens = 0, output_tokens = 0;
};
std::vector<ModelSummary> SummarizeByModel(const std::vector<CaseResult>& results);

// Why the run fails its pass-rate gates, one line each, or nothing: a
// case with a `threshold` passes when that fraction of its runs passed;
// with min_pass_rate each model's pass rate must reach it (and failed runs
// of other cases are then tolerated); without it every such run must pass.
std::vector<std::string> GateFailures(const std::vector<CaseResult>& results,
                                      std::optional<double> min_pass_rate);

// The case table (one row per case and model, repeats folded), then every
// failure, error and skip with its suite line, the pass-rate gates, under
// --models a side-by-side table of the models, a totals line and the
// closing line.
void PrintEvalSummary(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                      std::ostream& out, bool color);

// The same summary as one JSON object (--format json): run, gates, one
// entry per model, and the totals.
void PrintEvalJson(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                   std::ostream& out);

// --output: one JSON object per case run (answer text included, as the user
// asked for the file; nothing of it goes to records or logs).
Status WriteResultsJsonl(const EvalRunInfo& info, const std::vector<CaseResult>& results,
                         const std::string& path);

// The exit status of a run: errors (the first one's own code, 8 for a
// provider failure), else 9 when a pass-rate gate failed (GateFailures),
// else 5 when the run budget skipped cases, else ok.
Status RunVerdict(const std::vector<CaseResult>& results, const std::string& max_cost_text,
                  std::optional<double> min_pass_rate = std::nullopt);

}  // namespace llmctl
