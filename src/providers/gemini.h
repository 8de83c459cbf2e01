// The Google Gemini API protocol (generateContent and
// streamGenerateContent?alt=sse).
#pragma once

#include <memory>

#include "providers/codec.h"

namespace llmctl {

std::unique_ptr<ProtocolCodec> MakeGeminiCodec(const ProviderConfig& cfg);

}  // namespace llmctl
