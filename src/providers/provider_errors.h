// Turns what a provider says when it fails (an HTTP error response, or an
// error document inside a 200 stream) into a ProviderFailure the retry and
// fallback logic can act on. One tolerant reader covers every envelope:
// OpenAI and its imitators, Anthropic, Gemini, and bodies that are not JSON.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "providers/chat.h"
#include "providers/http_client.h"

namespace llmctl {

// Classifies a response whose status is not 2xx. `now` (seconds since the
// epoch) turns a Retry-After date into a wait.
ProviderFailure FailureFromHttpError(int status, const HttpHeaders& headers, std::string_view body,
                                     std::time_t now);

// Classifies an error document met after a 200 stream began, by its own code
// or type because the HTTP status no longer says anything.
ProviderFailure FailureFromStreamError(const nlohmann::json& payload);

// The server's wait hint in milliseconds: retry-after-ms, then Retry-After as
// seconds or as an HTTP date; at most a day, whatever the server claims.
std::optional<int64_t> RetryAfterFromHeaders(const HttpHeaders& headers, std::time_t now);

// text on one line: line breaks and tabs become spaces, runs of spaces
// collapse, ends are trimmed.
std::string OneLine(std::string_view text);

}  // namespace llmctl
