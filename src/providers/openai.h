// The OpenAI Chat Completions protocol, spoken by OpenAI itself
// (ProviderKind::kOpenAI) and by OpenAI-compatible servers such as Ollama,
// vLLM, llama.cpp, OpenRouter, Groq and Azure (kOpenAICompatible).
#pragma once

#include <memory>

#include "providers/codec.h"

namespace llmctl {

std::unique_ptr<ProtocolCodec> MakeOpenAICodec(const ProviderConfig& cfg);

}  // namespace llmctl
