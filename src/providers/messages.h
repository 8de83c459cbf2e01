// Chat messages as users write them: a JSON array of {"role", "content"}
// in OpenAI form (`complete --messages`, eval suites). One reader and one
// rule for system messages, so both accept and refuse exactly the same.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "providers/chat.h"

namespace llmctl {

// What is wrong with a messages array: index is the bad element (none when
// the array itself is wrong: not an array, or empty), problem says what,
// e.g. `has role "tool": expected system, developer, user or assistant`.
struct MessagesError {
  std::optional<size_t> index;
  std::string problem;
};

// Reads a non-empty array whose every element is an object with a string
// role (system, developer, user or assistant) and a string content.
std::optional<MessagesError> ParseMessages(const nlohmann::json& array, std::vector<Message>* out);

// System and developer messages join *system (after what it holds,
// separated by blank lines), since every protocol takes a system prompt;
// the other turns go to *turns in order.
void FoldSystemMessages(const std::vector<Message>& messages, std::string* system,
                        std::vector<Message>* turns);

// True when some turn has more than whitespace: an empty prompt is refused
// before anything is sent.
bool HasText(const std::vector<Message>& turns);

}  // namespace llmctl
