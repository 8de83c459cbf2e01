#include "config/settings.h"
#include "util/secret_scrubber.h"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdio>
#include <fstream>

using namespace llmctl;

TEST_CASE("defaults are the documented ones") {
  Settings s;
  REQUIRE(LoadSettings({{"HOME", "/home/u"}, {"USER", "ann"}}, "", &s).ok());
  CHECK(s.provider == "openai");
  CHECK(s.max_tokens == 2048);
  CHECK(s.temperature == doctest::Approx(0.7));
  CHECK(s.rate_limit_tokens == 100000);
  CHECK(s.cache_mode == CacheMode::kAuto);
  CHECK(s.db_path == "/home/u/.local/state/llmctl/llmctl.db");
  CHECK(s.user == "ann");
}

TEST_CASE("bad values name the variable, the value and what is valid") {
  struct Case {
    const char* var;
    const char* value;
    const char* valid;
  };
  for (Case c :
       {Case{"LLM_TEMPERATURE", "3", "0 to 2"}, Case{"LLM_MAX_TOKENS", "ten", "integer"},
        Case{"LLM_RATE_LIMIT_TOKENS", "-5", "non-negative"}, Case{"LLM_PROVIDER", "acme", "openai"},
        Case{"LLM_FALLBACKS", "anthropic", "provider:model"},
        Case{"LLM_CACHE", "sometimes", "refresh"}, Case{"LLM_TIMEOUT_SECONDS", "0", "above 0"}}) {
    Settings s;
    Status st = LoadSettings({{c.var, c.value}}, "", &s);
    CAPTURE(c.var);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find(c.var) != std::string::npos);
    CHECK(st.message().find(c.value) != std::string::npos);
    CHECK(st.message().find(c.valid) != std::string::npos);
  }
}

TEST_CASE("precedence: flag > environment > config file > default") {
  std::string path = "/tmp/llmctl_settings_test.toml";
  std::ofstream(path) << "LLM_MAX_TOKENS = 100\nLLM_TEMPERATURE = 0.1\n"
                         "[providers.local]\nbase_url = \"http://127.0.0.1:1/v1\"\n"
                         "max_tokens_field = \"max_tokens\"\nheaders = [\"X-Title: llmctl\"]\n";
  Settings s;
  REQUIRE(LoadSettings({{"LLM_TEMPERATURE", "0.5"}}, path, &s).ok());
  CHECK(s.max_tokens == 100);
  CHECK(s.temperature == doctest::Approx(0.5));
  REQUIRE(ApplySetting("LLM_TEMPERATURE", "0", "--temperature", SettingSource::kFlag, &s).ok());
  CHECK(s.temperature == 0);
  CHECK(s.sources["LLM_MAX_TOKENS"] == SettingSource::kConfigFile);
  REQUIRE(s.endpoints.count("local"));
  ProviderConfig cfg;
  REQUIRE(ResolveProvider("local", s, {}, true, &cfg).ok());  // no key needed
  CHECK(cfg.kind == ProviderKind::kOpenAICompatible);
  CHECK(cfg.max_tokens_field == "max_tokens");
  CHECK(cfg.extra_headers["X-Title"] == "llmctl");
  ModelRef ref;
  REQUIRE(ParseModelRef("local:llama3.2:1b", "openai", s, &ref).ok());
  CHECK(ref.provider == "local");
  CHECK(ref.model == "llama3.2:1b");
  std::remove(path.c_str());
}

TEST_CASE("unknown config keys and a missing explicit config file are errors") {
  std::string path = "/tmp/llmctl_settings_bad.toml";
  std::ofstream(path) << "LLM_MAX_TOKEN = 5\n";
  Settings s;
  Status st = LoadSettings({}, path, &s);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find("LLM_MAX_TOKEN") != std::string::npos);
  std::remove(path.c_str());
  Settings t;
  CHECK(LoadSettings({}, "/nonexistent/llmctl.toml", &t).code() == StatusCode::kConfig);
}

TEST_CASE("keys come from the variable or its _FILE form; missing keys fail early") {
  Settings s;
  ProviderConfig cfg;
  Status st = ResolveProvider("anthropic", s, {}, true, &cfg);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find("ANTHROPIC_API_KEY") != std::string::npos);
  std::string path = "/tmp/llmctl_key_test";
  std::ofstream(path) << "sk-ant-secret\n";
  REQUIRE(ResolveProvider("anthropic", s, {{"ANTHROPIC_API_KEY_FILE", path}}, true, &cfg).ok());
  CHECK(cfg.api_key == "sk-ant-secret");
  REQUIRE(ResolveProvider("gemini", s, {{"GEMINI_API_KEY", "g"}}, true, &cfg).ok());
  CHECK(cfg.api_key == "g");
  CHECK(ResolveProvider("openai", s, {{"OPENAI_BASE_URL", "ftp://x"}, {"OPENAI_API_KEY", "k"}},
                        true, &cfg)
            .code() == StatusCode::kConfig);
  CHECK(ResolveProvider("mock", s, {}, true, &cfg).ok());
  std::remove(path.c_str());
}

TEST_CASE("untrusted-input variables: spotlight, policy, canary, patterns file") {
  Settings s;
  REQUIRE(
      LoadSettings(
          {{"LLM_SPOTLIGHT", "datamark"}, {"LLM_INJECTION_POLICY", "block"}, {"LLM_CANARY", "on"}},
          "", &s)
          .ok());
  CHECK(s.spotlight == "datamark");
  CHECK(s.injection_policy == "block");
  CHECK(s.canary);
  Settings d;
  REQUIRE(LoadSettings({}, "", &d).ok());
  CHECK(d.spotlight == "delimit");
  CHECK(d.injection_policy == "warn");
  CHECK_FALSE(d.canary);
  for (auto [name, value] : {std::pair{"LLM_SPOTLIGHT", "base64"},
                             {"LLM_INJECTION_POLICY", "deny"},
                             {"LLM_CANARY", "maybe"}}) {
    Settings bad;
    Status st = LoadSettings({{name, value}}, "", &bad);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find(name) != std::string::npos);
  }
  const std::string path = "/tmp/llmctl_patterns_" + std::to_string(::getpid());
  std::ofstream(path) << "# house rules\n(?i)wire the money\n\n\\bACME-\\d+\n";
  Settings p;
  REQUIRE(LoadSettings({{"LLMCTL_INJECTION_PATTERNS_FILE", path}}, "", &p).ok());
  REQUIRE(p.injection_patterns.size() == 2);
  CHECK(p.injection_patterns[0].line == 2);
  CHECK(p.injection_patterns[1].regex == "\\bACME-\\d+");
  std::ofstream(path) << "fine\nalso fine\n(unclosed\n";
  Settings q;
  Status st = LoadSettings({{"LLMCTL_INJECTION_PATTERNS_FILE", path}}, "", &q);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find("line 3") != std::string::npos);
  CHECK(st.message().find("LLMCTL_INJECTION_PATTERNS_FILE") != std::string::npos);
  std::remove(path.c_str());
  Settings r;
  CHECK(LoadSettings({{"LLMCTL_INJECTION_PATTERNS_FILE", path}}, "", &r).code() ==
        StatusCode::kConfig);
}

TEST_CASE("fleet state variables are validated like every other") {
  Settings s;
  REQUIRE(LoadSettings({{"LLMCTL_REDIS_URL", "redis://:pw123456789@cache.internal:6380/2"},
                        {"LLMCTL_REDIS_PREFIX", "team-a:"},
                        {"LLMCTL_REDIS_TIMEOUT_MS", "150"},
                        {"LLMCTL_REDIS_ON_ERROR", "open"},
                        {"LLMCTL_REDIS_RECORDS_MAXLEN", "5000"}},
                       "", &s)
              .ok());
  CHECK(s.redis.host == "cache.internal");
  CHECK(s.redis.port == 6380);
  CHECK(s.redis.db == 2);
  CHECK(s.redis.password == "pw123456789");
  CHECK(ScrubSecrets("AUTH pw123456789 failed").find("pw123456789") == std::string::npos);
  CHECK(s.redis_prefix == "team-a:");
  CHECK(s.redis_timeout_ms == 150);
  CHECK(s.redis_on_error == "open");
  CHECK(s.redis_records_maxlen == 5000);

  Settings d;
  REQUIRE(LoadSettings({}, "", &d).ok());
  CHECK(d.redis_url.empty());
  CHECK(d.redis_prefix == "llmctl:");
  CHECK(d.redis_timeout_ms == 2000);
  CHECK(d.redis_on_error == "closed");
  CHECK(d.redis_records_maxlen == 1000000);

  // Plain variables, not a structured binding: doctest's macros capture
  // them in lambdas, which clang accepts only from version 16.
  for (const auto& bad_setting :
       std::vector<std::pair<const char*, const char*>>{{"LLMCTL_REDIS_URL", "http://host"},
                                                        {"LLMCTL_REDIS_PREFIX", "team a:"},
                                                        {"LLMCTL_REDIS_PREFIX", "x\tb"},
                                                        {"LLMCTL_REDIS_TIMEOUT_MS", "0"},
                                                        {"LLMCTL_REDIS_ON_ERROR", "maybe"},
                                                        {"LLMCTL_REDIS_RECORDS_MAXLEN", "-1"}}) {
    const char* var = bad_setting.first;
    const char* value = bad_setting.second;
    Settings bad;
    Status st = LoadSettings({{var, value}}, "", &bad);
    CAPTURE(var);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find(var) != std::string::npos);
  }
}

TEST_CASE("LLMCTL_REDIS_URL_FILE is read, and the variable wins over it") {
  const std::string path = "/tmp/llmctl_settings_redis_url_" + std::to_string(::getpid());
  {
    std::ofstream f(path);
    f << "redis://:filesecret99@from-file:7000\n";
  }
  Settings s;
  REQUIRE(LoadSettings({{"LLMCTL_REDIS_URL_FILE", path}}, "", &s).ok());
  CHECK(s.redis.host == "from-file");
  CHECK(s.redis.password == "filesecret99");
  Settings both;
  REQUIRE(LoadSettings({{"LLMCTL_REDIS_URL_FILE", path}, {"LLMCTL_REDIS_URL", "redis://env-host"}},
                       "", &both)
              .ok());
  CHECK(both.redis.host == "env-host");
  {
    std::ofstream f(path);
    f << "redis://:filesecret99@\n";
  }
  Settings bad;
  Status st = LoadSettings({{"LLMCTL_REDIS_URL_FILE", path}}, "", &bad);
  CHECK(st.code() == StatusCode::kConfig);
  CHECK(st.message().find("filesecret") == std::string::npos);
  std::remove(path.c_str());
}

TEST_CASE("numbers are strict: no spaces, '+', hex, nan or junk") {
  for (const auto& bad_number :
       {std::pair{"LLM_MAX_TOKENS", " 5"}, std::pair{"LLM_MAX_TOKENS", "5 "},
        std::pair{"LLM_MAX_TOKENS", "+5"}, std::pair{"LLM_MAX_TOKENS", "0x10"},
        std::pair{"LLM_TEMPERATURE", "0x1p-1"}, std::pair{"LLM_TEMPERATURE", "nan"},
        std::pair{"LLM_TEMPERATURE", " 1"}, std::pair{"LLM_TIMEOUT_SECONDS", "inf"},
        std::pair{"LLM_LATENCY_P95_ALERT_MS", "5000ms"}}) {
    const char* var = bad_number.first;
    const char* value = bad_number.second;
    CAPTURE(var);
    CAPTURE(value);
    Settings s;
    Status st = LoadSettings({{var, value}}, "", &s);
    CHECK(st.code() == StatusCode::kConfig);
    CHECK(st.message().find(var) != std::string::npos);
  }
  Settings s;
  REQUIRE(LoadSettings({{"LLM_MAX_TOKENS", "5"}, {"LLM_TEMPERATURE", "1e-1"}}, "", &s).ok());
  CHECK(s.max_tokens == 5);
  CHECK(s.temperature == doctest::Approx(0.1));
}

TEST_CASE("the cache TTL keeps every expiry representable; 0 is allowed") {
  Settings s;
  CHECK(LoadSettings({{"LLM_CACHE_TTL_SECONDS", "1000000000000"}}, "", &s).code() ==
        StatusCode::kConfig);
  CHECK(LoadSettings({{"LLM_CACHE_TTL_SECONDS", "315360001"}}, "", &s).code() ==
        StatusCode::kConfig);
  REQUIRE(LoadSettings({{"LLM_CACHE_TTL_SECONDS", "315360000"}}, "", &s).ok());
  REQUIRE(LoadSettings({{"LLM_CACHE_TTL_SECONDS", "0"}}, "", &s).ok());
  CHECK(s.cache_ttl_seconds == 0);
}
