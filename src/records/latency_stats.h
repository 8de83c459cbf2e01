// Latency percentiles over call records (nearest rank, see percentiles.h),
// overall and optionally per provider and/or model. Error records are
// counted apart and kept out of the percentiles (a fast failure is not a
// fast answer); cache hits are left out unless asked for, since they would
// flatter the provider's figures.
#pragma once

#include <cstdint>
#include <queue>
#include <string>
#include <unordered_map>
#include <vector>

#include "records/call_record.h"
#include "records/cost_report.h"
#include "records/percentiles.h"
#include "records/record_filter.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct LatencyOptions {
  std::vector<GroupBy> by;  // kProvider and/or kModel
  bool include_cache_hits = false;
  int64_t last_n = 0;  // > 0: only the N most recent records in scope
};

struct LatencyGroup {
  std::vector<std::string> keys;  // one per GroupBy
  int64_t calls = 0;              // records in scope, errors included
  int64_t errors = 0;             // error_type set: not in the percentiles
  // Calls that reached a provider (llmctl's own refusals left out) and those
  // of them that failed there (provider_error, timeout, network, auth).
  int64_t provider_calls = 0;
  int64_t provider_failures = 0;
  Distribution latency;   // latency_ms of the successful calls
  Distribution ttft;      // ttft_ms of the successful streamed calls
  bool slow = false;      // latency p95 above the threshold
  bool failing = false;   // error rate above the error-rate threshold
  bool degraded = false;  // slow or failing
  double error_rate() const {
    return provider_calls
               ? static_cast<double>(provider_failures) / static_cast<double>(provider_calls)
               : 0;
  }
};

// What latency-stats concludes: no calls in scope at all is no_data (a dead
// pipeline or a wrong database must not look healthy), otherwise ok or
// degraded.
enum class LatencyStatus { kOk, kDegraded, kNoData };
const char* LatencyStatusName(LatencyStatus s);

// Whether a record's error_type is a failure at the provider, as opposed to
// one of llmctl's own refusals (limits, budget, pre-flight, content guard)
// that never reached it.
bool IsProviderFailure(const std::string& error_type);
bool IsLocalRefusal(const std::string& error_type);

// Latency bucket (lower_ms, upper_ms] of the overall successful calls.
struct HistogramBucket {
  double lower_ms = 0;
  double upper_ms = 0;
  int64_t count = 0;
};

struct LatencyReport {
  std::vector<GroupBy> by;
  double threshold_ms = 0;
  double error_rate_threshold = 0;
  std::vector<LatencyGroup> groups;  // sorted by keys; empty without grouping
  LatencyGroup total;
  std::vector<HistogramBucket> histogram;  // 1-2-5 bounds from min to max
  // Degraded when any group's p95 (or, ungrouped, the overall p95) is above
  // the threshold, or its provider error rate is above the error-rate
  // threshold. No successful calls: not slow.
  bool degraded = false;
  LatencyStatus status = LatencyStatus::kNoData;
};

class LatencyAggregator {
 public:
  explicit LatencyAggregator(LatencyOptions options) : options_(std::move(options)) {}
  // Takes a record already matched by the caller's RecordFilter.
  void Add(const CallRecord& r);
  LatencyReport Finish(double threshold_ms, double error_rate_threshold);

 private:
  struct Samples {
    std::vector<std::string> keys;
    int64_t calls = 0;
    int64_t errors = 0;
    int64_t provider_calls = 0;
    int64_t provider_failures = 0;
    std::vector<double> latency;
    std::vector<double> ttft;
  };
  // Oldest on top, so the heap keeps the N most recent (later input wins a tie).
  struct Recent {
    int64_t ts_ms;
    uint64_t seq;
    CallRecord record;
    bool operator<(const Recent& o) const {
      return ts_ms != o.ts_ms ? ts_ms > o.ts_ms : seq > o.seq;
    }
  };

  void Accumulate(const CallRecord& r);
  static void AddTo(Samples* s, const CallRecord& r);
  static LatencyGroup Summarize(Samples* s, double threshold_ms, double error_rate_threshold);

  LatencyOptions options_;
  std::unordered_map<std::string, Samples> groups_;
  Samples total_;
  std::priority_queue<Recent> recent_;
  uint64_t seq_ = 0;
};

// Feeds the aggregator from the calls table, reading only the columns it
// needs; --last N becomes ORDER BY ts_ms DESC LIMIT N in SQL.
Status CollectLatencyFromDatabase(Database& db, const RecordFilter& filter,
                                  const LatencyOptions& options, LatencyAggregator* out);

}  // namespace llmctl
