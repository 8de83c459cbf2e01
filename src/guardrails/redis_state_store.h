// The state of a fleet: limits, breakers and cache in one Redis that every
// machine points at, and every call record published to its stream.
#pragma once

#include <memory>

#include "guardrails/redis_cache.h"
#include "guardrails/state_store.h"
#include "store/redis_connection.h"

namespace llmctl {

struct RedisStoreOptions {
  std::string prefix = "llmctl:";
  int64_t records_maxlen = 1000000;
};

class RedisStateStore : public StateStore {
 public:
  RedisStateStore(std::unique_ptr<RedisConnection> redis, RedisStoreOptions options)
      : redis_(std::move(redis)), options_(std::move(options)), cache_(*redis_, options_.prefix) {}

  const char* backend() const override { return "redis"; }
  std::unique_ptr<LimitStore> Limits(const LimitConfig& config) override;
  std::unique_ptr<BreakerStore> Breakers(const BreakerOptions& options) override;
  CacheStore& Cache() override { return cache_; }
  bool SettlesWithRecord() const override { return false; }
  Status PublishRecord(const std::string& json_line) override;
  Status Describe(StateStoreInfo* out) override;

  RedisConnection& connection() { return *redis_; }
  const std::string& prefix() const { return options_.prefix; }

 private:
  std::unique_ptr<RedisConnection> redis_;
  RedisStoreOptions options_;
  RedisCache cache_;
};

}  // namespace llmctl
