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
  Distribution latency;           // latency_ms of the successful calls
  Distribution ttft;              // ttft_ms of the successful streamed calls
  bool degraded = false;          // latency p95 above the threshold
};

// Latency bucket (lower_ms, upper_ms] of the overall successful calls.
struct HistogramBucket {
  double lower_ms = 0;
  double upper_ms = 0;
  int64_t count = 0;
};

struct LatencyReport {
  std::vector<GroupBy> by;
  double threshold_ms = 0;
  std::vector<LatencyGroup> groups;  // sorted by keys; empty without grouping
  LatencyGroup total;
  std::vector<HistogramBucket> histogram;  // 1-2-5 bounds from min to max
  // Degraded when any group's p95 (or, ungrouped, the overall p95) is above
  // the threshold. No successful calls: not degraded.
  bool degraded = false;
};

class LatencyAggregator {
 public:
  explicit LatencyAggregator(LatencyOptions options) : options_(std::move(options)) {}
  // Takes a record already matched by the caller's RecordFilter.
  void Add(const CallRecord& r);
  LatencyReport Finish(double threshold_ms);

 private:
  struct Samples {
    std::vector<std::string> keys;
    int64_t calls = 0;
    int64_t errors = 0;
    std::vector<double> latency;
    std::vector<double> ttft;
  };
  // Oldest on top, so the heap keeps the N most recent (later input wins a tie).
  struct Recent {
    int64_t ts_ms;
    uint64_t seq;
    CallRecord record;
    bool operator<(const Recent& o) const { return ts_ms != o.ts_ms ? ts_ms > o.ts_ms : seq > o.seq; }
  };

  void Accumulate(const CallRecord& r);
  static void AddTo(Samples* s, const CallRecord& r);
  static LatencyGroup Summarize(Samples* s, double threshold_ms);

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
