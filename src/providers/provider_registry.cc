#include "providers/provider_registry.h"

#include "providers/anthropic.h"
#include "providers/gemini.h"
#include "providers/openai.h"

namespace llmctl {
namespace {

std::vector<ProviderInfo> MakeRegistry() {
  std::vector<ProviderInfo> r;
  r.push_back({"openai",
               ProviderKind::kOpenAI,
               "OPENAI_BASE_URL",
               "https://api.openai.com/v1",
               {"OPENAI_API_KEY"},
               "gpt-4o-mini",
               "max_completion_tokens",
               true,
               true,
               MakeOpenAICodec});
  r.push_back({"anthropic",
               ProviderKind::kAnthropic,
               "ANTHROPIC_BASE_URL",
               "https://api.anthropic.com",
               {"ANTHROPIC_API_KEY"},
               "claude-haiku-4-5",
               "max_completion_tokens",
               true,
               true,
               MakeAnthropicCodec});
  // Google's SDKs read GOOGLE_API_KEY first and GEMINI_API_KEY as an alias.
  r.push_back({"gemini",
               ProviderKind::kGemini,
               "GEMINI_BASE_URL",
               "https://generativelanguage.googleapis.com",
               {"GOOGLE_API_KEY", "GEMINI_API_KEY"},
               "gemini-2.5-flash",
               "max_completion_tokens",
               true,
               false,
               MakeGeminiCodec});
  r.push_back({"mock",
               ProviderKind::kMock,
               "",
               "",
               {},
               "mock-1",
               "max_completion_tokens",
               false,
               true,
               nullptr});
  return r;
}

// Configured endpoints speak the OpenAI protocol; whether they need a key
// depends on whether their section names api_key_env.
const ProviderInfo kCompatible{
    "", ProviderKind::kOpenAICompatible, "", "", {}, "", "max_tokens", true, true, MakeOpenAICodec};

}  // namespace

const std::vector<ProviderInfo>& BuiltinProviders() {
  static const std::vector<ProviderInfo> registry = MakeRegistry();
  return registry;
}

const ProviderInfo* FindBuiltinProvider(std::string_view name) {
  for (const ProviderInfo& p : BuiltinProviders())
    if (p.name == name) return &p;
  return nullptr;
}

const ProviderInfo& ProviderInfoFor(ProviderKind kind) {
  for (const ProviderInfo& p : BuiltinProviders())
    if (p.kind == kind) return p;
  return kCompatible;
}

std::string BuiltinProviderNames() {
  std::string names;
  for (const ProviderInfo& p : BuiltinProviders())
    names += (names.empty() ? "" : ", ") + std::string(p.name);
  return names;
}

}  // namespace llmctl
