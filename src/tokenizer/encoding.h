// OpenAI's byte-level BPE encodings, exactly as tiktoken encodes them, for
// counting the tokens of text before it is sent. The rank tables are built
// into the binary, so the first count in a process costs no loading.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace llmctl {

enum class Encoding { kCl100kBase, kO200kBase };

// "cl100k_base" or "o200k_base".
std::string_view EncodingName(Encoding encoding);

// The token ids tiktoken's encode_ordinary() gives: special-token strings
// such as <|endoftext|> are ordinary text. Invalid UTF-8 is first replaced
// by U+FFFD the way a WHATWG decoder does (what a JavaScript or Python
// client would send after decoding such bytes).
std::vector<uint32_t> EncodeOrdinary(Encoding encoding, std::string_view text);

// The number of ids EncodeOrdinary() would return, without storing them.
int64_t CountTokens(Encoding encoding, std::string_view text);

}  // namespace llmctl
