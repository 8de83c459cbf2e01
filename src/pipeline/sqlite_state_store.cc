#include "guardrails/circuit_breaker.h"
#include "pipeline/call_stages.h"
#include "pipeline/state_store.h"

namespace llmctl {
namespace {

BreakerOptions BreakerFromSettings(const Settings& s) {
  BreakerOptions options;
  options.threshold = s.breaker_threshold;
  options.cooldown_ms = static_cast<int64_t>(s.breaker_cooldown_seconds * 1000);
  // A probe holds the half-open slot for one attempt and a margin.
  options.probe_lease_ms = static_cast<int64_t>(s.timeout_seconds * 1000) + 1000;
  return options;
}

class SqliteStateStore : public StateStore {
 public:
  SqliteStateStore(Database& db, const Settings& s)
      : cache_(db), limiter_(db, LimitsFromSettings(s)), breaker_(db, BreakerFromSettings(s)),
        breaker_on_(s.breaker_threshold > 0) {}

  std::optional<CacheEntry> LookupAnswer(const std::string& key, int64_t now_ms) override {
    return cache_.Lookup(key, now_ms);
  }
  std::optional<CacheEntry> LookupAnswerAnyAge(const std::string& key) override { return cache_.LookupAnyAge(key); }
  std::string DescribeNearMiss(const nlohmann::json& key_input) override {
    return cache_.DescribeNearMiss(key_input);
  }
  Status StoreAnswer(const CacheEntry& entry) override { return cache_.Store(entry); }

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
  Status BreakerSuccess(const std::string& endpoint) override { return breaker_.RecordSuccess(endpoint); }
  Status BreakerFailure(const std::string& endpoint, int64_t now_ms) override {
    return breaker_.RecordFailure(endpoint, now_ms);
  }

 private:
  ResponseCache cache_;
  Limiter limiter_;
  CircuitBreaker breaker_;
  bool breaker_on_;
};

}  // namespace

std::unique_ptr<StateStore> MakeSqliteStateStore(Database& db, const Settings& settings) {
  return std::make_unique<SqliteStateStore>(db, settings);
}

std::unique_ptr<StateStore> PipelineContext::NewStateStore() const {
  return make_state_store ? make_state_store(*this) : MakeSqliteStateStore(*db, *settings);
}

}  // namespace llmctl
