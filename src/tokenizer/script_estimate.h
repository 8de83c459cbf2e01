// A token estimate for models whose tokenizer llmctl does not have
// (Anthropic, Gemini, unknown): per-script rates, so Chinese or Hindi text
// is not estimated as if it were English. Calibrated so that on every
// script of the calibration corpus the estimate is at least o200k_base's
// exact count (script_estimate.cc names the corpus).
#pragma once

#include <cstdint>
#include <string_view>

namespace llmctl {

// Estimated tokens of text; never less than 1 for non-empty text. Invalid
// UTF-8 bytes are counted as symbols.
int64_t EstimateScriptTokens(std::string_view text);

}  // namespace llmctl
