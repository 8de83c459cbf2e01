// Eval results in the database, and the comparison of two runs: which
// cases changed between pass and fail, and what happened to cost and
// latency. Only ids, statuses, assertion type names and figures are
// stored, never prompt or answer text: the database holds no content.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "eval/runner.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct EvalResultRow {
  std::string run_id;
  std::string case_id;
  int repeat = 1;
  std::string status;  // passed | failed | error | skipped
  std::string request_id;
  int64_t cost_nanos = 0;
  double latency_ms = 0;
  bool ran = false;
  std::string failed_asserts;  // comma list of assertion types
  std::string suite;
  int64_t ts_ms = 0;
};

// Stores a run's results in one transaction.
Status SaveEvalResults(Database& db, const std::string& run_id, const std::string& suite,
                       int64_t ts_ms, const std::vector<CaseResult>& results);
// Rows of one run in case order of storage; empty when the run is unknown.
Status LoadEvalResults(Database& db, const std::string& run_id, std::vector<EvalResultRow>* rows);

// One case across the repeats of a run.
struct CaseSummary {
  std::string status;  // the worst: error > failed > passed; skipped only when no repeat ran
  int runs = 0;
  int passed = 0;
  int64_t cost_nanos = 0;
  double mean_latency_ms = 0;  // over repeats that made a call
  bool present = false;
};

struct CaseChange {
  std::string case_id;
  CaseSummary a, b;
};

struct RunTotals {
  int cases = 0, passed = 0, failed = 0, errors = 0, skipped = 0;
  int64_t cost_nanos = 0;
  double mean_latency_ms = 0;
};

struct Comparison {
  std::string run_a, run_b;
  std::vector<CaseChange> changed;  // status changed, or in one run only
  RunTotals a, b;
  int regressions = 0;  // passed in A, not in B
  int fixes = 0;        // not passed in A, passed in B
};

Comparison CompareRuns(const std::string& run_a, const std::vector<EvalResultRow>& a,
                       const std::string& run_b, const std::vector<EvalResultRow>& b);

void PrintComparison(const Comparison& c, std::ostream& out, bool color);
void PrintComparisonJson(const Comparison& c, std::ostream& out);

}  // namespace llmctl
