#include "records/latency_stats.h"

#include <algorithm>

#include "providers/error_type.h"

namespace llmctl {
namespace {

// Bucket bounds 1, 2, 5, 10, 20, 50 … ms: even-looking steps over the
// several orders of magnitude LLM latencies span.
std::vector<HistogramBucket> Histogram(const std::vector<double>& sorted) {
  std::vector<HistogramBucket> buckets;
  if (sorted.empty()) return buckets;
  double lower = 0;
  double upper = 1;
  static constexpr double kSteps[] = {2, 2.5, 2};  // 1 → 2 → 5 → 10
  size_t step = 0;
  while (upper < sorted.front()) {
    lower = upper;
    upper *= kSteps[step++ % 3];
  }
  auto it = sorted.begin();
  while (it != sorted.end()) {
    auto end = std::upper_bound(it, sorted.end(), upper);
    buckets.push_back({lower, upper, static_cast<int64_t>(end - it)});
    it = end;
    lower = upper;
    upper *= kSteps[step++ % 3];
  }
  return buckets;
}

}  // namespace

const char* LatencyStatusName(LatencyStatus s) {
  switch (s) {
    case LatencyStatus::kOk: return "ok";
    case LatencyStatus::kDegraded: return "degraded";
    case LatencyStatus::kNoData: return "no_data";
  }
  return "ok";
}

bool IsProviderFailure(const std::string& name) {
  using enum ErrorType;
  const auto t = ParseErrorType(name);
  return t == kProviderError || t == kTimeout || t == kNetwork || t == kAuth;
}

bool IsLocalRefusal(const std::string& name) {
  using enum ErrorType;
  const auto t = ParseErrorType(name);
  return t == kRateLimited || t == kBudgetExceeded || t == kContextWindow || t == kGuardRefused;
}

void LatencyAggregator::Add(const CallRecord& r) {
  if (r.cache_hit && !options_.include_cache_hits) return;
  if (options_.last_n <= 0) {
    Accumulate(r);
    return;
  }
  recent_.push({r.timestamp_ms, seq_++, r});
  if (static_cast<int64_t>(recent_.size()) > options_.last_n) recent_.pop();
}

void LatencyAggregator::AddTo(Samples* s, const CallRecord& r) {
  ++s->calls;
  if (!r.error_type || !IsLocalRefusal(*r.error_type)) ++s->provider_calls;
  if (r.error_type) {
    ++s->errors;
    if (IsProviderFailure(*r.error_type)) ++s->provider_failures;
    return;
  }
  s->latency.push_back(r.latency_ms);
  if (r.ttft_ms) s->ttft.push_back(*r.ttft_ms);
}

void LatencyAggregator::Accumulate(const CallRecord& r) {
  AddTo(&total_, r);
  if (options_.by.empty()) return;
  std::vector<std::string> keys;
  std::string joined;
  for (GroupBy g : options_.by) {
    keys.push_back(GroupValue(g, r));
    joined += keys.back() + '\x1f';
  }
  Samples& s = groups_[joined];
  if (s.keys.empty()) s.keys = std::move(keys);
  AddTo(&s, r);
}

LatencyGroup LatencyAggregator::Summarize(Samples* s, double threshold_ms,
                                          double error_rate_threshold) {
  LatencyGroup g;
  g.keys = s->keys;
  g.calls = s->calls;
  g.errors = s->errors;
  g.provider_calls = s->provider_calls;
  g.provider_failures = s->provider_failures;
  g.latency = llmctl::Summarize(&s->latency);
  g.ttft = llmctl::Summarize(&s->ttft);
  g.slow = g.latency.count > 0 && g.latency.p95 > threshold_ms;
  g.failing = g.provider_calls > 0 && g.error_rate() > error_rate_threshold;
  g.degraded = g.slow || g.failing;
  return g;
}

LatencyReport LatencyAggregator::Finish(double threshold_ms, double error_rate_threshold) {
  while (!recent_.empty()) {
    Accumulate(recent_.top().record);
    recent_.pop();
  }
  LatencyReport report;
  report.by = options_.by;
  report.threshold_ms = threshold_ms;
  report.error_rate_threshold = error_rate_threshold;
  report.total = Summarize(&total_, threshold_ms, error_rate_threshold);
  report.histogram = Histogram(total_.latency);  // sorted by Summarize
  report.degraded = report.total.degraded;
  for (auto& [key, samples] : groups_) {
    report.groups.push_back(Summarize(&samples, threshold_ms, error_rate_threshold));
    report.degraded = report.degraded || report.groups.back().degraded;
  }
  std::sort(report.groups.begin(), report.groups.end(),
            [](const LatencyGroup& a, const LatencyGroup& b) { return a.keys < b.keys; });
  report.status = report.total.calls == 0 ? LatencyStatus::kNoData
                  : report.degraded       ? LatencyStatus::kDegraded
                                          : LatencyStatus::kOk;
  return report;
}

Status CollectLatencyFromDatabase(Database& db, const RecordFilter& filter,
                                  const LatencyOptions& options, LatencyAggregator* out) {
  std::string where = filter.SqlWhere();
  if (!options.include_cache_hits)
    where += where.empty() ? "WHERE cache_hit = 0" : " AND cache_hit = 0";
  std::string sql =
      "SELECT ts_ms, provider, model, latency_ms, ttft_ms, error_type, cache_hit FROM calls " +
      where;
  if (options.last_n > 0)
    sql += " ORDER BY ts_ms DESC, id DESC LIMIT " + std::to_string(options.last_n);
  Statement q(db, sql);
  if (!q.ok()) return q.Failure("reading call records");
  filter.BindSql(&q);
  CallRecord r;
  while (q.Step()) {
    r.timestamp_ms = q.ColumnInt(0);
    r.provider = q.ColumnText(1);
    r.model = q.ColumnText(2);
    r.latency_ms = q.ColumnDouble(3);
    r.ttft_ms = q.ColumnIsNull(4) ? std::nullopt : std::optional<double>(q.ColumnDouble(4));
    r.error_type = q.ColumnIsNull(5) ? std::nullopt : std::optional<std::string>(q.ColumnText(5));
    r.cache_hit = q.ColumnInt(6) != 0;
    out->Add(r);
  }
  if (q.failed()) return q.Failure("reading call records");
  return Status::Ok();
}

}  // namespace llmctl
