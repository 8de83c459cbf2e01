// `llmctl models [PATTERN]`: what llmctl believes a model costs and how large
// its window is (built-in table plus LLMCTL_PRICING_FILE).
#include <cstdio>
#include <iostream>
#include <memory>

#include <nlohmann/json.hpp>

#include "commands/command.h"
#include "config/settings.h"
#include "guardrails/pricing.h"

namespace llmctl {
namespace {

struct ModelsOptions {
  std::string pattern;
  bool json = false;
};

nlohmann::json OptionalPerMillion(const std::optional<double>& v) {
  return v ? nlohmann::json(*v * 1e6) : nlohmann::json();
}

Status RunModels(const ModelsOptions& o, const GlobalOptions& g) {
  Settings s;
  Status st = LoadSettings(ProcessEnvironment(), g.config_path, &s);
  if (!st.ok()) return st;
  PriceTable table;
  st = LoadPriceTable(s, &table);
  if (!st.ok()) return st;
  auto rows = table.List(o.pattern);
  if (o.json) {
    nlohmann::json models = nlohmann::json::array();
    for (const auto& [key, p] : rows)
      models.push_back(
          {{"model", key},
           {"source", p.source},
           {"input_usd_per_mtok", p.price.input_per_token * 1e6},
           {"output_usd_per_mtok", p.price.output_per_token * 1e6},
           {"cache_read_usd_per_mtok", OptionalPerMillion(p.price.cache_read_per_token)},
           {"cache_write_usd_per_mtok", OptionalPerMillion(p.price.cache_write_per_token)},
           {"reasoning_usd_per_mtok", OptionalPerMillion(p.price.reasoning_per_token)},
           {"max_input_tokens", p.price.max_input_tokens},
           {"max_output_tokens", p.price.max_output_tokens}});
    const nlohmann::json out = {
        {"snapshot_date", PriceTable::SnapshotDate()},
        {"snapshot_source", "LiteLLM model_prices_and_context_window.json"},
        {"pricing_file",
         s.pricing_file.empty() ? nlohmann::json() : nlohmann::json(s.pricing_file)},
        {"models", models}};
    std::cout << out.dump(2) << std::endl;
    return Status::Ok();
  }
  if (rows.empty()) {
    std::printf(
        "no model matches \"%s\"; unknown models are priced at $15 in / $75 out per million tokens\n",
        o.pattern.c_str());
    return Status::Ok();
  }
  std::printf("%-36s %-8s %12s %12s %12s %10s %10s\n", "MODEL", "SOURCE", "IN $/MTOK", "OUT $/MTOK",
              "CACHED $/MTOK", "WINDOW", "MAX OUT");
  for (const auto& [key, p] : rows) {
    char cached[32] = "-";
    if (p.price.cache_read_per_token)
      std::snprintf(cached, sizeof cached, "%.4f", *p.price.cache_read_per_token * 1e6);
    std::printf("%-36s %-8s %12.4f %12.4f %13s %10lld %10lld\n", key.c_str(), p.source.c_str(),
                p.price.input_per_token * 1e6, p.price.output_per_token * 1e6, cached,
                static_cast<long long>(p.price.max_input_tokens),
                static_cast<long long>(p.price.max_output_tokens));
  }
  std::printf("\nbuilt-in prices: LiteLLM snapshot of %s%s%s\n", PriceTable::SnapshotDate(),
              s.pricing_file.empty() ? "" : "; overridden by ", s.pricing_file.c_str());
  return Status::Ok();
}

}  // namespace

void AddModelsCommand(CLI::App& app, CommandContext& ctx) {
  auto o = std::make_shared<ModelsOptions>();
  CLI::App* cmd = app.add_subcommand("models", "Show known models with prices and context windows");
  cmd->add_option("pattern", o->pattern, "Only models whose name contains PATTERN");
  cmd->add_flag("--json", o->json, "Print as JSON");
  cmd->callback([o, &ctx] { ctx.run = [o, &ctx] { return RunModels(*o, ctx.globals); }; });
}

}  // namespace llmctl
