// Masking of secrets for anything a person may see (dry runs, config-check):
// enough of the key to tell two keys apart, never enough to use it.
#pragma once

#include <string>
#include <string_view>

namespace llmctl {

// "sk-…abcd": the first 3 and last 4 characters around an ellipsis. A secret
// shorter than 12 characters is shown as "…" alone, because 7 revealed
// characters would be most of it.
std::string MaskSecret(std::string_view secret);

}  // namespace llmctl
