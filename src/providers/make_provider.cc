#include <memory>

#include "providers/http_provider.h"
#include "providers/mock.h"
#include "providers/provider.h"
#include "providers/provider_registry.h"

namespace llmctl {

std::unique_ptr<Provider> MakeProvider(const ProviderConfig& cfg) {
  const ProviderInfo& info = ProviderInfoFor(cfg.kind);
  if (!info.make_codec) return MakeMockProvider(cfg);
  return std::make_unique<HttpProvider>(cfg, info.make_codec(cfg));
}

}  // namespace llmctl
