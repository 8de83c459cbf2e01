#include "guardrails/pricing.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "records/money.h"

namespace llmctl {
namespace {

struct BuiltinPrice {
  const char* key;
  double input_per_mtok, output_per_mtok, cache_read_per_mtok, cache_write_per_mtok;
  int64_t max_input, max_output;
  double tier_input_per_mtok = 0, tier_output_per_mtok = 0;  // above 200k input tokens
};

// Prices in USD per million tokens, from LiteLLM's community price map
// (model_prices_and_context_window.json, 2026). 0 cache price: not offered.
constexpr BuiltinPrice kBuiltin[] = {
    {"mock-1", 0, 0, 0, 0, 1'000'000, 1'000'000},
    {"gpt-4o-mini", 0.15, 0.60, 0.075, 0, 128000, 16384},
    {"gpt-4o", 2.50, 10.00, 1.25, 0, 128000, 16384},
    {"gpt-4.1", 2.00, 8.00, 0.50, 0, 1047576, 32768},
    {"gpt-4.1-mini", 0.40, 1.60, 0.10, 0, 1047576, 32768},
    {"gpt-4.1-nano", 0.10, 0.40, 0.025, 0, 1047576, 32768},
    {"gpt-5", 1.25, 10.00, 0.125, 0, 272000, 128000},
    {"gpt-5-mini", 0.25, 2.00, 0.025, 0, 272000, 128000},
    {"gpt-5-nano", 0.05, 0.40, 0.005, 0, 272000, 128000},
    {"o3", 2.00, 8.00, 0.50, 0, 200000, 100000},
    {"o4-mini", 1.10, 4.40, 0.275, 0, 200000, 100000},
    {"claude-haiku-4-5", 1.00, 5.00, 0.10, 1.25, 200000, 64000},
    {"claude-sonnet-4-5", 3.00, 15.00, 0.30, 3.75, 200000, 64000, 6.00, 22.50},
    {"claude-sonnet-4-20250514", 3.00, 15.00, 0.30, 3.75, 1000000, 64000, 6.00, 22.50},
    {"claude-opus-4-5", 5.00, 25.00, 0.50, 6.25, 200000, 64000},
    {"claude-opus-4-1", 15.00, 75.00, 1.50, 18.75, 200000, 32000},
    {"gemini/gemini-2.5-flash", 0.30, 2.50, 0.03, 0, 1048576, 65535},
    {"gemini/gemini-2.5-pro", 1.25, 10.00, 0.125, 0, 1048576, 65535, 2.50, 15.00},
    {"gemini/gemini-2.5-flash-lite", 0.10, 0.40, 0.01, 0, 1048576, 65535},
    {"gemini/gemini-2.0-flash", 0.10, 0.40, 0.025, 0, 1048576, 8192},
};

double PerToken(double per_mtok) { return per_mtok / 1e6; }

std::optional<double> OptionalNumber(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "input_cost_per_token_above_200k_tokens" -> input, 200000.
bool ParseTierKey(const std::string& key, bool* is_input, int64_t* threshold) {
  constexpr std::string_view kMiddle = "_cost_per_token_above_", kEnd = "k_tokens";
  std::string_view k = key;
  if (k.starts_with("input")) *is_input = true;
  else if (k.starts_with("output")) *is_input = false;
  else return false;
  k.remove_prefix(*is_input ? 5 : 6);
  if (!k.starts_with(kMiddle) || !k.ends_with(kEnd)) return false;
  k.remove_prefix(kMiddle.size());
  k.remove_suffix(kEnd.size());
  if (!AllDigits(k) || k.size() > 9) return false;
  *threshold = std::stoll(std::string(k)) * 1000;
  return true;
}

// Strips a trailing -YYYY-MM-DD or -YYYYMMDD.
std::string WithoutDateSuffix(const std::string& model) {
  std::string_view m = model;
  if (m.size() > 9 && m[m.size() - 9] == '-' && AllDigits(m.substr(m.size() - 8)))
    return std::string(m.substr(0, m.size() - 9));
  if (m.size() > 11 && m[m.size() - 11] == '-' && m[m.size() - 6] == '-' && m[m.size() - 3] == '-' &&
      AllDigits(m.substr(m.size() - 10, 4)) && AllDigits(m.substr(m.size() - 5, 2)) &&
      AllDigits(m.substr(m.size() - 2)))
    return std::string(m.substr(0, m.size() - 11));
  return model;
}

}  // namespace

ModelPrice UnknownModelPrice() {
  ModelPrice p;
  p.input_per_token = PerToken(15.0);
  p.output_per_token = PerToken(75.0);
  return p;
}

PriceTable::PriceTable() {
  for (const BuiltinPrice& b : kBuiltin) {
    ModelPrice p;
    p.input_per_token = PerToken(b.input_per_mtok);
    p.output_per_token = PerToken(b.output_per_mtok);
    if (b.cache_read_per_mtok > 0) p.cache_read_per_token = PerToken(b.cache_read_per_mtok);
    if (b.cache_write_per_mtok > 0) p.cache_write_per_token = PerToken(b.cache_write_per_mtok);
    if (b.tier_input_per_mtok > 0)
      p.tiers.push_back({200000, PerToken(b.tier_input_per_mtok), PerToken(b.tier_output_per_mtok)});
    p.max_input_tokens = b.max_input;
    p.max_output_tokens = b.max_output;
    entries_.push_back({b.key, p, "builtin"});
  }
}

Status PriceTable::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Config("LLMCTL_PRICING_FILE=\"" + path + "\" cannot be read");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Config("LLMCTL_PRICING_FILE=\"" + path +
                          "\" is not a JSON object in LiteLLM's model_prices_and_context_window.json format");
  for (auto& [key, v] : doc.items()) {
    if (key == "sample_spec" || !v.is_object()) continue;
    auto in_price = OptionalNumber(v, "input_cost_per_token");
    auto out_price = OptionalNumber(v, "output_cost_per_token");
    if (!in_price && !out_price) continue;  // image, audio, embedding-only entries
    ModelPrice p;
    p.input_per_token = in_price.value_or(0);
    p.output_per_token = out_price.value_or(0);
    p.cache_read_per_token = OptionalNumber(v, "cache_read_input_token_cost");
    p.cache_write_per_token = OptionalNumber(v, "cache_creation_input_token_cost");
    p.reasoning_per_token = OptionalNumber(v, "output_cost_per_reasoning_token");
    p.max_input_tokens = static_cast<int64_t>(OptionalNumber(v, "max_input_tokens").value_or(0));
    p.max_output_tokens = static_cast<int64_t>(OptionalNumber(v, "max_output_tokens").value_or(0));
    for (auto& [field, value] : v.items()) {
      bool is_input = false;
      int64_t threshold = 0;
      if (!value.is_number() || !ParseTierKey(field, &is_input, &threshold)) continue;
      auto tier = std::find_if(p.tiers.begin(), p.tiers.end(),
                               [&](const PriceTier& t) { return t.threshold_tokens == threshold; });
      if (tier == p.tiers.end()) {
        p.tiers.push_back({threshold, p.input_per_token, p.output_per_token});
        tier = p.tiers.end() - 1;
      }
      (is_input ? tier->input_per_token : tier->output_per_token) = value.get<double>();
    }
    std::sort(p.tiers.begin(), p.tiers.end(),
              [](const PriceTier& a, const PriceTier& b) { return a.threshold_tokens < b.threshold_tokens; });
    auto existing = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const Entry& e) { return e.key == key; });
    if (existing != entries_.end()) *existing = {key, p, "file"};
    else entries_.push_back({key, p, "file"});
  }
  return Status::Ok();
}

const PriceTable::Entry* PriceTable::Get(const std::string& key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

PriceLookup PriceTable::Find(const std::string& provider, const std::string& model) const {
  std::vector<std::string> candidates = {provider + "/" + model, model};
  // Dated snapshots (gpt-4o-mini-2024-07-18, claude-haiku-4-5-20251001) cost
  // what their alias costs.
  if (std::string alias = WithoutDateSuffix(model); alias != model) {
    candidates.push_back(provider + "/" + alias);
    candidates.push_back(alias);
  }
  for (const std::string& key : candidates)
    if (const Entry* e = Get(key)) return {e->price, e->source, e->key};
  return {UnknownModelPrice(), "unknown", ""};
}

std::vector<std::pair<std::string, PriceLookup>> PriceTable::List(const std::string& pattern) const {
  std::vector<std::pair<std::string, PriceLookup>> out;
  for (const Entry& e : entries_)
    if (pattern.empty() || e.key.find(pattern) != std::string::npos)
      out.push_back({e.key, {e.price, e.source, e.key}});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

Status LoadPriceTable(const std::string& pricing_file, PriceTable* out) {
  return pricing_file.empty() ? Status::Ok() : out->LoadFile(pricing_file);
}

int64_t CostNanos(const ModelPrice& price, const Usage& u, bool reasoning_in_output) {
  double in = price.input_per_token, out = price.output_per_token;
  for (const PriceTier& t : price.tiers)
    if (u.input_tokens > t.threshold_tokens) {
      in = t.input_per_token;
      out = t.output_per_token;
    }
  const int64_t cached = std::clamp<int64_t>(u.cached_input_tokens, 0, u.input_tokens);
  const int64_t written = std::clamp<int64_t>(u.cache_write_tokens, 0, u.input_tokens - cached);
  const int64_t plain_input = u.input_tokens - cached - written;
  double usd = plain_input * in;
  usd += cached * price.cache_read_per_token.value_or(in);
  usd += written * price.cache_write_per_token.value_or(in);
  const double reasoning_price = price.reasoning_per_token.value_or(out);
  if (reasoning_in_output) {
    const int64_t reasoning = std::clamp<int64_t>(u.reasoning_tokens, 0, u.output_tokens);
    usd += (u.output_tokens - reasoning) * out + reasoning * reasoning_price;
  } else {
    usd += u.output_tokens * out + u.reasoning_tokens * reasoning_price;
  }
  return UsdToNanosSaturating(usd);
}

}  // namespace llmctl
