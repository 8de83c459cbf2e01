#include "commands/call_flags.h"

#include <tuple>

#include "providers/provider_registry.h"

namespace llmctl {
namespace {

// The model a provider uses when none is named; empty when it has none.
// Read from the registry and the config file, so choosing it reads no key.
std::string DefaultModelFor(const std::string& provider, const Settings& s) {
  if (const ProviderInfo* info = FindBuiltinProvider(provider)) return std::string(info->default_model);
  auto it = s.endpoints.find(provider);
  return it == s.endpoints.end() ? std::string() : it->second.default_model;
}

}  // namespace

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
  return Status::Ok();
}

Status ChooseModel(const CallFlags& f, const Settings& s, ModelRef* out) {
  if (!f.provider.empty() && !IsKnownProvider(f.provider, s))
    return Status::Usage("--provider " + f.provider +
                         ": unknown provider; expected " + BuiltinProviderNames() + " or a configured endpoint");
  const std::string provider = f.provider.empty() ? s.provider : f.provider;
  std::string model_text = f.model;
  if (model_text.empty() && f.provider.empty()) model_text = s.model;
  if (!model_text.empty()) {
    Status st = ParseModelRef(model_text, provider, s, out);
    if (!st.ok()) return st;
    if (!f.provider.empty() && out->provider != f.provider)
      return Status::Usage("--provider " + f.provider + " conflicts with --model " + model_text);
    return Status::Ok();
  }
  const std::string model = DefaultModelFor(provider, s);
  if (model.empty())
    return Status::Config("provider " + provider +
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
      return Status::Usage("--fallback " + text + ": expected provider:model with a known provider");
    out->push_back(ref);
  }
  return Status::Ok();
}

}  // namespace llmctl
