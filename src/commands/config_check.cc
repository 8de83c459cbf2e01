// `llmctl config-check`: validates everything `complete` would need and
// says how to fix each failure.
#include <unistd.h>

#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/settings.h"
#include "guardrails/pricing.h"
#include "pipeline/open_state_store.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"
#include "records/record_store.h"
#include "store/database.h"
#include "store/migrations.h"
#include "util/mask.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

struct ConfigCheckOptions {
  bool json = false;
  bool ping = false;
};

struct Check {
  std::string status;  // ok | warn | FAIL
  std::string name;
  std::string detail;
  std::string fix;
};

std::string SourceName(SettingSource s) {
  switch (s) {
    case SettingSource::kDefault: return "default";
    case SettingSource::kConfigFile: return "config file";
    case SettingSource::kEnvironment: return "environment";
    case SettingSource::kFlag: return "flag";
  }
  return "default";
}

void CheckProviders(const Settings& s, const Environment& env, bool ping,
                    std::vector<Check>* checks) {
  std::vector<ModelRef> models;
  models.push_back({s.provider, s.model});
  for (const ModelRef& f : s.fallbacks) models.push_back(f);
  PriceTable prices;
  if (!s.pricing_file.empty()) {
    Status st = prices.LoadFile(s.pricing_file);
    checks->push_back(st.ok()
                          ? Check{"ok", "pricing file", s.pricing_file + " parsed", ""}
                          : Check{"FAIL", "pricing file", st.message(),
                                  "point LLMCTL_PRICING_FILE at a JSON file in LiteLLM's format"});
  }
  for (const auto& [name, ep] : s.endpoints)
    if (ep.input_cost_per_token || ep.output_cost_per_token)
      prices.SetEndpointPrice(name, ep.input_cost_per_token.value_or(0),
                              ep.output_cost_per_token.value_or(0));
  std::set<std::string> seen;
  for (ModelRef ref : models) {
    ProviderConfig cfg;
    Status st = ResolveProvider(ref.provider, s, env, true, &cfg);
    if (ref.model.empty()) ref.model = cfg.default_model;
    if (!seen.insert(ref.provider).second) {
      // Provider already checked; only the model's price is new.
    } else if (!st.ok()) {
      checks->push_back({"FAIL", "provider " + ref.provider, st.message(),
                         "export the key variable named above, or choose another provider"});
      continue;
    } else {
      // Only an endpoint that needs no key gets this far without one.
      const bool offline = !ProviderInfoFor(cfg.kind).make_codec;
      std::string detail = offline ? "offline, no key needed" : "base " + cfg.base_url;
      if (!cfg.api_key.empty()) detail += ", key " + MaskSecret(cfg.api_key);
      else if (!offline) detail += ", no key (local endpoint)";
      checks->push_back({"ok", "provider " + ref.provider, detail, ""});
      if (ping) {
        auto provider = MakeProvider(cfg);
        std::string what;
        bool ok = provider->Ping(s.timeout_seconds, &what);
        checks->push_back({ok ? "ok" : "FAIL", "ping " + ref.provider, what,
                           ok ? "" : "check the key, the base URL and the network"});
      }
    }
    if (ref.model.empty()) continue;
    PriceLookup price = prices.Find(ref.provider, ref.model);
    if (price.source == "unknown")
      checks->push_back({"warn", "price " + ref.ToString(),
                         "not in the price table; cost is estimated at $15/$75 per million tokens",
                         "add the model to a LLMCTL_PRICING_FILE"});
    else
      checks->push_back(
          {"ok", "price " + ref.ToString(),
           "from " + price.source + " (" + price.key + ")" +
               (price.price.max_input_tokens
                    ? ", window " + std::to_string(price.price.max_input_tokens) + " tokens"
                    : ""),
           ""});
  }
}

// The state store: the local file, or the Redis a fleet shares (connected
// here, so an unreachable one is a FAIL whatever LLMCTL_REDIS_ON_ERROR says).
void CheckState(const Settings& s, Database& db, std::vector<Check>* checks) {
  Settings strict = s;
  strict.redis_on_error = "closed";
  std::unique_ptr<StateStore> store;
  Status st = OpenStateStore(strict, db, &store);
  StateStoreInfo info;
  if (st.ok()) st = store->Describe(&info);
  if (!st.ok()) {
    checks->push_back(
        {"FAIL", "state backend", st.message(),
         "start or reach that Redis, or correct LLMCTL_REDIS_URL (and its password)"});
    return;
  }
  if (info.backend == "redis") {
    char rtt[32];
    std::snprintf(rtt, sizeof rtt, "%.2f", info.round_trip_ms);
    checks->push_back({"ok", "state backend",
                       "redis " + info.location + ", Redis " + info.server_version +
                           ", round trip " + rtt + " ms, prefix " + s.redis_prefix + ", on error " +
                           s.redis_on_error,
                       ""});
  } else {
    checks->push_back(
        {"ok", "state backend",
         "sqlite, local to this machine (set LLMCTL_REDIS_URL to share limits across machines)",
         ""});
  }
  std::vector<BreakerStatus> breakers;
  if (!store->ListBreakers(NowUnixMs(), &breakers).ok()) return;
  for (const BreakerStatus& b : breakers) {
    std::string detail = std::string(BreakerStateName(b.state)) + ", " +
                         std::to_string(b.consecutive_failures) + " consecutive failures";
    if (b.state == BreakerState::kOpen)
      detail += ", skipped until " + FormatIsoUtcMs(b.open_until_ms);
    checks->push_back({b.state == BreakerState::kClosed ? "ok" : "warn", "breaker " + b.endpoint,
                       detail,
                       b.state == BreakerState::kClosed
                           ? ""
                           : "the provider has been failing; it is retried after the cooldown"});
  }
}

void CheckDatabase(const Settings& s, std::vector<Check>* checks) {
  Database db;
  Status st = db.Open(s.db_path, DatabaseOptionsFor(s));
  int version = 0;
  if (st.ok()) st = db.SchemaVersion(&version);
  // The whole file is checked here, where a second or two is acceptable;
  // a call only probes the pages its own record needs.
  if (st.ok()) st = db.QuickCheck();
  if (!st.ok()) {
    checks->push_back({"FAIL", "database", st.message(), "set LLMCTL_DB to a writable file path"});
    return;
  }
  const int latest = AllMigrations().back().version;
  checks->push_back({"ok", "database",
                     s.db_path + " writable, schema version " + std::to_string(version) + " of " +
                         std::to_string(latest),
                     ""});
  CheckState(s, db, checks);
}

Status RunConfigCheck(const ConfigCheckOptions& o, const GlobalOptions& g) {
  const Environment env = ProcessEnvironment();
  Settings settings;
  std::vector<Status> problems;
  Status st = LoadSettings(env, g.config_path, &settings, &problems);
  std::vector<Check> checks;
  checks.push_back(
      {"ok", "config file",
       settings.config_file.empty() ? "none (environment and defaults only)" : settings.config_file,
       ""});
  for (const Status& p : problems)
    checks.push_back({"FAIL", "setting", p.message(), "correct or unset the value named above"});
  for (const std::string& name : SettingNames()) {
    auto it = settings.sources.find(name);
    if (it == settings.sources.end()) continue;
    checks.push_back({"ok", name, "set from " + SourceName(it->second), ""});
  }
  if (settings.sources.count("LLMCTL_HASH_KEY"))
    checks.push_back({"ok", "prompt hash",
                      "HMAC-SHA256 under LLMCTL_HASH_KEY (" + MaskSecret(settings.hash_key) + ")",
                      ""});
  CheckProviders(settings, env, o.ping, &checks);
  CheckDatabase(settings, &checks);
  if (!settings.log_file.empty()) {
    Status log = CheckLogFile(settings.log_file);
    if (log.ok()) checks.push_back({"ok", "log file", settings.log_file + " writable", ""});
    else
      checks.push_back({"FAIL", "log file", log.message(),
                        "point LLMCTL_LOG_FILE at a writable file, or unset it"});
  }

  bool failed = false;
  for (const Check& c : checks) failed |= c.status == "FAIL";
  if (o.json) {
    nlohmann::json out = {{"ok", !failed}, {"checks", nlohmann::json::array()}};
    for (const Check& c : checks)
      out["checks"].push_back({{"status", c.status == "FAIL" ? "fail" : c.status},
                               {"check", c.name},
                               {"detail", c.detail},
                               {"fix", c.fix.empty() ? nlohmann::json() : nlohmann::json(c.fix)}});
    std::cout << out.dump(2) << std::endl;
  } else {
    for (const Check& c : checks) {
      std::cout << (c.status == "ok"     ? "ok  "
                    : c.status == "warn" ? "warn"
                                         : "FAIL")
                << "  " << c.name << ": " << c.detail;
      if (!c.fix.empty()) std::cout << " -> fix: " << c.fix;
      std::cout << "\n";
    }
    std::cout.flush();
  }
  if (failed) return Status::Config("configuration check failed (see the FAIL lines above)");
  return Status::Ok();
}

}  // namespace

void AddConfigCheckCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ConfigCheckOptions>();
  CLI::App* cmd =
      app.add_subcommand("config-check", "Validate configuration, keys, pricing and the database");
  cmd->add_flag("--json", o->json, "Print the checks as JSON");
  cmd->add_flag("--ping", o->ping, "Also list models at each configured provider (a free request)");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunConfigCheck(*o, ctx.globals); }; });
}

}  // namespace llmctl
