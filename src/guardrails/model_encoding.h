// Which tokenizer a model counts with, kept beside the price table: OpenAI
// models map to their published BPE encoding (tiktoken's own model table),
// every other model to none, so its tokens are estimated.
#pragma once

#include <optional>
#include <string_view>

#include "tokenizer/encoding.h"

namespace llmctl {

// The encoding of model (a leading "provider/" is ignored), or nullopt when
// llmctl cannot count that model's tokens exactly.
std::optional<Encoding> EncodingForModel(std::string_view model);

}  // namespace llmctl
