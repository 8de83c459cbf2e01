#include "records/record_export.h"

namespace llmctl {
namespace {

std::string And(const std::string& where, const char* condition) {
  return where + (where.empty() ? "WHERE " : " AND ") + condition;
}

}  // namespace

Status ExportRecords(Database& db, const RecordFilter& filter, int64_t last_n, const LineSink& sink,
                     int64_t* max_id) {
  const std::string where = And(filter.SqlWhere(), "id <= ?");
  std::string sql = "SELECT record FROM calls " + where + " ORDER BY ts_ms, id";
  if (last_n > 0) {
    sql = "SELECT record FROM (SELECT record, ts_ms, id FROM calls " + where +
          " ORDER BY ts_ms DESC, id DESC LIMIT " + std::to_string(last_n) + ") ORDER BY ts_ms, id";
  }
  // One read transaction: the max id and the rows come from the same
  // snapshot. Nothing is written, so it is never committed.
  Transaction tx(db, Transaction::Kind::kDeferred);
  if (!tx.status().ok()) return tx.status();
  {
    Statement top(db, "SELECT COALESCE(MAX(id), 0) FROM calls");
    *max_id = top.Step() ? top.ColumnInt(0) : 0;
    if (top.failed()) return top.Failure("reading call records");
  }
  Statement q(db, sql);
  if (q.ok()) {
    q.Bind(filter.BindSql(&q) + 1, *max_id);
    while (q.Step()) sink(q.ColumnText(0));
  }
  return q.Failure("reading call records");
}

Status ExportRecordsAfter(Database& db, const RecordFilter& filter, int64_t after_id,
                          const LineSink& sink, int64_t* max_id) {
  // The id range is fixed first, so rows skipped by the filter are not
  // scanned again on the next poll.
  Statement top(db, "SELECT COALESCE(MAX(id), 0) FROM calls");
  if (!top.Step()) return top.Failure("reading call records");
  const int64_t last = top.ColumnInt(0);
  *max_id = after_id;
  if (last <= after_id) return Status::Ok();
  Statement q(db, "SELECT record FROM calls " + And(filter.SqlWhere(), "id > ? AND id <= ?") +
                      " ORDER BY id");
  if (!q.ok()) return q.Failure("reading call records");
  const int n = filter.BindSql(&q);
  q.Bind(n + 1, after_id).Bind(n + 2, last);
  while (q.Step()) sink(q.ColumnText(0));
  if (q.failed()) return q.Failure("reading call records");
  *max_id = last;
  return Status::Ok();
}

Status PruneRecords(Database& db, int64_t cutoff_ms, int64_t* deleted) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  Statement del(db, "DELETE FROM calls WHERE ts_ms < ?");
  del.Bind(1, cutoff_ms);
  del.Step();
  if (del.failed()) return del.Failure("pruning call records");
  *deleted = db.Changes();
  return tx.Commit();
}

}  // namespace llmctl
