#include <memory>

#include "providers/anthropic.h"
#include "providers/gemini.h"
#include "providers/http_provider.h"
#include "providers/mock.h"
#include "providers/openai.h"
#include "providers/provider.h"

namespace llmctl {

std::unique_ptr<Provider> MakeProvider(const ProviderConfig& cfg) {
  switch (cfg.kind) {
    case ProviderKind::kOpenAI:
    case ProviderKind::kOpenAICompatible:
      return std::make_unique<HttpProvider>(cfg, MakeOpenAICodec(cfg));
    case ProviderKind::kAnthropic:
      return std::make_unique<HttpProvider>(cfg, MakeAnthropicCodec(cfg));
    case ProviderKind::kGemini:
      return std::make_unique<HttpProvider>(cfg, MakeGeminiCodec(cfg));
    case ProviderKind::kMock:
      break;
  }
  return MakeMockProvider(cfg);
}

}  // namespace llmctl
