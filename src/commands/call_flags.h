// The flags `complete` and `eval` share for shaping a call (-m, -p, -u,
// --max-tokens, --temperature, --timeout, --fallback, --cache), and how they
// combine with the settings: flag > environment > config file > default.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "config/settings.h"
#include "guardrails/pricing.h"
#include "util/status.h"

namespace CLI {
class App;
}

namespace llmctl {

struct CallFlags {
  std::string model, provider, user, cache;
  std::optional<std::string> max_tokens, temperature, timeout;
  std::vector<std::string> fallbacks;
  std::vector<std::string> tags;  // --tag KEY=VALUE, over LLMCTL_TAGS
};

// Adds --timeout and --fallback, which read the same for every command
// that makes calls.
void AddAttemptFlags(CLI::App* cmd, CallFlags* flags);

// Loads the settings from env and the config file, then applies the flags
// over them; a bad flag value is a usage error naming the flag.
Status LoadCallSettings(const CallFlags& flags, const Environment& env,
                        const std::string& config_path, Settings* settings);

// provider:model from -p/-m, then LLM_PROVIDER/LLM_MODEL (LLM_MODEL belongs
// to LLM_PROVIDER: -p alone picks that provider's default model). A model
// named alone picks its provider from the price table (-m claude-haiku-4-5
// -> anthropic) unless -p (or, for LLM_MODEL, LLM_PROVIDER) says otherwise;
// an unknown "prefix:" on a built-in provider is a usage error naming the
// known providers.
Status ChooseModel(const CallFlags& flags, const Settings& settings, const PriceTable& prices,
                   ModelRef* out);

// Names every provider this configuration knows, for error messages.
std::string KnownProviders(const Settings& settings);

// The fallback chain: --fallback (which replaces LLM_FALLBACKS) or the setting.
Status ChooseFallbacks(const CallFlags& flags, const Settings& settings,
                       std::vector<ModelRef>* out);

}  // namespace llmctl
