#include "guardrails/circuit_breaker.h"
#include "pipeline/call_stages.h"
#include "pipeline/state_store.h"

namespace llmctl {
namespace {}  // namespace

BreakerOptions BreakerFromSettings(const Settings& s) {
  BreakerOptions options;
  // Listing still tells a failing endpoint apart when the breaker is off.
  options.threshold = s.breaker_threshold > 0 ? s.breaker_threshold : 1;
  options.cooldown_ms = static_cast<int64_t>(s.breaker_cooldown_seconds * 1000);
  // A probe holds the half-open slot for one attempt and a margin.
  options.probe_lease_ms = static_cast<int64_t>(s.timeout_seconds * 1000) + 1000;
  return options;
}

namespace {

class SqliteStateStore : public StateStore {
 public:
  SqliteStateStore(Database& db, const Settings& s)
      : cache_(db),
        limiter_(db, LimitsFromSettings(s)),
        breaker_(db, BreakerFromSettings(s)),
        breaker_on_(s.breaker_threshold > 0),
        path_(db.path()) {}

  const char* backend() const override { return "sqlite"; }
  bool SharesRecordTransaction() const override { return true; }
  Status PublishRecord(const std::string&) override { return Status::Ok(); }
  Status Describe(StateStoreInfo* out) override {
    *out = StateStoreInfo();
    out->backend = "sqlite";
    out->location = path_;
    return Status::Ok();
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
  ResponseCache cache_;
  Limiter limiter_;
  CircuitBreaker breaker_;
  bool breaker_on_;
  std::string path_;
};

}  // namespace

std::unique_ptr<StateStore> MakeSqliteStateStore(Database& db, const Settings& settings) {
  return std::make_unique<SqliteStateStore>(db, settings);
}

std::unique_ptr<StateStore> PipelineContext::NewStateStore() const {
  return make_state_store ? make_state_store(*this) : MakeSqliteStateStore(*db, *settings);
}

}  // namespace llmctl
