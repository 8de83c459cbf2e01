#include "guardrails/pricing.h"

#include <doctest/doctest.h>

#include <cstdio>
#include <fstream>

using namespace llmctl;

TEST_CASE("builtin prices and provider-prefixed lookup") {
  PriceTable t;
  auto mini = t.Find("openai", "gpt-4o-mini");
  CHECK(mini.source == "builtin");
  CHECK(mini.price.max_input_tokens == 128000);
  CHECK(t.Find("gemini", "gemini-2.5-flash").key == "gemini/gemini-2.5-flash");
  CHECK(t.Find("openai", "gpt-4o-mini-2024-07-18").key == "gpt-4o-mini-2024-07-18");
  // A dated snapshot missing from the table costs what its alias costs.
  CHECK(t.Find("openai", "gpt-4o-mini-2031-01-01").key == "gpt-4o-mini");
  auto unknown = t.Find("openai", "no-such-model");
  CHECK(unknown.source == "unknown");
  CHECK(unknown.price.input_per_token > 0);  // never a silent $0
}

TEST_CASE("the built-in table is the generated LiteLLM snapshot") {
  PriceTable t;
  CHECK(std::string(PriceTable::SnapshotDate()) == "2026-12-01");
  CHECK(t.Find("openai", "gpt-4-turbo").source == "builtin");
  CHECK(t.Find("anthropic", "claude-3-haiku-20240307").source == "builtin");
  CHECK(t.Find("gemini", "gemini-3-flash-preview").source == "builtin");
  CHECK(t.List("ft:").empty());
  CHECK(t.List("").size() > 100);
}

TEST_CASE("a model named alone has the provider the table lists it under") {
  PriceTable t;
  CHECK(t.ProviderOf("claude-haiku-4-5") == "anthropic");
  CHECK(t.ProviderOf("claude-haiku-4-5-20991231") == "anthropic");
  CHECK(t.ProviderOf("gemini-2.5-flash") == "gemini");
  CHECK(t.ProviderOf("gpt-4o-mini") == "openai");
  CHECK(t.ProviderOf("mock-1") == "mock");
  CHECK_FALSE(t.ProviderOf("llama3.2").has_value());
}

TEST_CASE("a declared endpoint's price wins over the table") {
  PriceTable t;
  t.SetEndpointPrice("local", 0, 0);
  auto p = t.Find("local", "gpt-4o-mini");
  CHECK(p.source == "file");
  Usage usage;
  usage.input_tokens = 1000;
  usage.output_tokens = 1000;
  CHECK(CostNanos(p.price, usage, true) == 0);
  CHECK(t.Find("openai", "gpt-4o-mini").source == "builtin");
}

TEST_CASE("cost counts cached input once, at the cached price") {
  PriceTable t;
  auto p = t.Find("openai", "gpt-4o-mini").price;
  Usage u;
  u.input_tokens = 1000;
  u.cached_input_tokens = 400;
  u.output_tokens = 100;
  // 600 × 0.15 + 400 × 0.075 + 100 × 0.60 (USD per million) = 180 micro-dollars
  CHECK(CostNanos(p, u, true) == 180'000);
}

TEST_CASE("reasoning tokens: inside output for OpenAI, extra for Gemini") {
  ModelPrice p;
  p.input_per_token = 1e-6;
  p.output_per_token = 2e-6;
  p.reasoning_per_token = 3e-6;
  Usage u;
  u.output_tokens = 100;
  u.reasoning_tokens = 40;
  CHECK(CostNanos(p, u, true) == 60 * 2000 + 40 * 3000);
  CHECK(CostNanos(p, u, false) == 100 * 2000 + 40 * 3000);
}

TEST_CASE("tiered prices apply above the threshold") {
  PriceTable t;
  auto p = t.Find("anthropic", "claude-sonnet-4-5").price;
  Usage small, big;
  small.input_tokens = 1000;
  big.input_tokens = 300000;
  CHECK(CostNanos(p, small, true) == 3'000'000);    // 1000 × $3/M
  CHECK(CostNanos(p, big, true) == 1'800'000'000);  // 300k × $6/M
}

TEST_CASE("pricing file in LiteLLM format overrides and adds") {
  std::string path = "/tmp/llmctl_pricing_test.json";
  std::ofstream(path) << R"({"sample_spec": {"input_cost_per_token": "x"},
    "my-model": {"input_cost_per_token": 1e-6, "output_cost_per_token": 2e-6,
                 "input_cost_per_token_above_128k_tokens": 4e-6, "max_input_tokens": 1000},
    "gpt-4o-mini": {"input_cost_per_token": 9e-6, "output_cost_per_token": 9e-6}})";
  PriceTable t;
  REQUIRE(t.LoadFile(path).ok());
  auto m = t.Find("openai", "my-model");
  CHECK(m.source == "file");
  REQUIRE(m.price.tiers.size() == 1);
  CHECK(m.price.tiers[0].threshold_tokens == 128000);
  CHECK(m.price.tiers[0].output_per_token == doctest::Approx(2e-6));
  CHECK(t.Find("openai", "gpt-4o-mini").source == "file");
  std::remove(path.c_str());
  CHECK_FALSE(t.LoadFile("/nonexistent/x.json").ok());
}
