#include "util/process_clock.h"

#include <chrono>

namespace llmctl {
namespace {

// Initialised during static initialisation, before main runs.
const auto kProcessStart = std::chrono::steady_clock::now();

}  // namespace

double MsSinceProcessStart() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - kProcessStart)
      .count();
}

}  // namespace llmctl
