// Cost totals over call records, optionally grouped (nested, in the order
// given) by user, model, provider, UTC day, UTC hour or the value of a tag. Money is summed in
// integer nano-dollars, so a total equals the sum of its records exactly.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "records/call_record.h"
#include "records/record_filter.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

enum class GroupKind { kUser, kModel, kProvider, kDay, kHour, kTag };

struct GroupBy {
  GroupKind kind = GroupKind::kUser;
  std::string tag;  // kTag: the tag's key

  static const GroupBy kUser, kModel, kProvider, kDay, kHour;
  static GroupBy Tag(std::string key) { return {GroupKind::kTag, std::move(key)}; }
  bool operator==(const GroupBy&) const = default;
};
inline const GroupBy GroupBy::kUser{GroupKind::kUser, {}};
inline const GroupBy GroupBy::kModel{GroupKind::kModel, {}};
inline const GroupBy GroupBy::kProvider{GroupKind::kProvider, {}};
inline const GroupBy GroupBy::kDay{GroupKind::kDay, {}};
inline const GroupBy GroupBy::kHour{GroupKind::kHour, {}};

// "user", "model", "provider", "day", "hour", "tag:KEY".
Status ParseGroupBy(const std::string& text, GroupBy* out);
// The same names: the column header and JSON key of the grouping.
std::string GroupByName(const GroupBy& g);
// The group value of a record: its user/model/provider, "2026-11-28" for
// day, "2026-11-28T10:00Z" for hour, the tag's value ("" when the record
// has no such tag).
std::string GroupValue(const GroupBy& g, const CallRecord& r);
// The value of the record's tag `key`, or null.
const std::string* FindTag(const CallRecord& r, const std::string& key);

struct CostTotals {
  int64_t calls = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cache_hits = 0;
  int64_t errors = 0;  // records with error_type set
  int64_t cost_nanos = 0;
  int64_t saved_nanos = 0;  // what cache hits would have cost
  // Calls of models missing from the price table, costed at the
  // conservative placeholder, and how much of cost_nanos that is.
  int64_t unknown_price_calls = 0;
  int64_t unknown_price_nanos = 0;

  void Add(const CallRecord& r);
  void Add(const CostTotals& t);
};

struct CostRow {
  std::vector<std::string> keys;  // one per GroupBy, in order
  CostTotals totals;
};

struct CostReport {
  std::vector<GroupBy> by;
  std::vector<CostRow> rows;  // sorted by keys; empty without grouping
  CostTotals total;
};

// Streams records into per-group totals held in a hash map: memory grows
// with the number of groups, never with the number of records.
class CostAggregator {
 public:
  explicit CostAggregator(std::vector<GroupBy> by) : by_(std::move(by)) {}
  void Add(const CallRecord& r);
  CostReport Finish() const;

 private:
  std::vector<GroupBy> by_;
  std::unordered_map<std::string, CostRow> groups_;
  std::string key_;  // reused buffer for the joined group key
  CostTotals total_;
};

// The query behind CostReportFromDatabase: the totals, or with groups the
// rows to group. Its parameters are the filter's (RecordFilter::BindSql); it
// reads only columns of the calls_report index.
std::string CostReportSql(const RecordFilter& filter, const std::vector<GroupBy>& by);

// The same report from the database's columns, never reading the JSON of
// each record: totals summed by SQLite, groups by CostAggregator.
Status CostReportFromDatabase(Database& db, const RecordFilter& filter,
                              const std::vector<GroupBy>& by, CostReport* out);

}  // namespace llmctl
