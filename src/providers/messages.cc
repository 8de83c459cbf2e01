#include "providers/messages.h"

namespace llmctl {

std::optional<MessagesError> ParseMessages(const nlohmann::json& array, std::vector<Message>* out) {
  if (!array.is_array() || array.empty())
    return MessagesError{std::nullopt, "is not a non-empty array"};
  std::vector<Message> messages;
  for (size_t i = 0; i < array.size(); ++i) {
    const nlohmann::json& m = array[i];
    if (!m.is_object() || !m.contains("role") || !m.contains("content") || !m["role"].is_string() ||
        !m["content"].is_string())
      return MessagesError{i, "is not {\"role\": string, \"content\": string}"};
    std::string role = m["role"].get<std::string>();
    if (role != "system" && role != "developer" && role != "user" && role != "assistant")
      return MessagesError{
          i, "has role \"" + role + "\": expected system, developer, user or assistant"};
    messages.push_back({std::move(role), m["content"].get<std::string>()});
  }
  out->insert(out->end(), messages.begin(), messages.end());
  return std::nullopt;
}

void FoldSystemMessages(const std::vector<Message>& messages, std::string* system,
                        std::vector<Message>* turns) {
  for (const Message& m : messages) {
    if (m.role == "system" || m.role == "developer")
      *system += (system->empty() ? "" : "\n\n") + m.content;
    else turns->push_back(m);
  }
}

bool HasText(const std::vector<Message>& turns) {
  for (const Message& m : turns)
    if (m.content.find_first_not_of(" \t\r\n") != std::string::npos) return true;
  return false;
}

}  // namespace llmctl
