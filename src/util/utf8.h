// UTF-8 validation for prompts: providers reject invalid text with
// confusing errors, so it is refused before anything is sent.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace llmctl {

// Length (1 to 4) of the valid UTF-8 sequence text starts with, or 0 when
// it does not start with one (overlong forms and surrogates are invalid).
size_t ValidSequenceLength(std::string_view text);

// Byte offset of the first invalid sequence, or nullopt when text is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// text with each invalid sequence replaced by U+FFFD, one per maximal
// subpart, as the WHATWG (browser, Node.js) decoder does.
std::string ReplaceInvalidUtf8(std::string_view text);

// Number of code points (for token estimates); assumes valid UTF-8.
size_t CountCodePoints(std::string_view text);

}  // namespace llmctl
