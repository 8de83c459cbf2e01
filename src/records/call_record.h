// CallRecord: the one structured record written per call. It is the only
// thing reports read, so every field a report needs lives here; its JSON
// form is a published format (logs, LLMCTL_LOG_FILE, exports).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "util/status.h"

namespace llmctl {

struct Attempt {
  std::string provider;
  std::string model;
  int status = 0;          // HTTP status, 0 when none
  std::string error_type;  // empty on success, "skipped" when not contacted
  double latency_ms = 0;
};

// A content-guard finding: where it was found ("input" before sending,
// "output" on the answer), which rule fired, and a short escaped excerpt.
struct GuardFinding {
  std::string stage;
  std::string rule;
  std::string detail;
};

struct CallRecord {
  int64_t timestamp_ms = 0;
  std::string request_id;
  std::string user_id;
  std::string provider;
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;
  int64_t reasoning_tokens = 0;
  int64_t cost_nanos = 0;        // USD × 1e9, summed exactly by reports
  int64_t saved_cost_nanos = 0;  // cache hits: what the call would have cost
  std::string price_source = "builtin";
  double latency_ms = 0;
  std::optional<double> ttft_ms;
  std::string finish_reason = "error";
  std::string provider_finish_reason;
  bool cache_hit = false;
  std::vector<Attempt> attempts;
  bool fallback_used = false;
  std::optional<std::string> error;
  std::optional<std::string> error_type;
  std::string prompt_hash;
  std::optional<std::string> alert;
  std::string run_id;
  std::string case_id;
  std::vector<std::pair<std::string, std::string>> tags;  // sorted by key
  std::string state_backend = "sqlite";
  std::vector<GuardFinding> guard_findings;
  std::optional<std::string> conversation;
  int64_t history_dropped = 0;
  std::optional<std::string> replay_of;
  std::string llmctl_version = LLMCTL_VERSION;

  nlohmann::json ToJson() const;
  // One compact JSON line, without a trailing newline.
  std::string ToJsonLine() const;
};

// The domain of a record's counters. A stored or imported record outside it
// was written from a forged or broken provider report (or by a version that
// trusted one); reports leave such a value out instead of summing it.
constexpr int64_t kMaxRecordTokens = 1'000'000'000;
constexpr int64_t kMaxRecordCostNanos = 1'000'000'000'000'000;  // $1M for one call
bool TokensInDomain(int64_t tokens);
bool CostInDomain(int64_t nanos);

// Money conversions: nano-dollars are the exact unit; USD doubles only at the edges.
int64_t UsdToNanos(double usd);
double NanosToUsd(int64_t nanos);

}  // namespace llmctl
