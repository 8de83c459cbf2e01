#include "store/audit_store.h"

namespace llmctl {

Status PutAuditEntry(Database& db, const AuditRow& row, int64_t prune_before_ms) {
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  if (prune_before_ms > 0) {
    Statement prune(db, "DELETE FROM audit_entries WHERE created_ms < ?");
    prune.Bind(1, prune_before_ms);
    prune.Step();
    if (prune.failed()) return prune.Failure("pruning old audit entries");
  }
  Statement put(
      db,
      "INSERT INTO audit_entries (request_id, created_ms, nonce, ciphertext) VALUES (?, ?, ?, ?)");
  put.Bind(1, row.request_id)
      .Bind(2, row.created_ms)
      .BindBlob(3, row.sealed.nonce)
      .BindBlob(4, row.sealed.ciphertext);
  put.Step();
  if (put.failed()) return put.Failure("writing an audit entry");
  return tx.Commit();
}

Status GetAuditEntry(Database& db, const std::string& request_id, AuditRow* row, bool* found) {
  *found = false;
  Statement get(db, "SELECT created_ms, nonce, ciphertext FROM audit_entries WHERE request_id = ?");
  get.Bind(1, request_id);
  if (!get.Step()) return get.failed() ? get.Failure("reading an audit entry") : Status::Ok();
  *found = true;
  row->request_id = request_id;
  row->created_ms = get.ColumnInt(0);
  row->sealed.nonce = get.ColumnBlob(1);
  row->sealed.ciphertext = get.ColumnBlob(2);
  return Status::Ok();
}

}  // namespace llmctl
