#include "records/record_filter.h"

#include "util/time_format.h"

namespace llmctl {

std::string TagJsonPath(const std::string& key) {
  std::string path = "$.\"";
  for (char c : key) {
    if (c == '\'') path += "''";
    else if (c == '"' || c == '\\') continue;
    else path += c;
  }
  return path + "\"";
}

bool RecordFilter::Matches(const CallRecord& r) const {
  if (since_ms && r.timestamp_ms < *since_ms) return false;
  if (until_ms && r.timestamp_ms >= *until_ms) return false;
  if (!user.empty() && r.user_id != user) return false;
  if (!model.empty() && r.model != model) return false;
  if (!provider.empty() && r.provider != provider) return false;
  if (!request_id.empty() && r.request_id != request_id) return false;
  for (const auto& [key, value] : tags) {
    bool found = false;
    for (const auto& [k, v] : r.tags)
      if (k == key) {
        found = v == value;
        break;
      }
    if (!found) return false;
  }
  return true;
}

std::string RecordFilter::SqlWhere() const {
  std::string where;
  auto add = [&where](const char* condition) {
    where += where.empty() ? "WHERE " : " AND ";
    where += condition;
  };
  if (since_ms) add("ts_ms >= ?");
  if (until_ms) add("ts_ms < ?");
  if (!user.empty()) add("user_id = ?");
  if (!model.empty()) add("model = ?");
  if (!provider.empty()) add("provider = ?");
  if (!request_id.empty()) add("request_id = ?");
  for (const auto& tag : tags)
    add(("json_extract(tags, '" + TagJsonPath(tag.first) + "') = ?").c_str());
  return where;
}

int RecordFilter::BindSql(Statement* stmt) const {
  int i = 0;
  if (since_ms) stmt->Bind(++i, *since_ms);
  if (until_ms) stmt->Bind(++i, *until_ms);
  if (!user.empty()) stmt->Bind(++i, std::string_view(user));
  if (!model.empty()) stmt->Bind(++i, std::string_view(model));
  if (!provider.empty()) stmt->Bind(++i, std::string_view(provider));
  if (!request_id.empty()) stmt->Bind(++i, std::string_view(request_id));
  for (const auto& tag : tags) stmt->Bind(++i, std::string_view(tag.second));
  return i;
}

Status ParseTimeBound(const std::string& flag, const std::string& text, int64_t now_ms,
                      int64_t* out_ms) {
  if (auto d = ParseDurationMs(text)) {
    *out_ms = now_ms - *d;
    return Status::Ok();
  }
  if (auto t = ParseIsoUtc(text)) {
    *out_ms = *t;
    return Status::Ok();
  }
  return Status::Usage(flag + " " + text +
                       ": expected a duration such as 90s, 15m, 24h, 7d, 2w or a UTC date/time "
                       "such as 2026-11-28 or 2026-11-28T10:15");
}

Status ParseTimeRange(const std::string& since, const std::string& until, int64_t now_ms,
                      RecordFilter* filter) {
  int64_t ms = 0;
  if (!since.empty()) {
    Status st = ParseTimeBound("--since", since, now_ms, &ms);
    if (!st.ok()) return st;
    filter->since_ms = ms;
  }
  if (!until.empty()) {
    Status st = ParseTimeBound("--until", until, now_ms, &ms);
    if (!st.ok()) return st;
    filter->until_ms = ms;
  }
  return Status::Ok();
}

}  // namespace llmctl
