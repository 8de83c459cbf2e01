// Spotlighting: untrusted text (--data, an eval case's data) goes into the
// user turn between marker lines that carry a random boundary, and the
// system message gains one instruction naming that boundary. A document
// cannot close its own block because it cannot know the boundary, which is
// fresh for every call and never occurs inside the data.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace llmctl {

enum class SpotlightMode {
  kDelimit,   // the data verbatim between the markers
  kDatamark,  // also every run of whitespace replaced by U+02C6 "ˆ"
};

// "delimit" or "datamark"; false for anything else.
bool ParseSpotlightMode(std::string_view text, SpotlightMode* out);

struct SpotlightedData {
  std::string boundary;            // the random hex in every marker line
  std::string system_instruction;  // to append to the system message
  std::string user_block;          // to append to the user turn: every document in its markers
};

// Produces a boundary of 32 hex characters that occurs in none of `texts`
// (compared case-insensitively), drawing again until it does not.
// random_hex supplies candidates; by default the kernel's random source.
std::string NewBoundary(const std::vector<std::string_view>& texts,
                        const std::function<std::string()>& random_hex = nullptr);

// Wraps each document as
//   <<<DATA 1 BEGIN boundary>>>
//   ...text...
//   <<<DATA 1 END boundary>>>
// and writes the matching instruction. `also_avoid` are texts the boundary
// must not occur in besides the data (the prompt, the system message).
SpotlightedData Spotlight(const std::vector<std::string>& data, SpotlightMode mode,
                          const std::vector<std::string_view>& also_avoid = {});

// The datamark transform alone: each maximal run of Unicode white space
// (line breaks included) becomes one U+02C6.
std::string Datamark(std::string_view text);

}  // namespace llmctl
