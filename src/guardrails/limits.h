// Per-user rate limits and spend caps that stay exact when many llmctl
// processes share one database. A call reserves its worst case in one
// BEGIN IMMEDIATE transaction before it is sent; afterwards the reservation
// is replaced by the actual usage (or released when the call failed). A
// reservation left by a killed process stops counting when it expires.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct LimitConfig {
  int64_t tokens_per_window = 0;    // 0 = off
  int64_t requests_per_window = 0;  // 0 = off
  int64_t window_seconds = 3600;
  int64_t user_daily_budget_nanos = 0;    // 0 = off
  int64_t daily_budget_nanos = 0;         // 0 = off
  int64_t user_monthly_budget_nanos = 0;  // 0 = off; per UTC calendar month
  int64_t monthly_budget_nanos = 0;       // 0 = off
};

// What a call may consume at most.
struct UsageClaim {
  std::string user;
  int64_t tokens = 0;
  int64_t cost_nanos = 0;
};

// Usage as seen at one moment, reservations in flight included.
struct UsageSnapshot {
  int64_t window_start_s = 0;
  int64_t window_resets_in_s = 0;
  int64_t window_tokens = 0;
  int64_t window_requests = 0;
  std::string day;  // UTC, YYYY-MM-DD
  int64_t day_resets_in_s = 0;
  int64_t user_spend_nanos = 0;
  int64_t total_spend_nanos = 0;
  std::string month;  // UTC, YYYY-MM
  int64_t month_resets_in_s = 0;
  int64_t user_month_spend_nanos = 0;
  int64_t total_month_spend_nanos = 0;
};

// A held claim; kept by the caller so usage still lands in the right window,
// day and month (the day's) even when the row expired while the call ran.
struct Reservation {
  int64_t id = 0;
  std::string user;
  int64_t window_start_s = 0;
  std::string day;
};

// The refusal for claim against usage (live reservations included), or ok:
// the one rule every place limits are kept applies, in this order. *wait_s
// is set as Limiter::RefusalWaitSeconds promises.
Status RefusalFor(const LimitConfig& config, const UsageClaim& claim, const UsageSnapshot& usage,
                  int64_t* wait_s);

class Limiter {
 public:
  Limiter(Database& db, LimitConfig config) : db_(db), config_(config) {}

  // Reads current usage for user without changing anything.
  Status Snapshot(const std::string& user, int64_t now_ms, UsageSnapshot* out);

  // Checks claim against every limit. With reserve, an admitted claim is
  // held until Settle/Release; a refused one consumes nothing. Refusals are
  // kRateLimited or kBudget statuses naming the user, the usage, the limit
  // and when it resets. reservation_ttl_ms bounds how long a reservation of a
  // process that died keeps counting.
  Status Admit(const UsageClaim& claim, int64_t now_ms, bool reserve, int64_t reservation_ttl_ms,
               Reservation* reservation);

  // After a rate-limit refusal by Admit: the seconds until the window
  // resets and the same claim would pass; -1 when waiting cannot help (a
  // budget refusal, a claim larger than the whole limit, or no refusal).
  int64_t RefusalWaitSeconds() const { return refusal_wait_s_; }

  // Replaces the reservation by what the call actually used, atomically:
  // inside the caller's open transaction, or in one of its own.
  Status Settle(const Reservation& reservation, int64_t tokens, int64_t cost_nanos);

  // Drops the reservation; a failed call consumes nothing.
  Status Release(const Reservation& reservation);

 private:
  struct UsageQueries;
  Status ReadUsage(UsageQueries& queries, const std::string& user, int64_t now_ms,
                   UsageSnapshot* out);
  Database& db_;
  LimitConfig config_;
  int64_t refusal_wait_s_ = -1;
};

}  // namespace llmctl
