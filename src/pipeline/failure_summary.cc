#include "pipeline/failure_summary.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "providers/provider_registry.h"

namespace llmctl {
namespace {

// "openai:gpt-4o-mini (HTTP 500 provider_error)", one per provider
// contacted, in the order tried; a provider retried shows its last failure.
std::vector<std::pair<std::string, std::string>> TriedProviders(
    const std::vector<Attempt>& attempts) {
  std::vector<std::pair<std::string, std::string>> tried;
  for (const Attempt& a : attempts) {
    const auto type = ParseErrorType(a.error_type);
    if (type == ErrorType::kSkipped || type == ErrorType::kNone) continue;
    std::string how =
        a.status ? "HTTP " + std::to_string(a.status) + " " + a.error_type : a.error_type;
    auto it = std::find_if(tried.begin(), tried.end(),
                           [&](const auto& t) { return t.first == a.provider; });
    if (it == tried.end()) tried.push_back({a.provider, how});
    else it->second = how;
  }
  return tried;
}

}  // namespace

std::string KeyVariablesOf(const ProviderConfig& cfg) {
  if (cfg.kind == ProviderKind::kOpenAICompatible) return cfg.api_key_env;
  std::string vars;
  for (std::string_view v : ProviderInfoFor(cfg.kind).key_variables)
    vars += (vars.empty() ? "" : " or ") + std::string(v);
  return vars;
}

Status FailedCallStatus(const Status& last, const std::vector<Attempt>& attempts,
                        const std::vector<ProviderConfig>& chain) {
  if (last.code() != StatusCode::kProvider) return last;
  const auto tried = TriedProviders(attempts);
  if (tried.empty()) return last;
  const bool all_auth = std::all_of(attempts.begin(), attempts.end(), [](const Attempt& a) {
    const auto type = ParseErrorType(a.error_type);
    return type == ErrorType::kAuth || type == ErrorType::kSkipped;
  });
  if (all_auth) {
    std::string line = "authentication failed: ";
    std::string fix;
    for (size_t i = 0; i < tried.size(); ++i) {
      line += (i ? ", " : "") + tried[i].first + " rejected its key (" + tried[i].second + ")";
      auto cfg = std::find_if(chain.begin(), chain.end(),
                              [&](const ProviderConfig& c) { return c.name == tried[i].first; });
      const std::string vars = cfg == chain.end() ? "" : KeyVariablesOf(*cfg);
      if (!vars.empty()) fix += (fix.empty() ? "" : "; ") + vars + " for " + tried[i].first;
    }
    return Status::Config(line + "; set a valid key in " +
                          (fix.empty() ? "the provider's key variable" : fix) +
                          " (check it is current and has access to the model). " + last.message());
  }
  if (tried.size() < 2) return last;
  std::string names;
  for (const auto& [provider, how] : tried)
    names += (names.empty() ? "" : ", ") + provider + " (" + how + ")";
  return Status::Provider("every provider failed: " + names + "; last: " + last.message());
}

void NoteFallbackAnswer(const std::vector<Attempt>& attempts) {
  if (attempts.empty()) return;
  const Attempt& served = attempts.back();
  std::string failed;
  for (const auto& [provider, how] : TriedProviders(attempts))
    if (provider != served.provider)
      failed += (failed.empty() ? "" : ", ") + provider + " (" + how + ")";
  spdlog::warn("answered by fallback {}:{} after {} failed", served.provider, served.model,
               failed.empty() ? "the primary" : failed);
}

}  // namespace llmctl
