#include "guardrails/limits.h"

#include <cinttypes>
#include <ctime>

#include "records/call_record.h"
#include "records/money.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

// Exact to the nano-dollar (at least four decimals), so the sum a refusal
// shows ("spent X of Y and this may cost up to Z") is true as printed.
std::string Usd(int64_t nanos) { return "$" + FormatNanosAtLeast(nanos, 4); }

// Windows and days older than this are pruned on each admission.
constexpr int64_t kKeepDays = 8;
// Months are kept until this many days after they began: the month before
// the current one stays visible.
constexpr int64_t kKeepMonthDays = 62;

constexpr const char* kWindowSql =
    "SELECT COALESCE((SELECT tokens FROM rate_windows WHERE user_id=?1 AND window_start=?2),0)"
    " + COALESCE((SELECT SUM(tokens) FROM reservations WHERE user_id=?1 AND window_start=?2 AND expires_ms>?3),0),"
    " COALESCE((SELECT requests FROM rate_windows WHERE user_id=?1 AND window_start=?2),0)"
    " + COALESCE((SELECT SUM(requests) FROM reservations WHERE user_id=?1 AND window_start=?2 AND expires_ms>?3),0)";

// ?4 is the month (YYYY-MM); its reservations are those whose day lies
// between ?5 (YYYY-MM-01) and ?6 (YYYY-MM-31).
constexpr const char* kSpendSql =
    "SELECT COALESCE((SELECT cost_nanos FROM daily_spend WHERE day=?2 AND user_id=?1),0)"
    " + COALESCE((SELECT SUM(cost_nanos) FROM reservations WHERE day=?2 AND user_id=?1 AND expires_ms>?3),0),"
    " COALESCE((SELECT SUM(cost_nanos) FROM daily_spend WHERE day=?2),0)"
    " + COALESCE((SELECT SUM(cost_nanos) FROM reservations WHERE day=?2 AND expires_ms>?3),0),"
    " COALESCE((SELECT cost_nanos FROM monthly_spend WHERE month=?4 AND user_id=?1),0)"
    " + COALESCE((SELECT SUM(cost_nanos) FROM reservations WHERE day BETWEEN ?5 AND ?6 AND user_id=?1"
    " AND expires_ms>?3),0),"
    " COALESCE((SELECT SUM(cost_nanos) FROM monthly_spend WHERE month=?4),0)"
    " + COALESCE((SELECT SUM(cost_nanos) FROM reservations WHERE day BETWEEN ?5 AND ?6 AND expires_ms>?3),0)";

// One spend cap as the refusals describe it.
struct SpendCap {
  bool daily;            // per UTC day; else per UTC month
  const char* variable;  // the setting that sets it
  bool everyone;         // all users together; else the claiming user alone
  int64_t limit_nanos;   // 0: no cap
  int64_t spent_nanos;   // in the current period, live reservations included
};

}  // namespace

Status RefusalFor(const LimitConfig& config, const UsageClaim& claim, const UsageSnapshot& usage,
                  int64_t* wait_s) {
  const std::string window = std::to_string(config.window_seconds) + " s window";
  const std::string resets = "; resets in " + std::to_string(usage.window_resets_in_s) + " s";
  *wait_s = -1;
  const SpendCap caps[] = {
      {true, "LLM_USER_DAILY_BUDGET_USD", false, config.user_daily_budget_nanos,
       usage.user_spend_nanos},
      {true, "LLM_DAILY_BUDGET_USD", true, config.daily_budget_nanos, usage.total_spend_nanos},
      {false, "LLM_USER_MONTHLY_BUDGET_USD", false, config.user_monthly_budget_nanos,
       usage.user_month_spend_nanos},
      {false, "LLM_MONTHLY_BUDGET_USD", true, config.monthly_budget_nanos,
       usage.total_month_spend_nanos},
  };
  // A claim larger than the limit itself would be refused in every window
  // and on every day: saying when it resets would suggest waiting helps.
  if (config.tokens_per_window > 0 && claim.tokens > config.tokens_per_window)
    return Status::RateLimited(
        "rate limit: this request may use up to " + std::to_string(claim.tokens) +
        " tokens (input estimate + max tokens), more than the whole " + window +
        " allows (LLM_RATE_LIMIT_TOKENS=" + std::to_string(config.tokens_per_window) +
        "), so it can never pass; lower --max-tokens, shorten the prompt or raise LLM_RATE_LIMIT_TOKENS");
  auto period = [](const SpendCap& cap) { return cap.daily ? "daily" : "monthly"; };
  for (const SpendCap& cap : caps) {
    if (cap.limit_nanos <= 0 || claim.cost_nanos <= cap.limit_nanos) continue;
    return Status::Budget(std::string(period(cap)) + " budget: this request may cost up to " +
                          Usd(claim.cost_nanos) + ", more than " +
                          (cap.everyone ? "everyone's" : "the") + " whole " + period(cap) +
                          " budget of " + Usd(cap.limit_nanos) + " (" + cap.variable +
                          "), so it can never pass; lower --max-tokens, pick a cheaper model or "
                          "raise " +
                          cap.variable);
  }
  if (config.requests_per_window > 0 && usage.window_requests + 1 > config.requests_per_window) {
    *wait_s = usage.window_resets_in_s;
    return Status::RateLimited("rate limit: user " + claim.user + " made " +
                               std::to_string(usage.window_requests) + " of " +
                               std::to_string(config.requests_per_window) +
                               " requests allowed per " + window + resets);
  }
  if (config.tokens_per_window > 0 &&
      usage.window_tokens + claim.tokens > config.tokens_per_window) {
    *wait_s = usage.window_resets_in_s;
    return Status::RateLimited(
        "rate limit: user " + claim.user + " used " + std::to_string(usage.window_tokens) + " of " +
        std::to_string(config.tokens_per_window) + " tokens per " + window +
        " and this request may use up to " + std::to_string(claim.tokens) + resets);
  }
  for (const SpendCap& cap : caps) {
    if (cap.limit_nanos <= 0 || cap.spent_nanos + claim.cost_nanos <= cap.limit_nanos) continue;
    const std::string when = cap.daily ? "today" : "in " + usage.month;
    const std::string period_resets =
        cap.daily ? "; resets at 00:00 UTC in " + std::to_string(usage.day_resets_in_s) + " s"
                  : "; resets at the start of the next UTC month in " +
                        std::to_string(usage.month_resets_in_s) + " s";
    return Status::Budget(
        std::string(period(cap)) +
        " budget: " + (cap.everyone ? "everyone together" : "user " + claim.user) + " spent " +
        Usd(cap.spent_nanos) + " of " + Usd(cap.limit_nanos) + " (" + cap.variable + ") " + when +
        " and this request may cost up to " + Usd(claim.cost_nanos) + period_resets);
  }
  return Status::Ok();
}

// Prepared before the write lock is taken, so the time it is held (and
// every other process waits) is only the time to run them.
struct Limiter::UsageQueries {
  explicit UsageQueries(Database& db) : window(db, kWindowSql), spend(db, kSpendSql) {}
  Statement window;
  Statement spend;
};

Status Limiter::ReadUsage(UsageQueries& q, const std::string& user, int64_t now_ms,
                          UsageSnapshot* out) {
  const int64_t now_s = now_ms / 1000;
  out->window_start_s = now_s - now_s % config_.window_seconds;
  out->window_resets_in_s = out->window_start_s + config_.window_seconds - now_s;
  out->day = UtcDayKey(now_ms);
  out->day_resets_in_s = 86400 - now_s % 86400;
  out->month = UtcMonthKey(now_ms);
  out->month_resets_in_s = (NextUtcMonthStartMs(now_ms) - now_ms + 999) / 1000;

  Statement& window = q.window;
  Statement& spend = q.spend;
  window.Bind(1, std::string_view(user)).Bind(2, out->window_start_s).Bind(3, now_ms);
  if (!window.Step()) return window.Failure("reading the rate-limit window");
  out->window_tokens = window.ColumnInt(0);
  out->window_requests = window.ColumnInt(1);
  window.Reset();  // no statement may stay mid-read across the commit

  const std::string first_day = out->month + "-01", last_day = out->month + "-31";
  spend.Bind(1, std::string_view(user)).Bind(2, std::string_view(out->day)).Bind(3, now_ms);
  spend.Bind(4, std::string_view(out->month))
      .Bind(5, std::string_view(first_day))
      .Bind(6, std::string_view(last_day));
  if (!spend.Step()) return spend.Failure("reading the spend counters");
  out->user_spend_nanos = spend.ColumnInt(0);
  out->total_spend_nanos = spend.ColumnInt(1);
  out->user_month_spend_nanos = spend.ColumnInt(2);
  out->total_month_spend_nanos = spend.ColumnInt(3);
  spend.Reset();
  return Status::Ok();
}

Status Limiter::Snapshot(const std::string& user, int64_t now_ms, UsageSnapshot* out) {
  UsageQueries q(db_);
  return ReadUsage(q, user, now_ms, out);
}

Status Limiter::Admit(const UsageClaim& claim, int64_t now_ms, bool reserve,
                      int64_t reservation_ttl_ms, Reservation* reservation) {
  UsageQueries q(db_);
  Statement ins(
      db_,
      "INSERT INTO reservations(user_id, window_start, day, tokens, requests, cost_nanos, expires_ms)"
      " VALUES(?,?,?,?,1,?,?)");
  Transaction tx(db_, reserve ? Transaction::Kind::kImmediate : Transaction::Kind::kDeferred);
  if (!tx.status().ok()) return tx.status();
  UsageSnapshot u;
  Status st = ReadUsage(q, claim.user, now_ms, &u);
  if (!st.ok()) return st;
  Status refusal = RefusalFor(config_, claim, u, &refusal_wait_s_);
  if (!refusal.ok() || !reserve) return refusal;
  // Pruning old rows is needed now and then, not on every call: one
  // admission in 32 does it, chosen by the clock.
  if (now_ms % 32 == 0) {
    Statement prune(db_, "DELETE FROM reservations WHERE expires_ms <= ?1");
    prune.Bind(1, now_ms);
    prune.Step();
    Statement prune_windows(db_, "DELETE FROM rate_windows WHERE window_start < ?1");
    prune_windows.Bind(1, u.window_start_s - kKeepDays * 86400);
    prune_windows.Step();
    Statement prune_days(db_, "DELETE FROM daily_spend WHERE day < ?1");
    prune_days.Bind(1, std::string_view(UtcDayKey(now_ms - kKeepDays * 86'400'000)));
    prune_days.Step();
    Statement prune_months(db_, "DELETE FROM monthly_spend WHERE month < ?1");
    prune_months.Bind(1, std::string_view(UtcMonthKey(now_ms - kKeepMonthDays * 86'400'000)));
    prune_months.Step();
  }

  ins.Bind(1, std::string_view(claim.user))
      .Bind(2, u.window_start_s)
      .Bind(3, std::string_view(u.day))
      .Bind(4, claim.tokens)
      .Bind(5, claim.cost_nanos)
      .Bind(6, now_ms + reservation_ttl_ms);
  ins.Step();
  if (ins.failed()) return ins.Failure("reserving quota");
  *reservation = {db_.LastInsertRowId(), claim.user, u.window_start_s, u.day};
  return tx.Commit();
}

Status Limiter::Settle(const Reservation& r, int64_t tokens, int64_t cost_nanos) {
  // Inside the caller's transaction when there is one (the pipeline writes
  // the record in the same one); otherwise in a transaction of its own.
  Transaction tx(db_);
  if (!tx.status().ok()) return tx.status();
  Statement win(db_,
                "INSERT INTO rate_windows(user_id, window_start, tokens, requests) VALUES(?,?,?,1)"
                " ON CONFLICT(user_id, window_start) DO UPDATE SET tokens=tokens+excluded.tokens,"
                " requests=requests+1");
  win.Bind(1, std::string_view(r.user)).Bind(2, r.window_start_s).Bind(3, tokens);
  win.Step();
  Statement spend(
      db_,
      "INSERT INTO daily_spend(user_id, day, cost_nanos) VALUES(?,?,?)"
      " ON CONFLICT(day, user_id) DO UPDATE SET cost_nanos=cost_nanos+excluded.cost_nanos");
  spend.Bind(1, std::string_view(r.user)).Bind(2, std::string_view(r.day)).Bind(3, cost_nanos);
  spend.Step();
  Statement month(
      db_,
      "INSERT INTO monthly_spend(user_id, month, cost_nanos) VALUES(?,substr(?,1,7),?)"
      " ON CONFLICT(month, user_id) DO UPDATE SET cost_nanos=cost_nanos+excluded.cost_nanos");
  month.Bind(1, std::string_view(r.user)).Bind(2, std::string_view(r.day)).Bind(3, cost_nanos);
  month.Step();
  Statement del(db_, "DELETE FROM reservations WHERE id=?");
  del.Bind(1, r.id);
  del.Step();
  for (const Statement* s : {&win, &spend, &month, &del})
    if (s->failed()) return s->Failure("recording usage");
  return tx.Commit();
}

Status Limiter::Release(const Reservation& r) {
  Statement del(db_, "DELETE FROM reservations WHERE id=?");
  del.Bind(1, r.id);
  del.Step();
  if (del.failed()) return del.Failure("releasing quota");
  return Status::Ok();
}

}  // namespace llmctl
