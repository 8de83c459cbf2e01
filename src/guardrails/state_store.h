// StateStore: everything guardrails share between calls — limits and spend
// caps, circuit breakers, the response cache — behind one interface, so the
// pipeline and the commands never know whether it lives in the local SQLite
// file or in a Redis shared by a fleet. Call records stay in SQLite; a
// fleet store also publishes each one.
#pragma once

#include <memory>
#include <string>

#include "guardrails/circuit_breaker.h"
#include "guardrails/limits.h"
#include "guardrails/response_cache.h"
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

  virtual std::unique_ptr<LimitStore> Limits(const LimitConfig& config) = 0;
  virtual std::unique_ptr<BreakerStore> Breakers(const BreakerOptions& options) = 0;
  virtual CacheStore& Cache() = 0;

  // True when Settle belongs inside the transaction that writes the call
  // record (one write lock instead of two); false when the limits live
  // elsewhere and settling there must not hold the local lock.
  virtual bool SettlesWithRecord() const = 0;

  // Makes a written record visible to the fleet; a no-op for a local store.
  virtual Status PublishRecord(const std::string& json_line) = 0;

  // Backend, location and, for a server, its version and one round trip.
  virtual Status Describe(StateStoreInfo* out) = 0;
};

}  // namespace llmctl
