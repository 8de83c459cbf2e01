// The provider registry: everything llmctl knows about each provider in one
// table (its name, where it lives, which variables hold its key, its default
// model, how it counts reasoning tokens and which codec speaks its wire
// protocol). Settings, config-check, the factory and every message listing
// providers read it, so adding a provider is one entry plus its codec.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "providers/codec.h"
#include "providers/provider.h"

namespace llmctl {

struct ProviderInfo {
  // What -p/--provider and LLM_PROVIDER accept; empty for the protocol entry
  // that [providers.NAME] endpoints from the config file use.
  std::string_view name;
  ProviderKind kind;
  std::string_view base_url_variable;  // empty: not configurable
  std::string_view default_base_url;
  // Tried in order; each also accepted as VAR_FILE naming a file holding it.
  std::vector<std::string_view> key_variables;
  std::string_view default_model;
  std::string_view max_tokens_field;  // OpenAI protocol only
  bool needs_key = true;
  // OpenAI-protocol and Anthropic providers count reasoning inside the
  // output tokens; Gemini reports it beside them, billed at the output rate.
  bool reasoning_in_output = true;
  // Builds the codec for an HTTP provider; null for the offline mock.
  std::unique_ptr<ProtocolCodec> (*make_codec)(const ProviderConfig& cfg) = nullptr;
};

// The built-in providers, in the order messages list them.
const std::vector<ProviderInfo>& BuiltinProviders();

// The built-in provider called name, or null.
const ProviderInfo* FindBuiltinProvider(std::string_view name);

// The entry describing a config's protocol (built-in or configured endpoint).
const ProviderInfo& ProviderInfoFor(ProviderKind kind);

// "openai, anthropic, gemini, mock": the built-in names for messages.
std::string BuiltinProviderNames();

}  // namespace llmctl
