#include "guardrails/pricing.h"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <iterator>
#include <string_view>

#include <nlohmann/json.hpp>

#include "records/money.h"

namespace llmctl {
namespace {

// One row of the table generated from data/model_prices.json; -1 marks a
// price the snapshot does not give.
struct GeneratedPrice {
  const char* key;
  const char* provider;                                      // litellm_provider
  double input, output, cache_read, cache_write, reasoning;  // USD per token
  int64_t max_input, max_output;
  int64_t tier_threshold;  // 0: no tier
  double tier_input, tier_output;
};

#include "builtin_prices.inc"

std::optional<double> Given(double v) { return v < 0 ? std::nullopt : std::optional<double>(v); }

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
  if (m.size() > 11 && m[m.size() - 11] == '-' && m[m.size() - 6] == '-' &&
      m[m.size() - 3] == '-' && AllDigits(m.substr(m.size() - 10, 4)) &&
      AllDigits(m.substr(m.size() - 5, 2)) && AllDigits(m.substr(m.size() - 2)))
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
  entries_.reserve(std::size(kGeneratedPrices) + 1);
  // The offline mock is llmctl's own and free.
  ModelPrice mock;
  mock.max_input_tokens = mock.max_output_tokens = 1'000'000;
  entries_.push_back({"mock-1", mock, "builtin", "mock"});
  for (const GeneratedPrice& g : kGeneratedPrices) {
    ModelPrice p;
    p.input_per_token = g.input;
    p.output_per_token = g.output;
    p.cache_read_per_token = Given(g.cache_read);
    p.cache_write_per_token = Given(g.cache_write);
    p.reasoning_per_token = Given(g.reasoning);
    if (g.tier_threshold > 0) p.tiers.push_back({g.tier_threshold, g.tier_input, g.tier_output});
    p.max_input_tokens = g.max_input;
    p.max_output_tokens = g.max_output;
    entries_.push_back({g.key, p, "builtin", g.provider});
  }
}

const char* PriceTable::SnapshotDate() { return kPricesSnapshotDate; }

void PriceTable::SetEndpointPrice(const std::string& provider, double input_per_token,
                                  double output_per_token) {
  ModelPrice p;
  p.input_per_token = input_per_token;
  p.output_per_token = output_per_token;
  endpoint_prices_[provider] = p;
}

std::optional<std::string> PriceTable::ProviderOf(const std::string& model) const {
  std::vector<std::string> names = {model};
  if (std::string alias = WithoutDateSuffix(model); alias != model) names.push_back(alias);
  for (const std::string& name : names)
    for (const Entry& e : entries_) {
      if (e.provider.empty()) continue;
      const std::string_view key = e.key;
      if (key == name ||
          (key.size() == e.provider.size() + 1 + name.size() && key.starts_with(e.provider) &&
           key[e.provider.size()] == '/' && key.ends_with(name)))
        return e.provider;
    }
  return std::nullopt;
}

Status PriceTable::LoadFile(const std::string& path) {
  std::ifstream in(path);
  if (!in) return Status::Config("LLMCTL_PRICING_FILE=\"" + path + "\" cannot be read");
  nlohmann::json doc = nlohmann::json::parse(in, nullptr, false);
  if (doc.is_discarded() || !doc.is_object())
    return Status::Config(
        "LLMCTL_PRICING_FILE=\"" + path +
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
    std::sort(p.tiers.begin(), p.tiers.end(), [](const PriceTier& a, const PriceTier& b) {
      return a.threshold_tokens < b.threshold_tokens;
    });
    const std::string& name = key;  // a structured binding cannot be captured before clang 16
    auto existing = std::find_if(entries_.begin(), entries_.end(),
                                 [&](const Entry& e) { return e.key == name; });
    std::string provider = v.value("litellm_provider", std::string());
    if (existing != entries_.end()) *existing = {key, p, "file", provider};
    else entries_.push_back({key, p, "file", provider});
  }
  return Status::Ok();
}

const PriceTable::Entry* PriceTable::Get(const std::string& key) const {
  for (const Entry& e : entries_)
    if (e.key == key) return &e;
  return nullptr;
}

PriceLookup PriceTable::Find(const std::string& provider, const std::string& model) const {
  // A declared endpoint's own price wins over a table entry of the same
  // model name: llama3.2 on a local server is not llama3.2 elsewhere.
  if (auto it = endpoint_prices_.find(provider); it != endpoint_prices_.end())
    return {it->second, "file", provider + "/*"};
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

std::vector<std::pair<std::string, PriceLookup>> PriceTable::List(
    const std::string& pattern) const {
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

Status LoadPriceTable(const Settings& settings, PriceTable* out) {
  Status st = LoadPriceTable(settings.pricing_file, out);
  if (!st.ok()) return st;
  for (const auto& [name, ep] : settings.endpoints)
    if (ep.input_cost_per_token || ep.output_cost_per_token)
      out->SetEndpointPrice(name, ep.input_cost_per_token.value_or(0),
                            ep.output_cost_per_token.value_or(0));
  return Status::Ok();
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
