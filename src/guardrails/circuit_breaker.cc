#include "guardrails/circuit_breaker.h"

namespace llmctl {

const char* BreakerStateName(BreakerState s) {
  switch (s) {
    case BreakerState::kClosed: return "closed";
    case BreakerState::kOpen: return "open";
    case BreakerState::kHalfOpen: return "half-open";
  }
  return "closed";
}

namespace {

Status Failed(const char* what, const Statement& q) {
  return Status::Internal(std::string("circuit breaker: cannot ") + what + ": " + q.error());
}

}  // namespace

Status CircuitBreaker::Allow(const std::string& endpoint, int64_t now_ms, bool* allowed) {
  *allowed = true;
  {
    // The common case, a healthy endpoint, needs no write transaction.
    Statement peek(db_, "SELECT failures FROM breakers WHERE endpoint=?");
    peek.Bind(1, std::string_view(endpoint));
    const bool found = peek.Step();
    if (!peek.error().empty()) return Failed("read state", peek);
    if (!found || peek.ColumnInt(0) < options_.threshold) return Status::Ok();
  }
  Transaction tx(db_);
  Status st = tx.status();
  if (!st.ok()) return st;
  Statement q(db_, "SELECT failures, open_until_ms, probe_until_ms FROM breakers WHERE endpoint=?");
  q.Bind(1, std::string_view(endpoint));
  if (q.Step() && q.ColumnInt(0) >= options_.threshold) {
    const int64_t open_until = q.ColumnInt(1), probe_until = q.ColumnInt(2);
    if (now_ms < open_until || now_ms < probe_until) {
      *allowed = false;
    } else {
      Statement lease(db_, "UPDATE breakers SET probe_until_ms=? WHERE endpoint=?");
      lease.Bind(1, now_ms + options_.probe_lease_ms).Bind(2, std::string_view(endpoint));
      lease.Step();
      if (!lease.error().empty()) st = Failed("take the probe lease", lease);
    }
  }
  if (!q.error().empty()) st = Failed("read state", q);
  q.Reset();
  if (!st.ok()) return st;  // the transaction rolls back as it closes
  return tx.Commit();
}

Status CircuitBreaker::IsOpen(const std::string& endpoint, int64_t now_ms, bool* open) {
  Statement q(db_, "SELECT failures, open_until_ms FROM breakers WHERE endpoint=?");
  q.Bind(1, std::string_view(endpoint));
  *open = q.Step() && q.ColumnInt(0) >= options_.threshold && now_ms < q.ColumnInt(1);
  if (!q.error().empty()) return Failed("read state", q);
  return Status::Ok();
}

Status CircuitBreaker::RecordSuccess(const std::string& endpoint) {
  {
    // A healthy endpoint has no row: reading is cheaper than a write.
    Statement peek(db_, "SELECT 1 FROM breakers WHERE endpoint=?");
    peek.Bind(1, std::string_view(endpoint));
    const bool found = peek.Step();
    if (!peek.error().empty()) return Failed("read state", peek);
    if (!found) return Status::Ok();
  }
  Statement del(db_, "DELETE FROM breakers WHERE endpoint=?");
  del.Bind(1, std::string_view(endpoint));
  del.Step();
  if (!del.error().empty()) return Failed("record a success", del);
  return Status::Ok();
}

Status CircuitBreaker::RecordFailure(const std::string& endpoint, int64_t now_ms) {
  Statement up(
      db_,
      "INSERT INTO breakers(endpoint, failures, open_until_ms, probe_until_ms) VALUES(?1, 1, 0, 0)"
      " ON CONFLICT(endpoint) DO UPDATE SET failures=failures+1, probe_until_ms=0,"
      " open_until_ms=CASE WHEN failures+1>=?2 THEN ?3 ELSE open_until_ms END");
  up.Bind(1, std::string_view(endpoint))
      .Bind(2, options_.threshold)
      .Bind(3, now_ms + options_.cooldown_ms);
  up.Step();
  if (!up.error().empty()) return Failed("record a failure", up);
  return Status::Ok();
}

Status CircuitBreaker::List(int64_t now_ms, std::vector<BreakerStatus>* out) {
  Statement q(db_, "SELECT endpoint, failures, open_until_ms FROM breakers ORDER BY endpoint");
  while (q.Step()) {
    BreakerStatus b;
    b.endpoint = q.ColumnText(0);
    b.consecutive_failures = q.ColumnInt(1);
    b.open_until_ms = q.ColumnInt(2);
    if (b.consecutive_failures >= options_.threshold)
      b.state = now_ms < b.open_until_ms ? BreakerState::kOpen : BreakerState::kHalfOpen;
    out->push_back(b);
  }
  if (q.failed()) return q.Failure("reading the circuit breakers");
  return Status::Ok();
}

}  // namespace llmctl
