// CLI11 checks that hold numeric flags to the strict number syntax of
// util/strict_number.h. CLI11's own conversion reads "nan", "0x10" and
// " 5"; these run on the text first, so such a value is a usage error
// naming the flag (exit 2) instead of a silently different number.
#pragma once

#include <CLI/CLI.hpp>

namespace llmctl {

// Any finite decimal number.
CLI::Validator StrictNumberFlag();

// A whole decimal number.
CLI::Validator StrictIntegerFlag();

}  // namespace llmctl
