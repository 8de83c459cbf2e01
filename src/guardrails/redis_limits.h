// RedisLimiter: limits and spend caps shared by every machine pointing at one
// Redis. Admission is one server-side script that reads the window, the day's
// spend and the live reservations, checks every limit and reserves, so two
// machines can never both take the last unit. Windows and UTC days come from
// the server's clock, so machines whose clocks disagree share one window.
// Reservations carry an expiry: a killed process's claim stops counting.
#pragma once

#include <string>

#include "guardrails/limits.h"
#include "store/redis_connection.h"

namespace llmctl {

// The same promises as Limiter.
class RedisLimiter {
 public:
  RedisLimiter(RedisConnection& redis, std::string prefix, LimitConfig config)
      : redis_(redis), prefix_(std::move(prefix)), config_(config) {}

  // now_ms is ignored: the server's TIME decides the window and the day.
  Status Snapshot(const std::string& user, int64_t now_ms, UsageSnapshot* out);
  Status Admit(const UsageClaim& claim, int64_t now_ms, bool reserve, int64_t reservation_ttl_ms,
               Reservation* reservation);
  int64_t RefusalWaitSeconds() const { return refusal_wait_s_; }
  Status Settle(const Reservation& reservation, int64_t tokens, int64_t cost_nanos);
  Status Release(const Reservation& reservation);

 private:
  Status Run(const UsageClaim& claim, bool reserve, int64_t ttl_ms, UsageSnapshot* usage,
             int64_t* verdict, Reservation* reservation);
  RedisConnection& redis_;
  std::string prefix_;
  LimitConfig config_;
  int64_t refusal_wait_s_ = -1;
};

}  // namespace llmctl
