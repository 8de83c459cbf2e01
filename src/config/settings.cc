#include "config/settings.h"

#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <functional>
#include <sstream>

#include <CLI/CLI.hpp>
#include <re2/re2.h>
#include <spdlog/spdlog.h>

#include "providers/provider_registry.h"
#include "store/database.h"
#include "util/ascii.h"
#include "util/did_you_mean.h"
#include "util/secret_scrubber.h"
#include "util/strict_number.h"

extern char** environ;

namespace llmctl {
namespace {

using Setter = std::function<Status(const std::string& value, const std::string& label, Settings*)>;

std::string Bad(const std::string& label, const std::string& value, const std::string& valid) {
  return label + "=\"" + value + "\" is invalid: " + valid;
}

Setter IntSetting(int64_t Settings::*field, int64_t min, int64_t max, std::string valid) {
  return [=](const std::string& v, const std::string& label, Settings* s) {
    auto n = ParseStrictInteger(v);
    if (!n || *n < min || *n > max) return Status::Config(Bad(label, v, valid));
    s->*field = *n;
    return Status::Ok();
  };
}

Setter NumberSetting(double Settings::*field, double min, double max, std::string valid,
                     bool exclusive_min = false) {
  return [=](const std::string& v, const std::string& label, Settings* s) {
    auto d = ParseStrictNumber(v);
    if (!d || *d < min || *d > max || (exclusive_min && *d == min))
      return Status::Config(Bad(label, v, valid));
    s->*field = *d;
    return Status::Ok();
  };
}

Setter StringSetting(std::string Settings::*field, bool allow_empty) {
  return [=](const std::string& v, const std::string& label, Settings* s) {
    if (!allow_empty && v.empty()) return Status::Config(Bad(label, v, "must not be empty"));
    s->*field = v;
    return Status::Ok();
  };
}

constexpr int64_t kMaxInt = 1'000'000'000'000LL;
// Ten years: any expiry computed from it is a timestamp every reader of the
// cache (and `cache import`) accepts.
constexpr int64_t kMaxCacheTtlSeconds = 10LL * 365 * 86400;

Setter ChoiceSetting(std::string Settings::*field, std::vector<std::string> choices) {
  return [=](const std::string& v, const std::string& label, Settings* s) {
    if (std::find(choices.begin(), choices.end(), v) == choices.end()) {
      std::string valid = "expected ";
      for (size_t i = 0; i < choices.size(); ++i)
        valid += (i == 0 ? "" : i + 1 == choices.size() ? " or " : ", ") + choices[i];
      return Status::Config(Bad(label, v, valid));
    }
    s->*field = v;
    return Status::Ok();
  };
}

// One RE2 expression per line; blank lines and lines starting with '#' are
// skipped. Each is compiled here so a typo fails before anything is sent.
Status LoadInjectionPatterns(const std::string& path, const std::string& label, Settings* s) {
  std::ifstream in(path);
  if (!in)
    return Status::Config(
        Bad(label, path, std::string("the file cannot be read: ") + std::strerror(errno)));
  std::vector<InjectionPattern> patterns;
  RE2::Options options;
  options.set_log_errors(false);
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos || line[0] == '#') continue;
    RE2 re(line, options);
    if (!re.ok())
      return Status::Config(label + "=\"" + path + "\" line " + std::to_string(n) +
                            ": invalid regular expression \"" + line + "\": " + re.error() +
                            " (one RE2 expression per line; # starts a comment line)");
    patterns.push_back({n, line});
  }
  s->injection_patterns_file = path;
  s->injection_patterns = std::move(patterns);
  return Status::Ok();
}

const std::vector<std::pair<std::string, Setter>>& Registry() {
  static const std::vector<std::pair<std::string, Setter>> registry =
      {
          {"LLM_PROVIDER",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (!IsKnownProvider(v, *s))
               return Status::Config(
                   Bad(label, v,
                       "expected " + BuiltinProviderNames() +
                           std::string(s->endpoints.empty()
                                           ? ""
                                           : " or a [providers.NAME] from the config file")));
             s->provider = v;
             return Status::Ok();
           }},
          {"LLM_MODEL", StringSetting(&Settings::model, true)},
          {"LLM_FALLBACKS",
           [](const std::string& v, const std::string& label, Settings* s) {
             std::vector<ModelRef> refs;
             std::stringstream in(v);
             std::string item;
             while (std::getline(in, item, ',')) {
               auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
               item = b == std::string::npos ? "" : item.substr(b, e - b + 1);
               ModelRef ref;
               auto colon = item.find(':');
               if (item.empty() || colon == std::string::npos || colon == 0 ||
                   colon + 1 == item.size() || !IsKnownProvider(item.substr(0, colon), *s))
                 return Status::Config(
                     Bad(label, v,
                         "expected a comma list of provider:model with a known "
                         "provider, e.g. anthropic:claude-haiku-4-5,gemini:gemini-2.5-flash"));
               refs.push_back({item.substr(0, colon), item.substr(colon + 1)});
             }
             s->fallbacks = refs;
             return Status::Ok();
           }},
          {"LLM_MAX_TOKENS", IntSetting(&Settings::max_tokens, 1, 10'000'000,
                                        "expected an integer from 1 to 10000000")},
          {"LLM_TEMPERATURE",
           NumberSetting(&Settings::temperature, 0, 2, "expected a number from 0 to 2")},
          {"LLM_TIMEOUT_SECONDS",
           NumberSetting(&Settings::timeout_seconds, 0, 86400,
                         "expected a number of seconds above 0 (at most 86400)", true)},
          {"LLM_DEADLINE_SECONDS",
           NumberSetting(&Settings::deadline_seconds, 0, 86400,
                         "expected a number of seconds above 0 (at most 86400)", true)},
          {"LLM_MAX_RETRIES",
           IntSetting(&Settings::max_retries, 0, 100, "expected an integer from 0 to 100")},
          {"LLM_RETRY_BASE_SECONDS", NumberSetting(&Settings::retry_base_seconds, 0, 3600,
                                                   "expected a number of seconds from 0 to 3600")},
          {"LLM_RETRY_MAX_SECONDS", NumberSetting(&Settings::retry_max_seconds, 0, 3600,
                                                  "expected a number of seconds from 0 to 3600")},
          {"LLM_BREAKER_THRESHOLD", IntSetting(&Settings::breaker_threshold, 0, 1000,
                                               "expected an integer from 0 (off) to 1000")},
          {"LLM_BREAKER_COOLDOWN_SECONDS",
           NumberSetting(&Settings::breaker_cooldown_seconds, 0, 86400,
                         "expected a number of seconds from 0 to 86400")},
          {"LLM_MAX_COST_PER_REQUEST", NumberSetting(&Settings::max_cost_per_request_usd, 0, 1e9,
                                                     "expected a non-negative number of USD")},
          {"LLM_RATE_LIMIT_TOKENS", IntSetting(&Settings::rate_limit_tokens, 0, kMaxInt,
                                               "expected a non-negative integer (0 = off)")},
          {"LLM_RATE_LIMIT_REQUESTS", IntSetting(&Settings::rate_limit_requests, 0, kMaxInt,
                                                 "expected a non-negative integer (0 = off)")},
          {"LLM_RATE_LIMIT_WINDOW_SECONDS",
           IntSetting(&Settings::rate_limit_window_seconds, 1, 366LL * 86400,
                      "expected an integer number of seconds from 1 to 31622400")},
          {"LLM_USER_DAILY_BUDGET_USD",
           NumberSetting(&Settings::user_daily_budget_usd, 0, 1e9,
                         "expected a non-negative number of USD (0 = off)")},
          {"LLM_DAILY_BUDGET_USD",
           NumberSetting(&Settings::daily_budget_usd, 0, 1e9,
                         "expected a non-negative number of USD (0 = off)")},
          {"LLM_USER_MONTHLY_BUDGET_USD",
           NumberSetting(&Settings::user_monthly_budget_usd, 0, 1e9,
                         "expected a non-negative number of USD (0 = off)")},
          {"LLM_MONTHLY_BUDGET_USD",
           NumberSetting(&Settings::monthly_budget_usd, 0, 1e9,
                         "expected a non-negative number of USD (0 = off)")},
          {"LLM_CACHE",
           [](const std::string& v, const std::string& label, Settings* s) {
             for (CacheMode mode :
                  {CacheMode::kAuto, CacheMode::kOff, CacheMode::kRefresh, CacheMode::kOnly})
               if (v == CacheModeName(mode)) {
                 s->cache_mode = mode;
                 return Status::Ok();
               }
             return Status::Config(Bad(label, v, "expected auto, off, refresh or only"));
           }},
          {"LLM_CACHE_TTL_SECONDS",
           IntSetting(&Settings::cache_ttl_seconds, 0, kMaxCacheTtlSeconds,
                      "expected an integer number of seconds from 0 to 315360000 (ten years)")},
          {"LLM_CACHE_NAMESPACE", StringSetting(&Settings::cache_namespace, false)},
          {"LLM_LATENCY_P95_ALERT_MS",
           NumberSetting(&Settings::latency_p95_alert_ms, 0, 1e9,
                         "expected a number of milliseconds above 0", true)},
          {"LLM_ERROR_RATE_ALERT", NumberSetting(&Settings::error_rate_alert, 0, 1,
                                                 "expected a fraction from 0 to 1, e.g. 0.2")},
          {"LLM_RATE_LIMIT_WAIT_SECONDS",
           NumberSetting(&Settings::rate_limit_wait_seconds, 0, 3600,
                         "expected a number of seconds from 0 (refuse at once) to 3600")},
          {"LLMCTL_DB", StringSetting(&Settings::db_path, false)},
          {"LLMCTL_DB_BUSY_TIMEOUT_MS",
           IntSetting(&Settings::db_busy_timeout_ms, 0, 86'400'000,
                      "expected an integer number of milliseconds from 0 to 86400000")},
          {"LLMCTL_DB_SYNC",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (v != "normal" && v != "full")
               return Status::Config(Bad(label, v, "expected normal or full"));
             s->db_durability = v == "full" ? Durability::kFull : Durability::kNormal;
             return Status::Ok();
           }},
          {"LLMCTL_USER", StringSetting(&Settings::user, false)},
          {"LLM_GRADER_MODEL", StringSetting(&Settings::grader_model, false)},
          {"LLMCTL_TAGS",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (std::string why = ParseTagList(v, &s->tags); !why.empty())
               return Status::Config(
                   Bad(label, v,
                       why + " (expected KEY=VALUE,KEY=VALUE, e.g. ci_job=4711,team=search)"));
             return Status::Ok();
           }},
          {"LLMCTL_PRICING_FILE", StringSetting(&Settings::pricing_file, false)},
          {"LLMCTL_LOG_FILE", StringSetting(&Settings::log_file, false)},
          {"LLMCTL_HASH_KEY", StringSetting(&Settings::hash_key, false)},
          {"LLM_SPOTLIGHT", ChoiceSetting(&Settings::spotlight, {"delimit", "datamark"})},
          {"LLM_INJECTION_POLICY",
           ChoiceSetting(&Settings::injection_policy, {"off", "warn", "block"})},
          {"LLM_CANARY",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (v == "on" || v == "true" || v == "1") s->canary = true;
             else if (v == "off" || v == "false" || v == "0") s->canary = false;
             else return Status::Config(Bad(label, v, "expected on or off"));
             return Status::Ok();
           }},
          {"LLMCTL_INJECTION_PATTERNS_FILE",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (v.empty()) return Status::Config(Bad(label, v, "must not be empty"));
             return LoadInjectionPatterns(v, label, s);
           }},
          {"LLM_HISTORY_MAX_TOKENS",
           IntSetting(&Settings::history_max_tokens, 0, kMaxInt,
                      "expected a non-negative integer number of tokens (0 = the model's window)")},
          {"LLMCTL_AUDIT_KEY_FILE", StringSetting(&Settings::audit_key_file, false)},
          {"LLMCTL_AUDIT_RETENTION_DAYS",
           IntSetting(&Settings::audit_retention_days, 0, 36500,
                      "expected an integer number of days from 0 (keep forever) to 36500")},
          // Before LLMCTL_REDIS_URL, so the variable itself wins over the file.
          {"LLMCTL_REDIS_URL_FILE",
           [](const std::string& v, const std::string& label, Settings* s) {
             std::ifstream in(v);
             if (!in)
               return Status::Config(label + "=\"" + v +
                                     "\" cannot be read: " + std::strerror(errno));
             std::stringstream ss;
             ss << in.rdbuf();
             std::string url = ss.str();
             // A trailing newline in a secret file is an editor artefact.
             while (!url.empty() && (url.back() == '\n' || url.back() == '\r' || url.back() == ' '))
               url.pop_back();
             if (url.empty())
               return Status::Config(
                   label + "=\"" + v +
                   "\" is empty: expected a file holding a redis:// or unix:// URL");
             Status st = ParseRedisUrl(url, "the URL in " + label + " (" + v + ")", &s->redis);
             if (!st.ok()) return st;
             RegisterSecret(s->redis.password);
             s->redis_url = url;
             return Status::Ok();
           }},
          {"LLMCTL_REDIS_URL",
           [](const std::string& v, const std::string& label, Settings* s) {
             Status st = ParseRedisUrl(v, label, &s->redis);
             if (!st.ok()) return st;
             RegisterSecret(s->redis.password);
             s->redis_url = v;
             return Status::Ok();
           }},
          {"LLMCTL_REDIS_PREFIX",
           [](const std::string& v, const std::string& label, Settings* s) {
             // Key names are matched with SCAN patterns and shown in reports: a
             // space or control character there is always a mistake.
             bool bad = v.empty() || v.size() > 200;
             for (char c : v)
               if (std::iscntrl(static_cast<unsigned char>(c)) || c == ' ') bad = true;
             if (bad)
               return Status::Config(Bad(
                   label, v,
                   "expected 1 to 200 characters without spaces or control characters, e.g. llmctl:team-a:"));
             s->redis_prefix = v;
             return Status::Ok();
           }},
          {"LLMCTL_REDIS_TIMEOUT_MS",
           IntSetting(&Settings::redis_timeout_ms, 1, 600000,
                      "expected an integer number of milliseconds from 1 to 600000")},
          {"LLMCTL_REDIS_ON_ERROR",
           [](const std::string& v, const std::string& label, Settings* s) {
             if (v != "closed" && v != "open")
               return Status::Config(Bad(
                   label, v,
                   "expected closed (unreachable Redis: exit 3, nothing sent) or open (warn and use the local SQLite state)"));
             s->redis_on_error = v;
             return Status::Ok();
           }},
          {"LLMCTL_REDIS_RECORDS_MAXLEN",
           IntSetting(&Settings::redis_records_maxlen, 1, kMaxInt,
                      "expected a positive integer number of records")},
      };
  return registry;
}

const Setter* FindSetter(const std::string& name) {
  for (const auto& [n, setter] : Registry())
    if (n == name) return &setter;
  return nullptr;
}

bool ValidBaseUrl(const std::string& url) {
  auto scheme_end = url.find("://");
  if (scheme_end == std::string::npos) return false;
  std::string scheme = url.substr(0, scheme_end);
  if (scheme != "http" && scheme != "https") return false;
  std::string rest = url.substr(scheme_end + 3);
  return !rest.empty() && rest[0] != '/' && rest.find_first_of(" \t\n") == std::string::npos;
}

std::string ItemValue(const CLI::ConfigItem& item) {
  std::string v;
  for (size_t i = 0; i < item.inputs.size(); ++i) v += (i ? "," : "") + item.inputs[i];
  return v;
}

const std::vector<std::string> kEndpointKeys = {
    "base_url", "api_key_env",          "max_tokens_field",     "default_model",
    "headers",  "input_cost_per_token", "output_cost_per_token"};

// [providers.NAME] tables declare OpenAI-compatible endpoints.
Status ApplyEndpointItem(const std::string& file, const std::string& name,
                         const CLI::ConfigItem& item, Settings* s) {
  ProviderConfig& ep = s->endpoints[name];
  ep.name = name;
  ep.kind = ProviderKind::kOpenAICompatible;
  if (ep.max_tokens_field.empty()) ep.max_tokens_field = "max_tokens";
  const std::string label = file + ": providers." + name + "." + item.name;
  const std::string v = ItemValue(item);
  if (item.name == "base_url") {
    if (!ValidBaseUrl(v))
      return Status::Config(Bad(label, v, "expected an http:// or https:// URL"));
    ep.base_url = v;
  } else if (item.name == "api_key_env") {
    ep.api_key_env = v;  // the key itself is read from the environment later
  } else if (item.name == "max_tokens_field") {
    if (v != "max_tokens" && v != "max_completion_tokens")
      return Status::Config(Bad(label, v, "expected max_tokens or max_completion_tokens"));
    ep.max_tokens_field = v;
  } else if (item.name == "input_cost_per_token" || item.name == "output_cost_per_token") {
    auto d = ParseStrictNumber(v);
    if (!d || *d < 0 || *d > 1)
      return Status::Config(
          Bad(label, v, "expected USD per token, a number from 0 (free) to 1, e.g. 1.5e-07"));
    (item.name == "input_cost_per_token" ? ep.input_cost_per_token : ep.output_cost_per_token) = *d;
  } else if (item.name == "default_model" || item.name == "model") {
    ep.default_model = v;
  } else if (item.name == "headers") {
    for (const std::string& h : item.inputs) {
      auto colon = h.find(':');
      if (colon == std::string::npos || colon == 0)
        return Status::Config(Bad(label, h, "expected \"Header-Name: value\""));
      std::string value = h.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      if (IsSecretHeaderName(h.substr(0, colon))) RegisterSecret(value);
      ep.extra_headers[h.substr(0, colon)] = value;
    }
  } else {
    return Status::Config(label +
                          " is not a known key: expected base_url, api_key_env, "
                          "max_tokens_field, default_model, headers, input_cost_per_token or "
                          "output_cost_per_token" +
                          DidYouMean(item.name, kEndpointKeys));
  }
  return Status::Ok();
}

// CLI11's reader is lenient: it reads "KEY = [1," as a list and "KEY" alone
// as true. A config file is checked line by line first, so a typo is an
// error instead of a silently different value.
Status CheckConfigSyntax(const std::string& path, std::istream& in) {
  std::string line;
  for (int n = 1; std::getline(in, line); ++n) {
    auto b = line.find_first_not_of(" \t\r");
    if (b == std::string::npos || line[b] == '#') continue;
    std::string t = line.substr(b, line.find_last_not_of(" \t\r") - b + 1);
    const std::string where = path + ":" + std::to_string(n) + ": ";
    if (t.front() == '[') {
      if (t.back() != ']') return Status::Config(where + "unterminated section header: " + t);
      continue;
    }
    auto eq = t.find('=');
    if (eq == std::string::npos || eq == 0)
      return Status::Config(where + "expected KEY = VALUE, got: " + t);
    std::string value = t.substr(eq + 1);
    value.erase(0, value.find_first_not_of(" \t"));
    if (auto hash = value.find(" #");
        hash != std::string::npos && value[0] != '"' && value[0] != '\'')
      value = value.substr(0, value.find_last_not_of(" \t", hash) + 1);
    if (value.empty()) return Status::Config(where + "missing value after '='");
    const char first = value.front(), last = value.back();
    bool ok;
    if (first == '"' || first == '\'') ok = value.size() >= 2 && last == first;
    else if (first == '[') ok = last == ']';
    else
      ok = value.find_first_of("=[]\"'") == std::string::npos &&
           value.find(' ') == std::string::npos;
    if (!ok) return Status::Config(where + "malformed value: " + value);
  }
  return Status::Ok();
}

Status LoadConfigFile(const std::string& path, bool must_exist, Settings* s,
                      std::vector<std::pair<std::string, std::string>>* values) {
  std::ifstream in(path);
  if (!in) {
    if (!must_exist) return Status::Ok();
    return Status::Config("cannot read config file " + path + ": " + std::strerror(errno));
  }
  s->config_file = path;
  Status syntax = CheckConfigSyntax(path, in);
  if (!syntax.ok()) return syntax;
  in.clear();
  in.seekg(0);
  std::vector<CLI::ConfigItem> items;
  try {
    items = CLI::ConfigTOML().from_config(in);
  } catch (const CLI::Error& e) {
    return Status::Config("config file " + path + " is malformed: " + e.what());
  }
  for (const auto& item : items) {
    if (item.name == "++" || item.name == "--") continue;  // CLI11 section markers
    if (item.parents.size() == 2 && item.parents[0] == "providers") {
      const std::string& name = item.parents[1];
      if (FindBuiltinProvider(name))
        return Status::Config(path + ": [providers." + name +
                              "] would shadow a built-in provider; choose another name");
      Status st = ApplyEndpointItem(path, name, item, s);
      if (!st.ok()) return st;
      continue;
    }
    if (!item.parents.empty())
      return Status::Config(path + ": unknown section [" + item.parents[0] +
                            "]: expected [providers.NAME]");
    std::string name = AsciiUpper(item.name);
    if (!FindSetter(name))
      return Status::Config(
          path + ": unknown key " + item.name +
          ": expected a variable name such as LLM_MAX_TOKENS (see `llmctl help`)" +
          DidYouMean(name, SettingNames()));
    values->push_back({name, ItemValue(item)});
  }
  return Status::Ok();
}

// A mistyped variable (LLM_MAX_TOKEN) is otherwise ignored without a word.
// Only near misses of a known name are reported: other programs' LLM_*
// variables are none of llmctl's business.
void WarnAboutMistypedVariables(const Environment& env) {
  static const std::vector<std::string> kOtherKnown = {"LLMCTL_CONFIG",
                                                       "LLMCTL_DB_BUSY_TIMEOUT_MS"};
  for (auto it = env.lower_bound("LLM"); it != env.end() && it->first.starts_with("LLM"); ++it) {
    const std::string& name = it->first;
    if (!name.starts_with("LLM_") && !name.starts_with("LLMCTL_")) continue;
    if (FindSetter(name) ||
        std::find(kOtherKnown.begin(), kOtherKnown.end(), name) != kOtherKnown.end())
      continue;
    const std::string near = ClosestMatch(name, SettingNames(), 2);
    if (!near.empty())
      spdlog::warn("{} is not a variable llmctl reads; did you mean {}?", name, near);
  }
}

}  // namespace

const char* CacheModeName(CacheMode mode) {
  switch (mode) {
    case CacheMode::kAuto: return "auto";
    case CacheMode::kOff: return "off";
    case CacheMode::kRefresh: return "refresh";
    case CacheMode::kOnly: return "only";
  }
  return "auto";
}

const std::vector<std::string>& SettingNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const auto& [name, setter] : Registry()) n.push_back(name);
    return n;
  }();
  return names;
}

Environment ProcessEnvironment() {
  Environment env;
  for (char** e = environ; e && *e; ++e) {
    const char* eq = std::strchr(*e, '=');
    if (eq) env.emplace(std::string(*e, static_cast<size_t>(eq - *e)), std::string(eq + 1));
  }
  return env;
}

bool IsKnownProvider(const std::string& name, const Settings& s) {
  return FindBuiltinProvider(name) || s.endpoints.count(name) > 0;
}

Status ApplySetting(const std::string& variable, const std::string& value, const std::string& label,
                    SettingSource source, Settings* s) {
  const Setter* setter = FindSetter(variable);
  if (!setter) return Status::Internal("unknown setting " + variable);
  Status st = (*setter)(value, label, s);
  if (st.ok()) s->sources[variable] = source;
  return st;
}

Status LoadSettings(const Environment& env, const std::string& config_flag, Settings* s,
                    std::vector<Status>* problems) {
  auto fail = [&](Status st) {
    if (problems) problems->push_back(st);
    return problems ? Status::Ok() : st;
  };
  auto get = [&](const char* name) -> std::string {
    auto it = env.find(name);
    return it == env.end() ? std::string() : it->second;
  };
  std::string path = config_flag;
  bool must_exist = true;
  if (path.empty()) path = get("LLMCTL_CONFIG");
  if (path.empty()) {
    must_exist = false;
    std::string xdg = get("XDG_CONFIG_HOME");
    std::string home = get("HOME");
    if (!xdg.empty()) path = xdg + "/llmctl/config.toml";
    else if (!home.empty()) path = home + "/.config/llmctl/config.toml";
  }
  std::vector<std::pair<std::string, std::string>> file_values;
  if (!path.empty()) {
    Status st = LoadConfigFile(path, must_exist, s, &file_values);
    if (!st.ok() && !fail(st).ok()) return st;
  }
  for (const auto& [name, value] : file_values) {
    Status st =
        ApplySetting(name, value, s->config_file + ": " + name, SettingSource::kConfigFile, s);
    if (!st.ok() && !fail(st).ok()) return st;
  }
  WarnAboutMistypedVariables(env);
  for (const std::string& name : SettingNames()) {
    auto it = env.find(name);
    if (it == env.end()) continue;
    // An empty variable means "unset" for text settings, the usual shell idiom.
    if (it->second.empty() &&
        (name == "LLM_MODEL" || name == "LLM_FALLBACKS" || name.rfind("LLMCTL_", 0) == 0))
      continue;
    Status st = ApplySetting(name, it->second, name, SettingSource::kEnvironment, s);
    if (!st.ok() && !fail(st).ok()) return st;
  }
  if (s->db_path.empty()) {
    std::string state = get("XDG_STATE_HOME");
    std::string home = get("HOME");
    s->db_path = !state.empty() ? state + "/llmctl/llmctl.db"
                                : (home.empty() ? "." : home) + "/.local/state/llmctl/llmctl.db";
  }
  // Every key a provider could echo back, whichever provider this call uses.
  std::vector<std::string> key_vars = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "GOOGLE_API_KEY",
                                       "GEMINI_API_KEY", "LLMCTL_HASH_KEY"};
  for (const auto& [name, ep] : s->endpoints)
    if (!ep.api_key_env.empty()) key_vars.push_back(ep.api_key_env);
  for (const std::string& var : key_vars) RegisterSecret(get(var.c_str()));
  RegisterSecret(s->hash_key);
  if (s->user.empty()) s->user = get("USER");
  if (s->user.empty()) s->user = "unknown";
  for (const auto& [name, ep] : s->endpoints)
    if (ep.base_url.empty()) {
      Status st =
          fail(Status::Config(s->config_file + ": [providers." + name + "] has no base_url"));
      if (!st.ok()) return st;
    }
  return Status::Ok();
}

DatabaseOptions DatabaseOptionsFor(const Settings& settings) {
  return {.busy_timeout_ms = settings.db_busy_timeout_ms, .durability = settings.db_durability};
}

Status ParseModelRef(const std::string& text, const std::string& default_provider,
                     const Settings& s, ModelRef* out) {
  auto colon = text.find(':');
  if (colon != std::string::npos && IsKnownProvider(text.substr(0, colon), s)) {
    out->provider = text.substr(0, colon);
    out->model = text.substr(colon + 1);
  } else {
    out->provider = default_provider;
    out->model = text;
  }
  if (out->model.empty())
    return Status::Usage("model \"" + text +
                         "\" is empty: expected provider:model or a model name");
  return Status::Ok();
}

namespace {

// Reads a key from VAR or VAR_FILE. A trailing newline in a secret file is
// an editor artefact, not part of the key.
Status ReadKey(const Environment& env, const std::string& var, std::string* key,
               std::string* from) {
  auto it = env.find(var);
  if (it != env.end() && !it->second.empty()) {
    RegisterSecret(it->second);
    *key = it->second;
    *from = var;
    return Status::Ok();
  }
  auto f = env.find(var + "_FILE");
  if (f != env.end() && !f->second.empty()) {
    std::ifstream in(f->second);
    if (!in)
      return Status::Config(var + "_FILE=\"" + f->second +
                            "\" cannot be read: " + std::strerror(errno));
    std::stringstream ss;
    ss << in.rdbuf();
    std::string k = ss.str();
    while (!k.empty() && (k.back() == '\n' || k.back() == '\r' || k.back() == ' ')) k.pop_back();
    if (k.empty()) return Status::Config(var + "_FILE=\"" + f->second + "\" is empty");
    RegisterSecret(k);
    *key = k;
    *from = var + "_FILE";
  }
  return Status::Ok();
}

}  // namespace

Status ResolveProvider(const std::string& name, const Settings& s, const Environment& env,
                       bool require_key, ProviderConfig* out) {
  auto get = [&](const char* n) {
    auto it = env.find(n);
    return it == env.end() ? std::string() : it->second;
  };
  ProviderConfig cfg;
  std::vector<std::string> key_vars;
  std::string base_var;
  bool needs_key = true;
  if (const ProviderInfo* info = FindBuiltinProvider(name)) {
    cfg.name = name;
    cfg.kind = info->kind;
    cfg.base_url = info->default_base_url;
    cfg.max_tokens_field = info->max_tokens_field;
    cfg.default_model = info->default_model;
    base_var = info->base_url_variable;
    key_vars.assign(info->key_variables.begin(), info->key_variables.end());
    needs_key = info->needs_key;
  } else if (auto it = s.endpoints.find(name); it != s.endpoints.end()) {
    cfg = it->second;
    if (!cfg.api_key_env.empty()) key_vars = {cfg.api_key_env};
    // Endpoints declared without api_key_env are local servers that need no key.
    needs_key = !key_vars.empty();
  } else {
    return Status::Config("unknown provider \"" + name + "\": expected " + BuiltinProviderNames() +
                          " or a [providers.NAME] from the config file");
  }
  if (!base_var.empty()) {
    std::string b = get(base_var.c_str());
    if (!b.empty()) {
      if (!ValidBaseUrl(b))
        return Status::Config(
            Bad(base_var, b, "expected an http:// or https:// URL, e.g. " + cfg.base_url));
      cfg.base_url = b;
    }
  }
  while (!cfg.base_url.empty() && cfg.base_url.back() == '/') cfg.base_url.pop_back();
  for (const std::string& var : key_vars) {
    std::string from;
    Status st = ReadKey(env, var, &cfg.api_key, &from);
    if (!st.ok()) return st;
    if (!cfg.api_key.empty()) break;
  }
  if (require_key && needs_key && cfg.api_key.empty()) {
    std::string vars;
    for (const auto& v : key_vars) vars += (vars.empty() ? "" : " or ") + v;
    return Status::Config("no API key for provider " + name + ": set " + vars + " (or " +
                          key_vars.front() + "_FILE pointing at a file holding it)");
  }
  *out = cfg;
  return Status::Ok();
}

}  // namespace llmctl
