#include "guardrails/limits.h"
#include "util/time_format.h"
#include "util/utc_calendar.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <string>

using namespace llmctl;

namespace {

std::string TempDb() {
  static int n = 0;
  std::string path =
      "/tmp/llmctl_limits_test_" + std::to_string(getpid()) + "_" + std::to_string(n++) + ".db";
  std::remove(path.c_str());
  return path;
}

constexpr int64_t kNow = 1'790'000'000'000;  // fixed instant, mid-window

}  // namespace

TEST_CASE("token window admits until the limit, per user, and settles actual usage") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.tokens_per_window = 1000;
  cfg.window_seconds = 3600;
  Limiter limiter(db, cfg);
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 600, 0}, kNow, true, 60000, &r).ok());
  // In flight: the reservation counts.
  Status refused = limiter.Admit({"ann", 600, 0}, kNow, true, 60000, &r);
  CHECK(refused.code() == StatusCode::kRateLimited);
  CHECK(refused.message().find("ann") != std::string::npos);
  CHECK(refused.message().find("600 of 1000") != std::string::npos);
  CHECK(refused.message().find("resets in") != std::string::npos);
  // Another user is unaffected.
  Reservation other;
  CHECK(limiter.Admit({"bob", 600, 0}, kNow, true, 60000, &other).ok());
  // Settling replaces the 600 reserved with the 100 actually used.
  REQUIRE(limiter.Settle(r, 100, 0).ok());
  UsageSnapshot u;
  REQUIRE(limiter.Snapshot("ann", kNow, &u).ok());
  CHECK(u.window_tokens == 100);
  CHECK(u.window_requests == 1);
}

TEST_CASE("a refused claim consumes nothing and a released one is returned") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.requests_per_window = 1;
  Limiter limiter(db, cfg);
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 10, 0}, kNow, true, 60000, &r).ok());
  CHECK(limiter.Admit({"ann", 10, 0}, kNow, true, 60000, &r).code() == StatusCode::kRateLimited);
  REQUIRE(limiter.Release(r).ok());
  CHECK(limiter.Admit({"ann", 10, 0}, kNow, true, 60000, &r).ok());
}

TEST_CASE("expired reservations of dead processes stop counting") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.tokens_per_window = 100;
  Limiter limiter(db, cfg);
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 100, 0}, kNow, true, 5000, &r).ok());
  CHECK(limiter.Admit({"ann", 1, 0}, kNow + 4000, true, 5000, &r).code() ==
        StatusCode::kRateLimited);
  CHECK(limiter.Admit({"ann", 1, 0}, kNow + 5001, true, 5000, &r).ok());
}

TEST_CASE("window arithmetic: usage resets at the next window boundary") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.tokens_per_window = 100;
  cfg.window_seconds = 60;
  Limiter limiter(db, cfg);
  const int64_t start = 1'790'000'040'000;  // 1790000040 s is a multiple of 60
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 100, 0}, start + 59'000, true, 600000, &r).ok());
  REQUIRE(limiter.Settle(r, 100, 0).ok());
  UsageSnapshot u;
  REQUIRE(limiter.Snapshot("ann", start + 59'000, &u).ok());
  CHECK(u.window_resets_in_s == 1);
  CHECK(limiter.Admit({"ann", 1, 0}, start + 59'500, false, 0, &r).code() ==
        StatusCode::kRateLimited);
  CHECK(limiter.Admit({"ann", 100, 0}, start + 60'000, false, 0, &r).ok());
}

TEST_CASE("spend caps per user and for everyone, per UTC day") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.user_daily_budget_nanos = 1'000'000;  // $0.001
  cfg.daily_budget_nanos = 1'500'000;
  Limiter limiter(db, cfg);
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 0, 900'000}, kNow, true, 60000, &r).ok());
  REQUIRE(limiter.Settle(r, 0, 900'000).ok());
  Status st = limiter.Admit({"ann", 0, 200'000}, kNow, true, 60000, &r);
  CHECK(st.code() == StatusCode::kBudget);
  CHECK(st.message().find("LLM_USER_DAILY_BUDGET_USD") != std::string::npos);
  REQUIRE(limiter.Admit({"bob", 0, 500'000}, kNow, true, 60000, &r).ok());
  st = limiter.Admit({"cy", 0, 200'000}, kNow, true, 60000, &r);
  CHECK(st.code() == StatusCode::kBudget);
  CHECK(st.message().find("LLM_DAILY_BUDGET_USD") != std::string::npos);
  CHECK(UtcDayKey(kNow) == "2026-09-21");
  CHECK(limiter.Admit({"ann", 0, 900'000}, kNow + 86'400'000, false, 0, &r).ok());
}

TEST_CASE("monthly caps span days, reset with the UTC month, and count reservations in flight") {
  Database db;
  REQUIRE(db.Open(TempDb()).ok());
  LimitConfig cfg;
  cfg.user_monthly_budget_nanos = 1000;
  cfg.monthly_budget_nanos = 1500;
  Limiter limiter(db, cfg);
  const int64_t nov3 = *ParseIsoUtc("2026-11-03T10:00:00Z");
  const int64_t nov29 = *ParseIsoUtc("2026-11-29T10:00:00Z");
  const int64_t dec1 = *ParseIsoUtc("2026-12-01T00:00:00Z");
  Reservation r;
  REQUIRE(limiter.Admit({"ann", 0, 600}, nov3, true, 60000, &r).ok());
  // Held, not yet settled: a second claim of 600 would pass the user's cap.
  Reservation r2;
  Status held = limiter.Admit({"ann", 0, 600}, nov3, true, 60000, &r2);
  CHECK(held.code() == StatusCode::kBudget);
  CHECK(held.message().find("LLM_USER_MONTHLY_BUDGET_USD") != std::string::npos);
  CHECK(held.message().find("in 2026-11") != std::string::npos);
  REQUIRE(limiter.Settle(r, 0, 500).ok());
  // Weeks later, the month still remembers: 500 + 600 > 1000.
  CHECK(limiter.Admit({"ann", 0, 600}, nov29, true, 60000, &r2).code() == StatusCode::kBudget);
  REQUIRE(limiter.Admit({"ann", 0, 500}, nov29, true, 60000, &r2).ok());
  REQUIRE(limiter.Settle(r2, 0, 500).ok());
  // Everyone's cap: 1000 spent, bob's 600 would make 1600 > 1500.
  Status all = limiter.Admit({"bob", 0, 600}, nov29, true, 60000, &r2);
  CHECK(all.message().find("LLM_MONTHLY_BUDGET_USD") != std::string::npos);
  UsageSnapshot u;
  REQUIRE(limiter.Snapshot("ann", nov29, &u).ok());
  CHECK(u.month == "2026-11");
  CHECK(u.user_month_spend_nanos == 1000);
  CHECK(u.total_month_spend_nanos == 1000);
  CHECK(u.month_resets_in_s == (dec1 - nov29) / 1000);
  // A new month starts from nothing.
  CHECK(limiter.Admit({"ann", 0, 1000}, dec1, false, 0, &r2).ok());
  // A claim larger than the cap itself can never pass.
  CHECK(limiter.Admit({"ann", 0, 1001}, dec1, false, 0, &r2).message().find("can never pass") !=
        std::string::npos);
}

TEST_CASE("refusals: every spend cap names itself, its setting and when it resets") {
  LimitConfig config;
  config.window_seconds = 60;
  UsageSnapshot usage;
  usage.month = "2026-12";
  usage.day_resets_in_s = 100;
  usage.month_resets_in_s = 2000;
  usage.user_spend_nanos = 1'000'000;
  usage.total_spend_nanos = 2'000'000;
  usage.user_month_spend_nanos = 3'000'000;
  usage.total_month_spend_nanos = 4'000'000;
  const UsageClaim claim{"ann", 10, 500'000};
  int64_t wait_s = 0;
  auto refusal = [&](int64_t LimitConfig::*cap, int64_t limit) {
    LimitConfig c = config;
    c.*cap = limit;
    Status st = RefusalFor(c, claim, usage, &wait_s);
    CHECK(wait_s == -1);  // waiting for a window does not help a spend cap
    CHECK(st.code() == StatusCode::kBudget);
    return st.message();
  };
  CHECK(refusal(&LimitConfig::user_daily_budget_nanos, 1'200'000) ==
        "daily budget: user ann spent $0.0010 of $0.0012 (LLM_USER_DAILY_BUDGET_USD) today and "
        "this request may cost up to $0.0005; resets at 00:00 UTC in 100 s");
  CHECK(refusal(&LimitConfig::daily_budget_nanos, 2'200'000) ==
        "daily budget: everyone together spent $0.0020 of $0.0022 (LLM_DAILY_BUDGET_USD) today "
        "and this request may cost up to $0.0005; resets at 00:00 UTC in 100 s");
  CHECK(refusal(&LimitConfig::user_monthly_budget_nanos, 3'200'000) ==
        "monthly budget: user ann spent $0.0030 of $0.0032 (LLM_USER_MONTHLY_BUDGET_USD) in "
        "2026-12 and this request may cost up to $0.0005; resets at the start of the next UTC "
        "month in 2000 s");
  CHECK(refusal(&LimitConfig::monthly_budget_nanos, 4'200'000) ==
        "monthly budget: everyone together spent $0.0040 of $0.0042 (LLM_MONTHLY_BUDGET_USD) in "
        "2026-12 and this request may cost up to $0.0005; resets at the start of the next UTC "
        "month in 2000 s");
  // A cap below the claim itself: no reset time, since none would help.
  CHECK(refusal(&LimitConfig::user_daily_budget_nanos, 400'000) ==
        "daily budget: this request may cost up to $0.0005, more than the whole daily budget of "
        "$0.0004 (LLM_USER_DAILY_BUDGET_USD), so it can never pass; lower --max-tokens, pick a "
        "cheaper model or raise LLM_USER_DAILY_BUDGET_USD");
  CHECK(refusal(&LimitConfig::monthly_budget_nanos, 400'000) ==
        "monthly budget: this request may cost up to $0.0005, more than everyone's whole monthly "
        "budget of $0.0004 (LLM_MONTHLY_BUDGET_USD), so it can never pass; lower --max-tokens, "
        "pick a cheaper model or raise LLM_MONTHLY_BUDGET_USD");
  // Caps with room left refuse nothing.
  LimitConfig roomy = config;
  roomy.user_daily_budget_nanos = roomy.daily_budget_nanos = 10'000'000;
  roomy.user_monthly_budget_nanos = roomy.monthly_budget_nanos = 10'000'000;
  CHECK(RefusalFor(roomy, claim, usage, &wait_s).ok());
}
