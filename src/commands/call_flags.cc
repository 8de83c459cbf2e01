#include "commands/call_flags.h"

#include <tuple>

#include <CLI/CLI.hpp>

#include "providers/provider_registry.h"

namespace llmctl {
namespace {

// The model a provider uses when none is named; empty when it has none.
// Read from the registry and the config file, so choosing it reads no key.
std::string DefaultModelFor(const std::string& provider, const Settings& s) {
  if (const ProviderInfo* info = FindBuiltinProvider(provider))
    return std::string(info->default_model);
  auto it = s.endpoints.find(provider);
  return it == s.endpoints.end() ? std::string() : it->second.default_model;
}

}  // namespace

void AddAttemptFlags(CLI::App* cmd, CallFlags* flags) {
  cmd->add_option("--timeout", flags->timeout,
                  "Per-attempt timeout in seconds (LLM_TIMEOUT_SECONDS)");
  // One value per --fallback, so the prompt after it is not taken as another.
  cmd->add_option("--fallback", flags->fallbacks,
                  "Fallback PROVIDER:MODEL, repeatable (LLM_FALLBACKS)")
      ->allow_extra_args(false);
}

Status LoadCallSettings(const CallFlags& f, const Environment& env, const std::string& config_path,
                        Settings* s) {
  Status loaded = LoadSettings(env, config_path, s);
  if (!loaded.ok()) return loaded;
  for (auto [var, value, flag] : {std::tuple{"LLM_MAX_TOKENS", &f.max_tokens, "--max-tokens"},
                                  std::tuple{"LLM_TEMPERATURE", &f.temperature, "--temperature"},
                                  std::tuple{"LLM_TIMEOUT_SECONDS", &f.timeout, "--timeout"}}) {
    if (!*value) continue;
    Status st = ApplySetting(var, **value, flag, SettingSource::kFlag, s);
    if (!st.ok()) return Status::Usage(st.message());
  }
  if (!f.cache.empty()) {
    Status st = ApplySetting("LLM_CACHE", f.cache, "--cache", SettingSource::kFlag, s);
    if (!st.ok()) return Status::Usage(st.message());
  }
  if (!f.user.empty()) s->user = f.user;
  Tags flagged;
  for (const std::string& text : f.tags) {
    std::pair<std::string, std::string> tag;
    if (std::string why = ParseTag(text, &tag); !why.empty())
      return Status::Usage("--tag " + text + ": " + why);
    for (const auto& t : flagged)
      if (t.first == tag.first)
        return Status::Usage("--tag " + text + ": the key " + tag.first + " is given twice");
    flagged.push_back(std::move(tag));
  }
  if (std::string why = MergeTags(flagged, &s->tags); !why.empty())
    return Status::Usage("--tag: " + why);
  return Status::Ok();
}

std::string KnownProviders(const Settings& s) {
  std::string names = BuiltinProviderNames();
  for (const auto& [name, ep] : s.endpoints) names += ", " + name;
  return names;
}

namespace {

// Model text for `provider`: a known "provider:" prefix names the provider;
// OpenAI fine-tunes ("ft:…") and tagged local models ("llama3.2:1b" on a
// declared endpoint) keep their colon; any other prefix is a mistyped
// provider.
Status ParseModelFor(const std::string& text, const std::string& provider, bool provider_chosen,
                     const Settings& s, const PriceTable& prices, const std::string& what,
                     ModelRef* out) {
  Status st = ParseModelRef(text, provider, s, out);
  if (!st.ok()) return st;
  const auto colon = text.find(':');
  const bool prefixed = colon != std::string::npos && IsKnownProvider(text.substr(0, colon), s);
  if (!prefixed && colon != std::string::npos && FindBuiltinProvider(provider) &&
      !text.starts_with("ft:"))
    return Status::Usage(what + " " + text + ": unknown provider \"" + text.substr(0, colon) +
                         "\"; known providers are " + KnownProviders(s) +
                         " (declare others as [providers.NAME] in the config file)");
  if (!prefixed && !provider_chosen) {
    if (auto owner = prices.ProviderOf(out->model); owner && IsKnownProvider(*owner, s))
      out->provider = *owner;
  }
  return Status::Ok();
}

}  // namespace

Status ChooseModel(const CallFlags& f, const Settings& s, const PriceTable& prices, ModelRef* out) {
  if (!f.provider.empty() && !IsKnownProvider(f.provider, s))
    return Status::Usage("--provider " + f.provider + ": unknown provider; expected " +
                         KnownProviders(s) +
                         " (declare others as [providers.NAME] in the config file)");
  const std::string provider = f.provider.empty() ? s.provider : f.provider;
  if (!f.model.empty()) {
    Status st = ParseModelFor(f.model, provider, !f.provider.empty(), s, prices, "--model", out);
    if (!st.ok()) return st;
    if (!f.provider.empty() && out->provider != f.provider)
      return Status::Usage("--provider " + f.provider + " conflicts with --model " + f.model);
    return Status::Ok();
  }
  if (!s.model.empty() && f.provider.empty()) {
    Status st = ParseModelFor(s.model, provider, s.sources.count("LLM_PROVIDER") > 0, s, prices,
                              "LLM_MODEL", out);
    if (!st.ok()) return Status::Config(st.message());
    return Status::Ok();
  }
  const std::string model = DefaultModelFor(provider, s);
  if (model.empty())
    return Status::Config(
        "provider " + provider +
        " has no default model: pass --model or set default_model in its config section");
  *out = {provider, model};
  return Status::Ok();
}

Status ChooseFallbacks(const CallFlags& f, const Settings& s, std::vector<ModelRef>* out) {
  *out = s.fallbacks;
  if (f.fallbacks.empty()) return Status::Ok();
  out->clear();
  for (const std::string& text : f.fallbacks) {
    const auto colon = text.find(':');
    ModelRef ref;
    if (colon == std::string::npos || !IsKnownProvider(text.substr(0, colon), s) ||
        !ParseModelRef(text, "", s, &ref).ok())
      return Status::Usage("--fallback " + text +
                           ": expected provider:model with a known provider");
    out->push_back(ref);
  }
  return Status::Ok();
}

}  // namespace llmctl
