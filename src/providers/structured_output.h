// How each protocol asks for an answer that follows a JSON Schema. Every
// provider accepts a different subset of JSON Schema and rejects the rest
// with a 400, so each gets a copy cut down to what it honours; the full
// schema is still checked locally on the answer.
#pragma once

#include <nlohmann/json.hpp>

namespace llmctl {

// OpenAI `response_format`: json_schema, strict when the schema already
// meets strict mode's rules (every object closed with additionalProperties
// false and all its properties required, no keyword strict mode refuses);
// otherwise strict false, where the schema guides but is not enforced.
nlohmann::json OpenAIResponseFormat(const nlohmann::json& schema);
bool OpenAIStrictCompatible(const nlohmann::json& schema);

// Anthropic `output_config`: format json_schema. Its structured outputs
// require every object closed and ignore no unknown constraint, so numeric,
// length and count bounds are dropped and objects closed.
nlohmann::json AnthropicOutputConfig(const nlohmann::json& schema);

// Gemini `responseJsonSchema` (with responseMimeType application/json):
// only the keywords Gemini honours are kept; draft-7 `definitions` become
// `$defs` with their references rewritten.
nlohmann::json GeminiResponseJsonSchema(const nlohmann::json& schema);

}  // namespace llmctl
