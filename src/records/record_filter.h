// RecordFilter: which call records a report or an export covers. The same
// filter runs as SQL over the calls table and in memory over JSONL input,
// so both sources answer identically.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "records/call_record.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct RecordFilter {
  std::optional<int64_t> since_ms;  // inclusive
  std::optional<int64_t> until_ms;  // exclusive
  std::string user;                 // each string: empty matches any
  std::string model;
  std::string provider;
  std::string request_id;
  // Every one must be on the record with that value. Keys are tag keys
  // (letters, digits, '_', '.', '-'), so they are quoted into SQL as is.
  std::vector<std::pair<std::string, std::string>> tags;

  bool Matches(const CallRecord& r) const;

  // The filter as SQL conditions on the calls table: "" or "WHERE …" with
  // positional parameters, bound in order from index 1 by BindSql, which
  // returns how many it bound (further parameters follow from there).
  std::string SqlWhere() const;
  int BindSql(Statement* stmt) const;
};

// The SQLite JSON path of a tag inside the calls table's `tags` column,
// ready to sit between single quotes in SQL: $."KEY".
std::string TagJsonPath(const std::string& key);

// A --since/--until value: a duration ("24h", "7d": that long before
// now_ms) or an ISO date/time in UTC ("2026-11-28", "2026-11-28T10:15").
// `flag` names the option in the error.
Status ParseTimeBound(const std::string& flag, const std::string& text, int64_t now_ms,
                      int64_t* out_ms);

// Sets filter->since_ms / until_ms from --since / --until values; an empty
// value leaves that side open.
Status ParseTimeRange(const std::string& since, const std::string& until, int64_t now_ms,
                      RecordFilter* filter);

}  // namespace llmctl
