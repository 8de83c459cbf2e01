// Pricing: what a model costs per token and how large its window is. The
// built-in table is generated at build time from a dated snapshot of
// LiteLLM's price map (data/model_prices.json); a file in the same format
// adds or overrides, and a declared endpoint may carry its own price.
// Costs are computed in nano-dollars so reports can sum them exactly.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "providers/chat.h"
#include "util/status.h"

namespace llmctl {

// A higher per-token price that applies to the whole request once its
// input exceeds threshold_tokens (LiteLLM's *_above_Nk_tokens keys).
struct PriceTier {
  int64_t threshold_tokens = 0;
  double input_per_token = 0;
  double output_per_token = 0;
};

struct ModelPrice {
  double input_per_token = 0;   // USD
  double output_per_token = 0;  // USD
  std::optional<double> cache_read_per_token;
  std::optional<double> cache_write_per_token;
  std::optional<double> reasoning_per_token;
  std::vector<PriceTier> tiers;   // ascending threshold
  int64_t max_input_tokens = 0;   // 0: unknown
  int64_t max_output_tokens = 0;  // 0: unknown
};

struct PriceLookup {
  ModelPrice price;
  std::string source;  // builtin | file | unknown
  std::string key;     // the table key that matched
};

// Documented conservative price for models llmctl does not know, so the
// cost guard errs on the side of refusing: $15 / M input, $75 / M output.
ModelPrice UnknownModelPrice();

class PriceTable {
 public:
  // The built-in table only.
  PriceTable();

  // Adds/overrides entries from a LiteLLM-format JSON file.
  Status LoadFile(const std::string& path);

  // Finds provider's model: exact key, "provider/model", then the model with
  // a trailing date snapshot removed. Unknown models get UnknownModelPrice().
  PriceLookup Find(const std::string& provider, const std::string& model) const;

  // All known keys matching a glob-ish substring (for `llmctl models`).
  std::vector<std::pair<std::string, PriceLookup>> List(const std::string& pattern) const;

  // The provider (LiteLLM's litellm_provider) of a model named alone, from
  // the table: "claude-haiku-4-5" -> anthropic, "gemini-2.5-flash" ->
  // gemini (its key is "gemini/gemini-2.5-flash"). nullopt when unknown.
  std::optional<std::string> ProviderOf(const std::string& model) const;

  // Every model of a declared endpoint costs this (0 for a free local
  // server), ahead of any table entry.
  void SetEndpointPrice(const std::string& provider, double input_per_token,
                        double output_per_token);

  // The date of the LiteLLM snapshot the built-in table was generated from.
  static const char* SnapshotDate();

 private:
  struct Entry {
    std::string key;
    ModelPrice price;
    std::string source;
    std::string provider;  // litellm_provider; empty when the file gives none
  };
  const Entry* Get(const std::string& key) const;
  std::vector<Entry> entries_;
  std::map<std::string, ModelPrice> endpoint_prices_;
};

// The built-in table plus pricing_file when it is non-empty. A file that
// cannot be read or parsed is a configuration error: the cost guard and the
// caps must not run on the wrong prices.
Status LoadPriceTable(const std::string& pricing_file, PriceTable* out);
// The same, plus the prices declared in [providers.NAME] blocks.
Status LoadPriceTable(const Settings& settings, PriceTable* out);

// Cost of a call from its actual usage. Cached input tokens are billed at
// the cache-read price and never also at the input price; reasoning tokens
// are inside output_tokens when reasoning_in_output (OpenAI) and extra
// otherwise (Gemini).
int64_t CostNanos(const ModelPrice& price, const Usage& usage, bool reasoning_in_output);

}  // namespace llmctl
