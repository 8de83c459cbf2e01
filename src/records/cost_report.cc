#include "records/cost_report.h"

#include <algorithm>
#include <cmath>

#include "records/money.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

// Group values are joined with a separator that cannot occur in them
// (ASCII unit separator) to form one hash key.
constexpr char kKeySeparator = '\x1f';

// The SQL expression yielding GroupValue for each GroupBy.
const char* GroupSql(GroupBy g) {
  switch (g) {
    case GroupBy::kUser: return "user_id";
    case GroupBy::kModel: return "model";
    case GroupBy::kProvider: return "provider";
    case GroupBy::kDay: return "strftime('%Y-%m-%d', ts_ms / 1000, 'unixepoch')";
    case GroupBy::kHour: return "strftime('%Y-%m-%dT%H:00Z', ts_ms / 1000, 'unixepoch')";
  }
  return "";
}

void SortRows(std::vector<CostRow>* rows) {
  std::sort(rows->begin(), rows->end(),
            [](const CostRow& a, const CostRow& b) { return a.keys < b.keys; });
}

// A SQL TOTAL of non-negative integers back to an integer, pinned below 2^63.
int64_t TotalToInt(double total) {
  if (!(total > 0)) return 0;
  if (total >= 9223372036854775808.0) return INT64_MAX;
  return std::llround(total);
}

}  // namespace

Status ParseGroupBy(const std::string& text, GroupBy* out) {
  for (GroupBy g : {GroupBy::kUser, GroupBy::kModel, GroupBy::kProvider, GroupBy::kDay,
                    GroupBy::kHour}) {
    if (text == GroupByName(g)) {
      *out = g;
      return Status::Ok();
    }
  }
  return Status::Usage("--by " + text + ": expected user, model, provider, day or hour");
}

const char* GroupByName(GroupBy g) {
  switch (g) {
    case GroupBy::kUser: return "user";
    case GroupBy::kModel: return "model";
    case GroupBy::kProvider: return "provider";
    case GroupBy::kDay: return "day";
    case GroupBy::kHour: return "hour";
  }
  return "";
}

std::string GroupValue(GroupBy g, const CallRecord& r) {
  switch (g) {
    case GroupBy::kUser: return r.user_id;
    case GroupBy::kModel: return r.model;
    case GroupBy::kProvider: return r.provider;
    case GroupBy::kDay: return UtcDayKey(r.timestamp_ms);
    case GroupBy::kHour: return UtcHourKey(r.timestamp_ms);
  }
  return "";
}

void CostTotals::Add(const CallRecord& r) {
  ++calls;
  if (TokensInDomain(r.input_tokens)) input_tokens = SaturatingAdd(input_tokens, r.input_tokens);
  if (TokensInDomain(r.output_tokens)) output_tokens = SaturatingAdd(output_tokens, r.output_tokens);
  cache_hits += r.cache_hit;
  errors += r.error_type.has_value();
  if (CostInDomain(r.cost_nanos)) cost_nanos = SaturatingAdd(cost_nanos, r.cost_nanos);
  if (CostInDomain(r.saved_cost_nanos)) saved_nanos = SaturatingAdd(saved_nanos, r.saved_cost_nanos);
  if (r.price_source == "unknown" && !r.cache_hit) {
    ++unknown_price_calls;
    if (CostInDomain(r.cost_nanos)) unknown_price_nanos = SaturatingAdd(unknown_price_nanos, r.cost_nanos);
  }
}

void CostTotals::Add(const CostTotals& t) {
  calls += t.calls;
  input_tokens = SaturatingAdd(input_tokens, t.input_tokens);
  output_tokens = SaturatingAdd(output_tokens, t.output_tokens);
  cache_hits += t.cache_hits;
  errors += t.errors;
  cost_nanos = SaturatingAdd(cost_nanos, t.cost_nanos);
  saved_nanos = SaturatingAdd(saved_nanos, t.saved_nanos);
  unknown_price_calls += t.unknown_price_calls;
  unknown_price_nanos = SaturatingAdd(unknown_price_nanos, t.unknown_price_nanos);
}

void CostAggregator::Add(const CallRecord& r) {
  total_.Add(r);
  if (by_.empty()) return;
  key_.clear();
  for (GroupBy g : by_) {
    switch (g) {
      case GroupBy::kUser: key_ += r.user_id; break;
      case GroupBy::kModel: key_ += r.model; break;
      case GroupBy::kProvider: key_ += r.provider; break;
      default: key_ += GroupValue(g, r); break;
    }
    key_ += kKeySeparator;
  }
  auto it = groups_.find(key_);
  if (it == groups_.end()) {
    CostRow row;
    for (GroupBy g : by_) row.keys.push_back(GroupValue(g, r));
    it = groups_.emplace(key_, std::move(row)).first;
  }
  it->second.totals.Add(r);
}

CostReport CostAggregator::Finish() const {
  CostReport report;
  report.by = by_;
  report.total = total_;
  for (const auto& [key, row] : groups_) report.rows.push_back(row);
  SortRows(&report.rows);
  return report;
}

std::string CostReportSql(const RecordFilter& filter, const std::vector<GroupBy>& by) {
  std::string keys;
  for (GroupBy g : by) keys += std::string(GroupSql(g)) + ", ";
  // TOTAL never fails where SUM stops with "integer overflow", and it is exact
  // while a sum stays below 2^53 (9 million dollars in nanos); values outside
  // a record's domain are left out, as CostTotals::Add does.
  auto sum = [](const char* column, int64_t max) {
    return "TOTAL(CASE WHEN " + std::string(column) + " BETWEEN 0 AND " + std::to_string(max) + " THEN " +
           column + " END), ";
  };
  std::string sql = "SELECT " + keys + "COUNT(*), " + sum("input_tokens", kMaxRecordTokens) +
                    sum("output_tokens", kMaxRecordTokens) + "SUM(cache_hit != 0), COUNT(error_type), " +
                    sum("cost_nanos", kMaxRecordCostNanos) + sum("saved_cost_nanos", kMaxRecordCostNanos);
  sql += "SUM(price_source = 'unknown' AND cache_hit = 0), ";
  sql += "TOTAL(CASE WHEN price_source = 'unknown' AND cache_hit = 0 AND cost_nanos BETWEEN 0 AND " +
         std::to_string(kMaxRecordCostNanos) + " THEN cost_nanos END), ";
  sql.resize(sql.size() - 2);
  sql += " FROM calls " + filter.SqlWhere();
  if (!by.empty()) {
    std::string positions;
    for (size_t i = 1; i <= by.size(); ++i) positions += (i > 1 ? ", " : "") + std::to_string(i);
    sql += " GROUP BY " + positions;
  }
  return sql;
}

Status CostReportFromDatabase(Database& db, const RecordFilter& filter,
                              const std::vector<GroupBy>& by, CostReport* out) {
  const std::string sql = CostReportSql(filter, by);
  Statement q(db, sql);
  if (!q.ok()) return q.Failure("reading call records");
  filter.BindSql(&q);
  *out = CostReport();
  out->by = by;
  const int n = static_cast<int>(by.size());
  while (q.Step()) {
    CostRow row;
    for (int i = 0; i < n; ++i) row.keys.push_back(q.ColumnText(i));
    row.totals.calls = q.ColumnInt(n);
    row.totals.input_tokens = TotalToInt(q.ColumnDouble(n + 1));
    row.totals.output_tokens = TotalToInt(q.ColumnDouble(n + 2));
    row.totals.cache_hits = q.ColumnInt(n + 3);
    row.totals.errors = q.ColumnInt(n + 4);
    row.totals.cost_nanos = TotalToInt(q.ColumnDouble(n + 5));
    row.totals.saved_nanos = TotalToInt(q.ColumnDouble(n + 6));
    row.totals.unknown_price_calls = q.ColumnInt(n + 7);
    row.totals.unknown_price_nanos = TotalToInt(q.ColumnDouble(n + 8));
    out->total.Add(row.totals);
    if (!by.empty()) out->rows.push_back(std::move(row));
  }
  if (q.failed()) return q.Failure("reading call records");
  SortRows(&out->rows);
  return Status::Ok();
}

}  // namespace llmctl
