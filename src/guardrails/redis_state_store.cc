#include "guardrails/redis_state_store.h"

#include <chrono>

#include "guardrails/redis_breaker.h"
#include "guardrails/redis_limits.h"
#include "records/redis_record_stream.h"

namespace llmctl {

std::unique_ptr<LimitStore> RedisStateStore::Limits(const LimitConfig& config) {
  return std::make_unique<RedisLimiter>(*redis_, options_.prefix, config);
}

std::unique_ptr<BreakerStore> RedisStateStore::Breakers(const BreakerOptions& options) {
  return std::make_unique<RedisBreaker>(*redis_, options_.prefix, options);
}

Status RedisStateStore::PublishRecord(const std::string& json_line) {
  return AppendRecordToStream(*redis_, options_.prefix, options_.records_maxlen, json_line);
}

Status RedisStateStore::Describe(StateStoreInfo* out) {
  *out = StateStoreInfo();
  out->backend = "redis";
  out->location = redis_->masked_url();
  Status st = redis_->ServerVersion(&out->server_version);
  if (!st.ok()) return st;
  const auto start = std::chrono::steady_clock::now();
  RedisReply r;
  st = redis_->Command({"PING"}, &r);
  out->round_trip_ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  return st;
}

}  // namespace llmctl
