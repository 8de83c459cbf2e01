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

class CircuitBreaker {
 public:
  CircuitBreaker(Database& db, BreakerOptions options) : db_(db), options_(options) {}

  // *allowed: endpoint may be contacted now. A half-open endpoint admits
  // one probe: the first caller takes the lease, the others are refused.
  // On an error *allowed stays true: a database problem must not block calls.
  Status Allow(const std::string& endpoint, int64_t now_ms, bool* allowed);
  // *open: endpoint is open (cooling down); takes no lease. False on an error.
  Status IsOpen(const std::string& endpoint, int64_t now_ms, bool* open);
  Status RecordSuccess(const std::string& endpoint);
  Status RecordFailure(const std::string& endpoint, int64_t now_ms);

  Status List(int64_t now_ms, std::vector<BreakerStatus>* out);

 private:
  Database& db_;
  BreakerOptions options_;
};

const char* BreakerStateName(BreakerState state);

}  // namespace llmctl
