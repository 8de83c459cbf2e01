#include "records/cost_report.h"

#include <algorithm>
#include <cmath>

#include "config/tags.h"
#include "records/money.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

// Group values are joined with a separator that cannot occur in them
// (ASCII unit separator) to form one hash key.
constexpr char kKeySeparator = '\x1f';

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
  if (text.starts_with("tag:")) {
    std::string key = text.substr(4);
    if (std::string why = WhyBadTagKey(key); !why.empty())
      return Status::Usage("--by " + text + ": " + why);
    *out = GroupBy::Tag(std::move(key));
    return Status::Ok();
  }
  for (const GroupBy& g :
       {GroupBy::kUser, GroupBy::kModel, GroupBy::kProvider, GroupBy::kDay, GroupBy::kHour}) {
    if (text == GroupByName(g)) {
      *out = g;
      return Status::Ok();
    }
  }
  return Status::Usage("--by " + text + ": expected user, model, provider, day, hour or tag:KEY");
}

std::string GroupByName(const GroupBy& g) {
  switch (g.kind) {
    case GroupKind::kUser: return "user";
    case GroupKind::kModel: return "model";
    case GroupKind::kProvider: return "provider";
    case GroupKind::kDay: return "day";
    case GroupKind::kHour: return "hour";
    case GroupKind::kTag: return "tag:" + g.tag;
  }
  return "";
}

const std::string* FindTag(const CallRecord& r, const std::string& key) {
  for (const auto& [k, v] : r.tags)
    if (k == key) return &v;
  return nullptr;
}

std::string GroupValue(const GroupBy& g, const CallRecord& r) {
  switch (g.kind) {
    case GroupKind::kUser: return r.user_id;
    case GroupKind::kModel: return r.model;
    case GroupKind::kProvider: return r.provider;
    case GroupKind::kDay: return UtcDayKey(r.timestamp_ms);
    case GroupKind::kHour: return UtcHourKey(r.timestamp_ms);
    case GroupKind::kTag: {
      const std::string* v = FindTag(r, g.tag);
      return v ? *v : std::string();
    }
  }
  return "";
}

void CostTotals::Add(const CallRecord& r) {
  ++calls;
  if (TokensInDomain(r.input_tokens)) input_tokens = SaturatingAdd(input_tokens, r.input_tokens);
  if (TokensInDomain(r.output_tokens))
    output_tokens = SaturatingAdd(output_tokens, r.output_tokens);
  cache_hits += r.cache_hit;
  errors += r.error_type.has_value();
  if (CostInDomain(r.cost_nanos)) cost_nanos = SaturatingAdd(cost_nanos, r.cost_nanos);
  if (CostInDomain(r.saved_cost_nanos))
    saved_nanos = SaturatingAdd(saved_nanos, r.saved_cost_nanos);
  if (r.price_source == "unknown" && !r.cache_hit) {
    ++unknown_price_calls;
    if (CostInDomain(r.cost_nanos))
      unknown_price_nanos = SaturatingAdd(unknown_price_nanos, r.cost_nanos);
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
  for (const GroupBy& g : by_) {
    switch (g.kind) {
      case GroupKind::kUser: key_ += r.user_id; break;
      case GroupKind::kModel: key_ += r.model; break;
      case GroupKind::kProvider: key_ += r.provider; break;
      case GroupKind::kTag:
        if (const std::string* v = FindTag(r, g.tag)) key_ += *v;
        break;
      default: key_ += GroupValue(g, r); break;
    }
    key_ += kKeySeparator;
  }
  auto it = groups_.find(key_);
  if (it == groups_.end()) {
    CostRow row;
    for (const GroupBy& g : by_) row.keys.push_back(GroupValue(g, r));
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
  if (!by.empty()) {
    // Groups are few and calls many: SQLite would sort every row to group
    // them, where a hash map over the rows in index order costs a fraction.
    std::string tag_columns;
    for (const GroupBy& g : by)
      if (g.kind == GroupKind::kTag)
        tag_columns += ", json_extract(tags, '" + TagJsonPath(g.tag) + "')";
    return "SELECT ts_ms, user_id, provider, model, input_tokens, output_tokens, cache_hit, "
           "error_type IS NOT NULL, cost_nanos, saved_cost_nanos, price_source" +
           tag_columns + " FROM calls " + filter.SqlWhere();
  }
  // TOTAL never fails where SUM stops with "integer overflow", and it is exact
  // while a sum stays below 2^53 (9 million dollars in nanos); values outside
  // a record's domain are left out, as CostTotals::Add does.
  auto sum = [](const char* column, int64_t max) {
    return "TOTAL(CASE WHEN " + std::string(column) + " BETWEEN 0 AND " + std::to_string(max) +
           " THEN " + column + " END), ";
  };
  std::string sql =
      "SELECT COUNT(*), " + sum("input_tokens", kMaxRecordTokens) +
      sum("output_tokens", kMaxRecordTokens) + "SUM(cache_hit != 0), COUNT(error_type), " +
      sum("cost_nanos", kMaxRecordCostNanos) + sum("saved_cost_nanos", kMaxRecordCostNanos);
  sql += "SUM(price_source = 'unknown' AND cache_hit = 0), ";
  sql +=
      "TOTAL(CASE WHEN price_source = 'unknown' AND cache_hit = 0 AND cost_nanos BETWEEN 0 AND " +
      std::to_string(kMaxRecordCostNanos) + " THEN cost_nanos END)";
  return sql + " FROM calls " + filter.SqlWhere();
}

Status CostReportFromDatabase(Database& db, const RecordFilter& filter,
                              const std::vector<GroupBy>& by, CostReport* out) {
  Statement q(db, CostReportSql(filter, by));
  if (!q.ok()) return q.Failure("reading call records");
  filter.BindSql(&q);
  *out = CostReport();
  out->by = by;
  if (!by.empty()) {
    // The same aggregation as over JSONL records, so both paths agree to
    // the nano-dollar by construction.
    CostAggregator groups(by);
    CallRecord r;
    while (q.Step()) {
      r.timestamp_ms = q.ColumnInt(0);
      r.user_id = q.ColumnText(1);
      r.provider = q.ColumnText(2);
      r.model = q.ColumnText(3);
      r.input_tokens = q.ColumnInt(4);
      r.output_tokens = q.ColumnInt(5);
      r.cache_hit = q.ColumnInt(6) != 0;
      if (q.ColumnInt(7)) {
        r.error_type.emplace();
      } else {
        r.error_type.reset();
      }
      r.cost_nanos = q.ColumnInt(8);
      r.saved_cost_nanos = q.ColumnInt(9);
      r.price_source = q.ColumnText(10);
      r.tags.clear();
      int column = 11;
      for (const GroupBy& g : by) {
        if (g.kind != GroupKind::kTag) continue;
        std::string value = q.ColumnText(column++);
        if (!value.empty()) r.tags.emplace_back(g.tag, std::move(value));
      }
      groups.Add(r);
    }
    if (q.failed()) return q.Failure("reading call records");
    *out = groups.Finish();
    return Status::Ok();
  }
  if (!q.Step()) return q.Failure("reading call records");
  CostTotals& t = out->total;
  t.calls = q.ColumnInt(0);
  t.input_tokens = TotalToInt(q.ColumnDouble(1));
  t.output_tokens = TotalToInt(q.ColumnDouble(2));
  t.cache_hits = q.ColumnInt(3);
  t.errors = q.ColumnInt(4);
  t.cost_nanos = TotalToInt(q.ColumnDouble(5));
  t.saved_nanos = TotalToInt(q.ColumnDouble(6));
  t.unknown_price_calls = q.ColumnInt(7);
  t.unknown_price_nanos = TotalToInt(q.ColumnDouble(8));
  return Status::Ok();
}

}  // namespace llmctl
