#include "util/mask.h"

namespace llmctl {

std::string MaskSecret(std::string_view secret) {
  constexpr std::string_view kEllipsis = "\u2026";
  if (secret.size() < 12) return std::string(kEllipsis);
  std::string out(secret.substr(0, 3));
  out += kEllipsis;
  out += secret.substr(secret.size() - 4);
  return out;
}

}  // namespace llmctl
