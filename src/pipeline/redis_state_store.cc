#include "pipeline/redis_state_store.h"

#include <chrono>

#include "guardrails/redis_breaker.h"
#include "guardrails/redis_cache.h"
#include "guardrails/redis_limits.h"
#include "pipeline/call_stages.h"
#include "records/redis_record_stream.h"

namespace llmctl {
namespace {

class RedisStateStore : public StateStore {
 public:
  RedisStateStore(std::shared_ptr<RedisConnection> redis, const Settings& s)
      : redis_(std::move(redis)),
        prefix_(s.redis_prefix),
        records_maxlen_(s.redis_records_maxlen),
        cache_(*redis_, prefix_),
        limiter_(*redis_, prefix_, LimitsFromSettings(s)),
        breaker_(*redis_, prefix_, BreakerFromSettings(s)),
        breaker_on_(s.breaker_threshold > 0) {}

  const char* backend() const override { return "redis"; }
  bool SharesRecordTransaction() const override { return false; }
  Status PublishRecord(const std::string& json_line) override {
    return AppendRecordToStream(*redis_, prefix_, records_maxlen_, json_line);
  }
  Status Describe(StateStoreInfo* out) override {
    *out = StateStoreInfo();
    out->backend = "redis";
    out->location = redis_->masked_url();
    Status st = redis_->ServerVersion(&out->server_version);
    if (!st.ok()) return st;
    const auto start = std::chrono::steady_clock::now();
    RedisReply r;
    st = redis_->Command({"PING"}, &r);
    out->round_trip_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return st;
  }

  std::optional<CacheEntry> LookupAnswer(const std::string& key, int64_t now_ms) override {
    return cache_.Lookup(key, now_ms);
  }
  std::optional<CacheEntry> LookupAnswerAnyAge(const std::string& key) override {
    return cache_.LookupAnyAge(key);
  }
  std::string DescribeNearMiss(const nlohmann::json& key_input) override {
    return cache_.DescribeNearMiss(key_input);
  }
  Status StoreAnswer(const CacheEntry& entry) override { return cache_.Store(entry); }
  Status GetCacheStats(int64_t now_ms, CacheStats* out) override {
    return cache_.Stats(now_ms, out);
  }
  Status ClearCache(int64_t* removed) override { return cache_.Clear(removed); }
  Status PruneCache(int64_t now_ms, int64_t* removed) override {
    return cache_.Prune(now_ms, removed);
  }
  Status ExportCache(std::ostream& out, int64_t* count) override {
    return cache_.Export(out, count);
  }
  Status ImportCache(std::istream& in, const std::string& name, int64_t* imported,
                     std::vector<std::string>* bad_lines) override {
    return cache_.Import(in, name, imported, bad_lines);
  }

  Status Admit(const UsageClaim& claim, int64_t now_ms, bool reserve, int64_t ttl_ms,
               Reservation* reservation) override {
    return limiter_.Admit(claim, now_ms, reserve, ttl_ms, reservation);
  }
  int64_t RefusalWaitSeconds() const override { return limiter_.RefusalWaitSeconds(); }
  Status CurrentUsage(const std::string& user, int64_t now_ms, UsageSnapshot* out) override {
    return limiter_.Snapshot(user, now_ms, out);
  }
  Status Settle(const Reservation& r, int64_t tokens, int64_t cost_nanos) override {
    return limiter_.Settle(r, tokens, cost_nanos);
  }
  Status Release(const Reservation& r) override { return limiter_.Release(r); }

  bool breaker_on() const override { return breaker_on_; }
  Status BreakerAllow(const std::string& endpoint, int64_t now_ms, bool* allowed) override {
    return breaker_.Allow(endpoint, now_ms, allowed);
  }
  Status BreakerIsOpen(const std::string& endpoint, int64_t now_ms, bool* open) override {
    return breaker_.IsOpen(endpoint, now_ms, open);
  }
  Status BreakerSuccess(const std::string& endpoint) override {
    return breaker_.RecordSuccess(endpoint);
  }
  Status BreakerFailure(const std::string& endpoint, int64_t now_ms) override {
    return breaker_.RecordFailure(endpoint, now_ms);
  }
  Status ListBreakers(int64_t now_ms, std::vector<BreakerStatus>* out) override {
    return breaker_.List(now_ms, out);
  }

 private:
  std::shared_ptr<RedisConnection> redis_;
  std::string prefix_;
  int64_t records_maxlen_;
  RedisCache cache_;
  RedisLimiter limiter_;
  RedisBreaker breaker_;
  bool breaker_on_;
};

}  // namespace

std::unique_ptr<StateStore> MakeRedisStateStore(std::shared_ptr<RedisConnection> redis,
                                                const Settings& settings) {
  return std::make_unique<RedisStateStore>(std::move(redis), settings);
}

}  // namespace llmctl
