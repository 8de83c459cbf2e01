#include "providers/finish_reason.h"

namespace llmctl {

std::string NormaliseFinishReason(std::string_view raw, bool has_text, FinishTable table) {
  for (const auto& [from, to] : table)
    if (raw == from) return std::string(to);
  if (raw == "error" || raw == "abort") return "error";
  return has_text ? "stop" : "error";
}

}  // namespace llmctl
