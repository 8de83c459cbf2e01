// Settings: every variable llmctl reads, resolved with the precedence
// flag > environment > config file > default and validated up front, so a
// bad value fails before anything is sent or written.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "config/tags.h"
#include "providers/provider.h"
#include "store/database.h"
#include "store/redis_url.h"
#include "util/status.h"

namespace llmctl {

struct ModelRef {
  std::string provider;
  std::string model;
  std::string ToString() const { return provider + ":" + model; }
};

// One regular expression of LLMCTL_INJECTION_PATTERNS_FILE and its line.
struct InjectionPattern {
  int line = 0;
  std::string regex;
};

// LLM_CACHE: auto serves and stores deterministic (temperature 0) calls;
// refresh stores without serving; only serves and never calls a provider
// (a hermetic replay); off neither.
enum class CacheMode { kAuto, kOff, kRefresh, kOnly };
const char* CacheModeName(CacheMode mode);  // auto, off, refresh, only

// Where a setting's value came from, for config-check.
enum class SettingSource { kDefault, kConfigFile, kEnvironment, kFlag };

struct Settings {
  std::string provider = "openai";
  std::string model;  // empty: the provider's default
  std::vector<ModelRef> fallbacks;
  int64_t max_tokens = 2048;
  double temperature = 0.7;
  double timeout_seconds = 30;
  double deadline_seconds = 120;
  int64_t max_retries = 2;
  double retry_base_seconds = 0.5;       // LLM_RETRY_BASE_SECONDS
  double retry_max_seconds = 8;          // LLM_RETRY_MAX_SECONDS
  int64_t breaker_threshold = 5;         // LLM_BREAKER_THRESHOLD
  double breaker_cooldown_seconds = 30;  // LLM_BREAKER_COOLDOWN_SECONDS
  double max_cost_per_request_usd = 0.10;
  int64_t rate_limit_tokens = 100000;
  int64_t rate_limit_requests = 0;
  int64_t rate_limit_window_seconds = 3600;
  double user_daily_budget_usd = 0;
  double daily_budget_usd = 0;
  double user_monthly_budget_usd = 0;  // per UTC calendar month
  double monthly_budget_usd = 0;
  CacheMode cache_mode = CacheMode::kAuto;
  int64_t cache_ttl_seconds = 86400;
  std::string cache_namespace = "default";
  double latency_p95_alert_ms = 5000;
  double error_rate_alert = 0.2;       // LLM_ERROR_RATE_ALERT: fraction 0-1
  double rate_limit_wait_seconds = 0;  // LLM_RATE_LIMIT_WAIT_SECONDS
  std::string db_path;
  int64_t db_busy_timeout_ms = 15000;              // LLMCTL_DB_BUSY_TIMEOUT_MS: one wait per call
  Durability db_durability = Durability::kNormal;  // LLMCTL_DB_SYNC
  std::string user;
  Tags tags;                 // LLMCTL_TAGS, then --tag over it
  std::string grader_model;  // LLM_GRADER_MODEL: eval's llm-rubric grader
  std::string pricing_file;
  std::string log_file;
  std::string hash_key;                   // secret
  std::string spotlight = "delimit";      // LLM_SPOTLIGHT: delimit | datamark
  std::string injection_policy = "warn";  // LLM_INJECTION_POLICY: off | warn | block
  bool canary = false;                    // LLM_CANARY
  std::string injection_patterns_file;    // LLMCTL_INJECTION_PATTERNS_FILE
  std::vector<InjectionPattern>
      injection_patterns;  // its lines, each one compiled once to check it

  int64_t history_max_tokens =
      0;  // LLM_HISTORY_MAX_TOKENS: the sliding window's budget (0 = the model's window)
  std::string audit_key_file;         // LLMCTL_AUDIT_KEY_FILE: empty = no audit store
  int64_t audit_retention_days = 30;  // LLMCTL_AUDIT_RETENTION_DAYS (0 = keep forever)
  // Fleet state (empty redis_url: SQLite only). The URL holds a password:
  // show it only through MaskRedisUrl.
  std::string redis_url;
  RedisEndpoint redis;  // parsed from redis_url
  std::string redis_prefix = "llmctl:";
  int64_t redis_timeout_ms = 2000;
  std::string redis_on_error = "closed";  // closed | open
  int64_t redis_records_maxlen = 1000000;

  std::string config_file;  // the file that was read, empty if none
  // Endpoints declared as [providers.NAME] in the config file.
  std::map<std::string, ProviderConfig> endpoints;
  // Variable name -> where its value came from.
  std::map<std::string, SettingSource> sources;
};

// A snapshot of the process environment (a map, so tests can supply one).
using Environment = std::map<std::string, std::string>;
Environment ProcessEnvironment();

// Resolves settings from environment and config file. config_flag is the
// --config value (empty when not given). Fails with a kConfig status naming
// the variable, the bad value and what would be valid. With `problems`, a
// bad value is collected there and loading goes on (config-check reports all).
Status LoadSettings(const Environment& env, const std::string& config_flag, Settings* out,
                    std::vector<Status>* problems = nullptr);

// Applies one value as if it came from `source` (used for command-line
// flags); `label` is how the error names it, e.g. "--temperature".
Status ApplySetting(const std::string& variable, const std::string& value, const std::string& label,
                    SettingSource source, Settings* settings);

// Parses "provider:model" (or just "model" for default_provider). A prefix is
// only a provider when it names a known one, so "llama3.2:1b" stays a model.
Status ParseModelRef(const std::string& text, const std::string& default_provider,
                     const Settings& settings, ModelRef* out);

bool IsKnownProvider(const std::string& name, const Settings& settings);

// Endpoint configuration for a provider name, with its key resolved from the
// environment (NAME_API_KEY or NAME_API_KEY_FILE). require_key: a missing key
// is a configuration error.
Status ResolveProvider(const std::string& name, const Settings& settings, const Environment& env,
                       bool require_key, ProviderConfig* out);

// How every command opens the state database under these settings.
DatabaseOptions DatabaseOptionsFor(const Settings& settings);

// The names of every variable llmctl reads, in the order `help` lists them.
const std::vector<std::string>& SettingNames();

}  // namespace llmctl
