// The offline provider: deterministic answers at zero cost, no key, no
// network. It exists so the whole pipeline can be tried and tested anywhere.
#pragma once

#include <memory>

#include "providers/provider.h"

namespace llmctl {

std::unique_ptr<Provider> MakeMockProvider(const ProviderConfig& cfg);

}  // namespace llmctl
