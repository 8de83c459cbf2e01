// The canonical form of a request: everything that can change the answer,
// as JSON with sorted keys. The prompt hash and the response-cache key both
// cover it, so they can never disagree about what "the same request" is.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "providers/chat.h"

namespace llmctl {

// {provider, model, system, messages, max_tokens, temperature, stop}.
nlohmann::json CanonicalRequest(const std::string& provider, const ChatRequest& request);

// The canonical JSON as one line of text (invalid UTF-8 replaced).
std::string CanonicalText(const nlohmann::json& canonical);

// The record's prompt_hash: HMAC-SHA256 under hash_key when one is set (so
// equal prompts cannot be guessed from the hash), SHA-256 otherwise.
std::string PromptHash(const nlohmann::json& canonical, const std::string& hash_key);

}  // namespace llmctl
