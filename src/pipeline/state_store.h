// StateStore: the state every llmctl process shares: quotas and spend (the
// limits), provider health (the circuit breaker) and cached answers. The
// stages reach it only through this interface, so a backend other than the
// SQLite file (a server several machines share) can take its place.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "guardrails/limits.h"
#include "guardrails/response_cache.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

class StateStore {
 public:
  virtual ~StateStore() = default;

  // Response cache: a live answer for key, or nullopt.
  virtual std::optional<CacheEntry> LookupAnswer(const std::string& key, int64_t now_ms) = 0;
  // The answer for key whatever its age: a recorded cassette replays in CI
  // long after its expiry date.
  virtual std::optional<CacheEntry> LookupAnswerAnyAge(const std::string& key) = 0;
  // After a miss: which key parts set a stored answer for the same prompt
  // apart from key_input, as ResponseCache::DescribeNearMiss says it.
  virtual std::string DescribeNearMiss(const nlohmann::json& key_input) = 0;
  virtual Status StoreAnswer(const CacheEntry& entry) = 0;

  // Limits and spend caps, as Limiter promises them.
  virtual Status Admit(const UsageClaim& claim, int64_t now_ms, bool reserve, int64_t reservation_ttl_ms,
                       Reservation* reservation) = 0;
  // After a rate-limit refusal by Admit: the seconds until the window
  // reopens and the same claim would pass; -1 when waiting cannot help.
  virtual int64_t RefusalWaitSeconds() const = 0;
  virtual Status CurrentUsage(const std::string& user, int64_t now_ms, UsageSnapshot* out) = 0;
  virtual Status Settle(const Reservation& reservation, int64_t tokens, int64_t cost_nanos) = 0;
  virtual Status Release(const Reservation& reservation) = 0;

  // Circuit breaker, as CircuitBreaker promises it.
  virtual bool breaker_on() const = 0;
  virtual Status BreakerAllow(const std::string& endpoint, int64_t now_ms, bool* allowed) = 0;
  virtual Status BreakerIsOpen(const std::string& endpoint, int64_t now_ms, bool* open) = 0;
  virtual Status BreakerSuccess(const std::string& endpoint) = 0;
  virtual Status BreakerFailure(const std::string& endpoint, int64_t now_ms) = 0;
};

// The state in db's own tables, with limits and breaker from settings.
// Settle joins a write transaction the caller holds on db, so a call's
// record and its settlement land together.
std::unique_ptr<StateStore> MakeSqliteStateStore(Database& db, const Settings& settings);

}  // namespace llmctl
