// RedisBreaker: circuit-breaker state shared by a fleet, so an endpoint that
// failed on one machine is skipped on every other until its cooldown ends.
// The server's clock decides when a cooldown is over.
#pragma once

#include <string>

#include "guardrails/circuit_breaker.h"
#include "store/redis_connection.h"

namespace llmctl {

class RedisBreaker : public BreakerStore {
 public:
  RedisBreaker(RedisConnection& redis, std::string prefix, BreakerOptions options)
      : redis_(redis), prefix_(std::move(prefix)), options_(options) {}

  bool Allow(const std::string& endpoint, int64_t now_ms) override;
  bool IsOpen(const std::string& endpoint, int64_t now_ms) override;
  void RecordSuccess(const std::string& endpoint) override;
  void RecordFailure(const std::string& endpoint, int64_t now_ms) override;
  Status List(int64_t now_ms, std::vector<BreakerStatus>* out) override;

 private:
  std::string Key(const std::string& endpoint) const { return prefix_ + "breaker:" + endpoint; }
  RedisConnection& redis_;
  std::string prefix_;
  BreakerOptions options_;
};

}  // namespace llmctl
