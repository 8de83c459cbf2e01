#include "util/stdout_color.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace llmctl {

bool StdoutWantsColor() {
  const char* no_color = std::getenv("NO_COLOR");
  if (no_color && *no_color) return false;
  const char* term = std::getenv("TERM");
  if (term && std::strcmp(term, "dumb") == 0) return false;
  return isatty(STDOUT_FILENO) == 1;
}

}  // namespace llmctl
