// StateStore: the state every llmctl process shares: quotas and spend (the
// limits), provider health (the circuit breaker) and cached answers. The
// stages and the commands reach it only through this interface, so the
// local SQLite file and a Redis a whole fleet shares are interchangeable.
// Call records stay in the local database; a shared store also publishes
// each one so reports can cover every machine.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "config/settings.h"
#include "guardrails/circuit_breaker.h"
#include "guardrails/limits.h"
#include "guardrails/response_cache.h"
#include "store/database.h"
#include "util/status.h"

namespace llmctl {

// What config-check and limits show about the store in use.
struct StateStoreInfo {
  std::string backend;         // "sqlite" or "redis"
  std::string location;        // database path, or the URL with the password masked
  std::string server_version;  // Redis only
  double round_trip_ms = 0;    // Redis only: one PING
};

class StateStore {
 public:
  virtual ~StateStore() = default;

  // "sqlite" or "redis": what a call record's state_backend says.
  virtual const char* backend() const = 0;
  // True when the state lives in the call's own database: admission and
  // settlement then join the transactions that probe and write the record
  // (one write lock instead of two). False when it lives elsewhere: a
  // round trip to it must not hold the local write lock.
  virtual bool SharesRecordTransaction() const = 0;
  // Makes a written record visible to every machine sharing the state;
  // nothing to do for local state.
  virtual Status PublishRecord(const std::string& json_line) = 0;
  // Backend, location and, for a server, its version and one round trip.
  virtual Status Describe(StateStoreInfo* out) = 0;

  // Response cache: a live answer for key, or nullopt.
  virtual std::optional<CacheEntry> LookupAnswer(const std::string& key, int64_t now_ms) = 0;
  // The answer for key whatever its age: a recorded cassette replays in CI
  // long after its expiry date.
  virtual std::optional<CacheEntry> LookupAnswerAnyAge(const std::string& key) = 0;
  // After a miss: which key parts set a stored answer for the same prompt
  // apart from key_input, as ResponseCache::DescribeNearMiss says it.
  virtual std::string DescribeNearMiss(const nlohmann::json& key_input) = 0;
  virtual Status StoreAnswer(const CacheEntry& entry) = 0;
  // The cache commands, as ResponseCache promises them.
  virtual Status GetCacheStats(int64_t now_ms, CacheStats* out) = 0;
  virtual Status ClearCache(int64_t* removed) = 0;
  virtual Status PruneCache(int64_t now_ms, int64_t* removed) = 0;
  virtual Status ExportCache(std::ostream& out, int64_t* count) = 0;
  virtual Status ImportCache(std::istream& in, const std::string& name, int64_t* imported,
                             std::vector<std::string>* bad_lines) = 0;

  // Limits and spend caps, as Limiter promises them.
  virtual Status Admit(const UsageClaim& claim, int64_t now_ms, bool reserve,
                       int64_t reservation_ttl_ms, Reservation* reservation) = 0;
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
  // Every endpoint with failures on record, even with the breaker off.
  virtual Status ListBreakers(int64_t now_ms, std::vector<BreakerStatus>* out) = 0;
};

// The breaker thresholds and leases settings ask for.
BreakerOptions BreakerFromSettings(const Settings& settings);

// The state in db's own tables, with limits and breaker from settings.
// Settle joins a write transaction the caller holds on db, so a call's
// record and its settlement land together.
std::unique_ptr<StateStore> MakeSqliteStateStore(Database& db, const Settings& settings);

}  // namespace llmctl
