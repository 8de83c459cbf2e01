#include <spdlog/spdlog.h>

#include "pipeline/audit_trail.h"
#include "pipeline/call_stages.h"
#include "pipeline/conversation_history.h"
#include "records/record_store.h"

namespace llmctl {

Status RecordCall(CallRun& run, const std::function<Status()>& settle) {
  CallRecord& rec = run.rec;
  Database& db = *run.ctx.db;
  rec.latency_ms = run.MsSince(run.start);
  const std::string line = rec.ToJsonLine();
  std::optional<AuditRow> sealed;
  Status sealing = Status::Ok();
  if (run.ctx.audit) {
    sealing = SealAuditEntry(*run.ctx.audit, run.plan.spec, run.out, &sealed.emplace());
    if (!sealing.ok()) sealed.reset();
  }
  auto run_settle = [&] {
    Status settled = settle();
    if (!settled.ok()) spdlog::warn("{}", settled.message());
  };
  const bool joins = run.state->SharesRecordTransaction();
  if (settle && !joins) run_settle();
  Transaction tx(db);
  if (!tx.status().ok()) return tx.status();
  if (settle && joins) run_settle();
  // The record, its conversation turn and its audit entry are kept
  // together or not at all: a conversation never holds a turn whose call
  // has no record, and a crash between them cannot lose the turn.
  Status st = InsertCallRecord(db, rec, line);
  if (st.ok()) st = AppendTurnIfSucceeded(db, run.plan.spec, run.out);
  if (st.ok() && sealed) st = StoreAuditEntry(db, *run.ctx.audit, *sealed);
  if (st.ok()) st = tx.Commit();
  if (!st.ok()) return st;
  Status published = run.state->PublishRecord(line);
  if (!published.ok()) spdlog::warn("record not published to the fleet: {}", published.message());
  if (!run.settings.log_file.empty()) st = AppendLogLine(run.settings.log_file, line);
  if (st.ok() && !sealing.ok())
    return Status(
        sealing.code(),
        "the call is recorded, but its audit entry could not be sealed: " + sealing.message());
  return st;
}

Status RecordRefusal(CallRun& run, const Status& why) {
  CallRecord& rec = run.rec;
  rec.finish_reason = FinishReasonName(FinishReason::kError);
  rec.error = why.message();
  ErrorType type = ErrorType::kProviderError;
  switch (why.code()) {
    case StatusCode::kRateLimited: type = ErrorType::kRateLimited; break;
    case StatusCode::kBudget: type = ErrorType::kBudgetExceeded; break;
    case StatusCode::kContextWindow: type = ErrorType::kContextWindow; break;
    case StatusCode::kGuardRefused: type = ErrorType::kGuardRefused; break;
    default: break;
  }
  rec.error_type = ErrorTypeName(type);
  run.out.status = why;
  return RecordCall(run);
}

}  // namespace llmctl
