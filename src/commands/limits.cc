// `llmctl limits`: a user's window usage and spend today against the limits.
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/settings.h"
#include "pipeline/open_state_store.h"
#include "records/call_record.h"
#include "records/money.h"
#include "store/database.h"
#include "util/time_format.h"
#include "util/utc_calendar.h"

namespace llmctl {
namespace {

struct LimitsOptions {
  std::string user;
  bool json = false;
};

std::string Limit(int64_t v) { return v > 0 ? std::to_string(v) : "off"; }

std::string Money(double usd) { return "$" + FormatNanosFixed(UsdToNanos(usd), 6); }

Status RunLimits(const LimitsOptions& o, const GlobalOptions& g) {
  Settings s;
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, &s);
  if (!st.ok()) return st;
  const std::string user = o.user.empty() ? s.user : o.user;
  Database db;
  st = db.OpenForReading(s.db_path, DatabaseOptionsFor(s));
  if (!st.ok()) return st;
  std::unique_ptr<StateStore> state;
  st = OpenStateStore(s, db, &state);
  if (!st.ok()) return st;
  StateStoreInfo info;
  st = state->Describe(&info);
  if (!st.ok()) return st;
  UsageSnapshot u;
  const int64_t now = NowUnixMs();
  st = state->CurrentUsage(user, now, &u);
  if (!st.ok()) return st;
  const std::string window_reset =
      FormatIsoUtcMs((u.window_start_s + s.rate_limit_window_seconds) * 1000);
  const std::string day_reset = FormatIsoUtcMs((now / 86'400'000 + 1) * 86'400'000);
  const std::string month_reset = FormatIsoUtcMs(NextUtcMonthStartMs(now));
  if (o.json) {
    nlohmann::json j = {
        {"user_id", user},
        {"window",
         {{"seconds", s.rate_limit_window_seconds},
          {"started_at", FormatIsoUtcMs(u.window_start_s * 1000)},
          {"resets_at", window_reset},
          {"resets_in_seconds", u.window_resets_in_s},
          {"tokens_used", u.window_tokens},
          {"tokens_limit", s.rate_limit_tokens},
          {"requests_used", u.window_requests},
          {"requests_limit", s.rate_limit_requests}}},
        {"day",
         {{"date", u.day},
          {"resets_at", day_reset},
          {"user_spend_usd", NanosToUsd(u.user_spend_nanos)},
          {"user_budget_usd", s.user_daily_budget_usd},
          {"total_spend_usd", NanosToUsd(u.total_spend_nanos)},
          {"total_budget_usd", s.daily_budget_usd}}},
        {"month",
         {{"month", u.month},
          {"resets_at", month_reset},
          {"user_spend_usd", NanosToUsd(u.user_month_spend_nanos)},
          {"user_budget_usd", s.user_monthly_budget_usd},
          {"total_spend_usd", NanosToUsd(u.total_month_spend_nanos)},
          {"total_budget_usd", s.monthly_budget_usd}}},
        {"max_cost_per_request_usd", s.max_cost_per_request_usd},
        {"state",
         {{"backend", info.backend},
          {"location", info.location},
          {"server_version",
           info.server_version.empty() ? nlohmann::json() : nlohmann::json(info.server_version)},
          {"round_trip_ms",
           info.backend == "redis" ? nlohmann::json(info.round_trip_ms) : nlohmann::json()}}}};
    std::cout << j.dump(2) << std::endl;
    return Status::Ok();
  }
  std::printf("user %s\n", user.c_str());
  std::printf("  window (%llds, resets %s in %llds)\n",
              static_cast<long long>(s.rate_limit_window_seconds), window_reset.c_str(),
              static_cast<long long>(u.window_resets_in_s));
  std::printf("    tokens    %lld / %s\n", static_cast<long long>(u.window_tokens),
              Limit(s.rate_limit_tokens).c_str());
  std::printf("    requests  %lld / %s\n", static_cast<long long>(u.window_requests),
              Limit(s.rate_limit_requests).c_str());
  std::printf("  today %s (UTC, resets %s)\n", u.day.c_str(), day_reset.c_str());
  std::printf("    user spend  %s / %s\n", Money(NanosToUsd(u.user_spend_nanos)).c_str(),
              s.user_daily_budget_usd > 0 ? Money(s.user_daily_budget_usd).c_str() : "off");
  std::printf("    all users   %s / %s\n", Money(NanosToUsd(u.total_spend_nanos)).c_str(),
              s.daily_budget_usd > 0 ? Money(s.daily_budget_usd).c_str() : "off");
  std::printf("  month %s (UTC, resets %s)\n", u.month.c_str(), month_reset.c_str());
  std::printf("    user spend  %s / %s\n", Money(NanosToUsd(u.user_month_spend_nanos)).c_str(),
              s.user_monthly_budget_usd > 0 ? Money(s.user_monthly_budget_usd).c_str() : "off");
  std::printf("    all users   %s / %s\n", Money(NanosToUsd(u.total_month_spend_nanos)).c_str(),
              s.monthly_budget_usd > 0 ? Money(s.monthly_budget_usd).c_str() : "off");
  std::printf("  per request   max %s\n", Money(s.max_cost_per_request_usd).c_str());
  if (info.backend == "redis")
    std::printf("state redis %s (Redis %s, round trip %.2f ms), shared by every machine using it\n",
                info.location.c_str(), info.server_version.c_str(), info.round_trip_ms);
  else std::printf("state sqlite %s, local to this machine\n", info.location.c_str());
  return Status::Ok();
}

}  // namespace

void AddLimitsCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<LimitsOptions>();
  CLI::App* cmd =
      app.add_subcommand("limits", "Show window usage and spend today against the limits");
  cmd->add_option("-u,--user", o->user, "User id (default $LLMCTL_USER, $USER)");
  cmd->add_flag("--json", o->json, "Print as JSON");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunLimits(*o, ctx.globals); }; });
}

}  // namespace llmctl
