#include "records/record_export.h"

namespace llmctl {
namespace {

std::string And(const std::string& where, const char* condition) {
  return where + (where.empty() ? "WHERE " : " AND ") + condition;
}

}  // namespace

Status ExportRecords(Database& db, const RecordFilter& filter, int64_t last_n,
                     const LineSink& sink, int64_t* max_id) {
  const std::string where = And(filter.SqlWhere(), "id <= ?");
  std::string sql = "SELECT record FROM calls " + where + " ORDER BY ts_ms, id";
  if (last_n > 0) {
    sql = "SELECT record FROM (SELECT record, ts_ms, id FROM calls " + where +
          " ORDER BY ts_ms DESC, id DESC LIMIT " + std::to_string(last_n) + ") ORDER BY ts_ms, id";
  }
  // One read transaction: the max id and the rows come from the same snapshot.
  Status st = db.Exec("BEGIN");
  if (!st.ok()) return st;
  std::string error;
  {
    Statement top(db, "SELECT COALESCE(MAX(id), 0) FROM calls");
    *max_id = top.Step() ? top.ColumnInt(0) : 0;
    error = top.error();
  }
  if (error.empty()) {
    Statement q(db, sql);
    if (q.ok()) {
      q.Bind(filter.BindSql(&q) + 1, *max_id);
      while (q.Step()) sink(q.ColumnText(0));
    }
    error = q.error();
  }
  db.Rollback();  // read only: nothing to commit
  if (!error.empty()) return Status::Internal("database error: " + error);
  return Status::Ok();
}

Status ExportRecordsAfter(Database& db, const RecordFilter& filter, int64_t after_id,
                          const LineSink& sink, int64_t* max_id) {
  // The id range is fixed first, so rows skipped by the filter are not
  // scanned again on the next poll.
  Statement top(db, "SELECT COALESCE(MAX(id), 0) FROM calls");
  if (!top.Step()) return Status::Internal("database error: " + top.error());
  const int64_t last = top.ColumnInt(0);
  *max_id = after_id;
  if (last <= after_id) return Status::Ok();
  Statement q(db, "SELECT record FROM calls " + And(filter.SqlWhere(), "id > ? AND id <= ?") +
                      " ORDER BY id");
  if (!q.ok()) return Status::Internal("database error: " + q.error());
  const int n = filter.BindSql(&q);
  q.Bind(n + 1, after_id).Bind(n + 2, last);
  while (q.Step()) sink(q.ColumnText(0));
  if (!q.error().empty()) return Status::Internal("database error: " + q.error());
  *max_id = last;
  return Status::Ok();
}

Status PruneRecords(Database& db, int64_t cutoff_ms, int64_t* deleted) {
  Status st = db.BeginImmediate();
  if (!st.ok()) return st;
  Statement del(db, "DELETE FROM calls WHERE ts_ms < ?");
  if (!del.ok()) {
    db.Rollback();
    return Status::Internal("database error: " + del.error());
  }
  del.Bind(1, cutoff_ms);
  del.Step();
  if (!del.error().empty()) {
    db.Rollback();
    return Status::Internal("cannot prune call records: " + del.error());
  }
  *deleted = sqlite3_changes(db.handle());
  return db.Commit();
}

}  // namespace llmctl
