#include "guardrails/circuit_breaker.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>

using namespace llmctl;

TEST_CASE("breaker opens after the threshold, probes once after the cooldown, closes on success") {
  std::string path = "/tmp/llmctl_breaker_test_" + std::to_string(getpid()) + ".db";
  std::remove(path.c_str());
  Database db;
  REQUIRE(db.Open(path).ok());
  BreakerOptions o;
  o.threshold = 3;
  o.cooldown_ms = 1000;
  o.probe_lease_ms = 500;
  CircuitBreaker b(db, o);
  const std::string ep = "openai https://x";
  for (int i = 0; i < 2; ++i) b.RecordFailure(ep, 0);
  CHECK(b.Allow(ep, 10));
  b.RecordFailure(ep, 10);
  CHECK_FALSE(b.Allow(ep, 20));      // open
  CHECK_FALSE(b.Allow(ep, 1009));
  CHECK(b.Allow(ep, 1010));          // half-open: the first caller probes
  CHECK_FALSE(b.Allow(ep, 1011));    // ... and only the first
  std::vector<BreakerStatus> list;
  REQUIRE(b.List(1011, &list).ok());
  REQUIRE(list.size() == 1);
  CHECK(list[0].state == BreakerState::kHalfOpen);
  b.RecordFailure(ep, 1020);         // probe failed: open again
  CHECK_FALSE(b.Allow(ep, 1500));
  CHECK(b.Allow(ep, 2021));
  b.RecordSuccess(ep);
  CHECK(b.Allow(ep, 2022));
  list.clear();
  REQUIRE(b.List(2022, &list).ok());
  CHECK(list.empty());
  std::remove(path.c_str());
}
