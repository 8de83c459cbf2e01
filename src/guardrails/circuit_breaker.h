// CircuitBreaker: provider health remembered across invocations in SQLite.
// After `threshold` consecutive failures an endpoint opens for `cooldown`;
// while open it is skipped without being contacted; after the cooldown one
// process at a time may probe it (half-open), and a success closes it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "store/database.h"
#include "util/status.h"

namespace llmctl {

struct BreakerOptions {
  int64_t threshold = 5;
  int64_t cooldown_ms = 30'000;
  int64_t probe_lease_ms = 30'000;  // how long one probe holds the half-open slot
};

enum class BreakerState { kClosed, kOpen, kHalfOpen };

struct BreakerStatus {
  std::string endpoint;
  BreakerState state = BreakerState::kClosed;
  int64_t consecutive_failures = 0;
  int64_t open_until_ms = 0;
};

// Where breaker state is kept: the local SQLite file (CircuitBreaker) or a
// Redis shared by a fleet (RedisBreaker, which reads the time from the
// server and ignores now_ms). A store that cannot be reached never blocks a
// call: it answers as a closed breaker would.
class BreakerStore {
 public:
  virtual ~BreakerStore() = default;
  // True when endpoint may be contacted now. A half-open endpoint admits one
  // probe: the first caller takes the lease, the others are refused.
  virtual bool Allow(const std::string& endpoint, int64_t now_ms) = 0;
  // True while endpoint is open (cooling down); takes no lease.
  virtual bool IsOpen(const std::string& endpoint, int64_t now_ms) = 0;
  virtual void RecordSuccess(const std::string& endpoint) = 0;
  virtual void RecordFailure(const std::string& endpoint, int64_t now_ms) = 0;
  virtual Status List(int64_t now_ms, std::vector<BreakerStatus>* out) = 0;
};

class CircuitBreaker : public BreakerStore {
 public:
  CircuitBreaker(Database& db, BreakerOptions options) : db_(db), options_(options) {}

  bool Allow(const std::string& endpoint, int64_t now_ms) override;
  bool IsOpen(const std::string& endpoint, int64_t now_ms) override;
  void RecordSuccess(const std::string& endpoint) override;
  void RecordFailure(const std::string& endpoint, int64_t now_ms) override;
  Status List(int64_t now_ms, std::vector<BreakerStatus>* out) override;

 private:
  Database& db_;
  BreakerOptions options_;
};

const char* BreakerStateName(BreakerState state);

}  // namespace llmctl
