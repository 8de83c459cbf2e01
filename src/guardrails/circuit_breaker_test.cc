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
  CircuitBreaker breaker(db, o);
  const std::string ep = "openai https://x";
  auto allow = [&](int64_t now) {
    bool allowed = false;
    REQUIRE(breaker.Allow(ep, now, &allowed).ok());
    return allowed;
  };
  auto fail = [&](int64_t now) { REQUIRE(breaker.RecordFailure(ep, now).ok()); };
  for (int i = 0; i < 2; ++i) fail(0);
  CHECK(allow(10));
  fail(10);
  CHECK_FALSE(allow(20));  // open
  CHECK_FALSE(allow(1009));
  CHECK(allow(1010));        // half-open: the first caller probes
  CHECK_FALSE(allow(1011));  // ... and only the first
  std::vector<BreakerStatus> list;
  REQUIRE(breaker.List(1011, &list).ok());
  REQUIRE(list.size() == 1);
  CHECK(list[0].state == BreakerState::kHalfOpen);
  fail(1020);  // probe failed: open again
  CHECK_FALSE(allow(1500));
  CHECK(allow(2021));
  REQUIRE(breaker.RecordSuccess(ep).ok());
  CHECK(allow(2022));
  list.clear();
  REQUIRE(breaker.List(2022, &list).ok());
  CHECK(list.empty());
  std::remove(path.c_str());
}
