// RedisBreaker: circuit-breaker state shared by a fleet, so an endpoint that
// failed on one machine is skipped on every other until its cooldown ends.
// The server's clock decides when a cooldown is over.
#pragma once

#include <string>

#include "guardrails/circuit_breaker.h"
#include "store/redis_connection.h"

namespace llmctl {

// The same promises as CircuitBreaker.
class RedisBreaker {
 public:
  RedisBreaker(RedisConnection& redis, std::string prefix, BreakerOptions options)
      : redis_(redis), prefix_(std::move(prefix)), options_(options) {}

  // now_ms is ignored in each: the server's TIME decides.
  Status Allow(const std::string& endpoint, int64_t now_ms, bool* allowed);
  Status IsOpen(const std::string& endpoint, int64_t now_ms, bool* open);
  Status RecordSuccess(const std::string& endpoint);
  Status RecordFailure(const std::string& endpoint, int64_t now_ms);
  Status List(int64_t now_ms, std::vector<BreakerStatus>* out);

 private:
  std::string Key(const std::string& endpoint) const { return prefix_ + "breaker:" + endpoint; }
  RedisConnection& redis_;
  std::string prefix_;
  BreakerOptions options_;
};

}  // namespace llmctl
