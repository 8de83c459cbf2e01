// The Anthropic Messages protocol.
#pragma once

#include <memory>

#include "providers/codec.h"

namespace llmctl {

std::unique_ptr<ProtocolCodec> MakeAnthropicCodec(const ProviderConfig& cfg);

}  // namespace llmctl
