#include "guardrails/response_cache.h"

#include <doctest/doctest.h>

#include <sstream>

using namespace llmctl;

namespace {

ChatRequest BaseRequest() {
  ChatRequest r;
  r.model = "gpt-4o-mini";
  r.system = "be terse";
  r.messages = {{"user", "hi"}};
  r.temperature = 0;
  r.max_tokens = 100;
  return r;
}

std::string Key(const ChatRequest& r, const std::string& provider = "openai",
                const std::string& ns = "default") {
  return CacheKey(CacheKeyInput(provider, r, ns));
}

}  // namespace

TEST_CASE("every parameter that can change the answer changes the key") {
  const ChatRequest base = BaseRequest();
  const std::string k = Key(base);
  CHECK(Key(base) == k);
  ChatRequest r = base;
  r.model = "gpt-4o";
  CHECK(Key(r) != k);
  r = base;
  r.system = "be verbose";
  CHECK(Key(r) != k);
  r = base;
  r.messages[0].content = "hi!";
  CHECK(Key(r) != k);
  r = base;
  r.messages[0].role = "assistant";
  CHECK(Key(r) != k);
  r = base;
  r.temperature = 0.5;
  CHECK(Key(r) != k);
  r = base;
  r.max_tokens = 101;
  CHECK(Key(r) != k);
  r = base;
  r.stop = {"\n"};
  CHECK(Key(r) != k);
  CHECK(Key(base, "anthropic") != k);
  CHECK(Key(base, "openai", "v2") != k);
  r = base;
  r.stream = true;  // streaming does not change the answer
  CHECK(Key(r) == k);
}

TEST_CASE("store, hit, expiry, export and import round trip") {
  std::string path = "/tmp/llmctl_cache_test_" + std::to_string(getpid()) + ".db";
  std::remove(path.c_str());
  Database db;
  REQUIRE(db.Open(path).ok());
  ResponseCache cache(db);
  CacheEntry e;
  e.key_input = CacheKeyInput("openai", BaseRequest(), "default");
  e.key = CacheKey(e.key_input);
  e.created_ms = 1000;
  e.expires_ms = 2000;
  e.provider = "openai";
  e.model = "gpt-4o-mini";
  e.text = "hello";
  e.finish_reason = "stop";
  e.cost_nanos = 42;
  REQUIRE(cache.Store(e).ok());
  auto hit = cache.Lookup(e.key, 1500);
  REQUIRE(hit);
  CHECK(hit->text == "hello");
  CHECK_FALSE(cache.Lookup(e.key, 2000));  // expired entries are never served

  std::stringstream jsonl;
  int64_t n = 0;
  REQUIRE(cache.Export(jsonl, &n).ok());
  CHECK(n == 1);
  // The export writes the line itself; it must be what the document would dump.
  CHECK(jsonl.str() == CacheEntryToJson(*cache.Lookup(e.key, 1500)).dump() + "\n");
  int64_t removed = 0;
  REQUIRE(cache.Clear(&removed).ok());
  CHECK(removed == 1);
  std::stringstream in(jsonl.str() + "not json\n{\"key_input\": {}, \"text\": 3}\n");
  int64_t imported = 0;
  std::vector<std::string> bad;
  REQUIRE(cache.Import(in, "cassette.jsonl", &imported, &bad).ok());
  CHECK(imported == 1);
  REQUIRE(bad.size() == 2);
  CHECK(bad[0].rfind("cassette.jsonl:2:", 0) == 0);
  CHECK(bad[1].rfind("cassette.jsonl:3:", 0) == 0);
  CHECK(cache.Lookup(e.key, 1500));
  std::remove(path.c_str());
}

TEST_CASE("a cassette rewritten by a JSON tool (0.0 -> 0) keeps its key") {
  ChatRequest r = BaseRequest();
  nlohmann::json input = CacheKeyInput("openai", r, "default");
  nlohmann::json line = {{"key", CacheKey(input)},
                         {"key_input", input},
                         {"text", "x"},
                         {"created", "2026-01-01T00:00:00.000Z"},
                         {"expires", "2027-01-01T00:00:00.000Z"},
                         {"provider", "openai"},
                         {"model", "gpt-4o-mini"}};
  nlohmann::json rewritten = nlohmann::json::parse(line.dump());
  rewritten["key_input"]["temperature"] = 0;  // what jq prints for 0.0
  CacheEntry e;
  REQUIRE(CacheEntryFromJson(rewritten, &e).ok());
  CHECK(e.key == CacheKey(input));
}

TEST_CASE("the export writes each line exactly as the entry's JSON document dumps") {
  std::string path = "/tmp/llmctl_cache_export_" + std::to_string(getpid()) + ".db";
  std::remove(path.c_str());
  Database db;
  REQUIRE(db.Open(path).ok());
  ResponseCache cache(db);
  const char* texts[] = {"plain", "quote \" backslash \\ tab\t newline\n", "\x01\x1f control",
                         "é € 😀 unicode", ""};
  std::vector<CacheEntry> stored;
  for (int i = 0; i < 5; ++i) {
    ChatRequest r = BaseRequest();
    r.messages[0].content = "prompt " + std::to_string(i);
    CacheEntry e;
    e.key_input = CacheKeyInput("openai", r, "default");
    e.key = CacheKey(e.key_input);
    e.created_ms = 1'700'000'000'000 + i * 1001;
    e.expires_ms = e.created_ms + 86'400'000;
    e.provider = "openai";
    e.model = "gpt-4o-mini";
    e.text = texts[i];
    e.finish_reason = i % 2 ? "tool_calls" : "stop";
    e.provider_finish_reason = "raw \"" + std::to_string(i) + "\"";
    e.usage.input_tokens = 10 + i;
    e.usage.output_tokens = 20 + i;
    e.usage.cached_input_tokens = i;
    e.usage.reasoning_tokens = 2 * i;
    e.cost_nanos = 1234567 * i;
    e.price_source = "builtin";
    REQUIRE(cache.Store(e).ok());
  }
  std::stringstream jsonl;
  int64_t n = 0;
  REQUIRE(cache.Export(jsonl, &n).ok());
  CHECK(n == 5);
  std::string expected;
  Statement keys(db, "SELECT key FROM cache_entries ORDER BY created_ms, key");
  while (keys.Step())
    expected += CacheEntryToJson(*cache.Lookup(keys.ColumnText(0), 0)).dump() + "\n";
  CHECK(jsonl.str() == expected);
  std::remove(path.c_str());
}
