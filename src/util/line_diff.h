// A unified diff of two texts, line by line (the format of `diff -u`), for
// showing how an answer changed.
#pragma once

#include <string>

namespace llmctl {

struct DiffLabels {
  std::string old_label = "old";
  std::string new_label = "new";
};

// The unified diff from old_text to new_text with 3 lines of context, or ""
// when they are equal. Lines are compared whole; a text without a final
// newline is marked as `diff` marks it. Texts of more than a few thousand
// changed lines fall back to one hunk replacing the differing middle,
// which stays correct, only less fine-grained.
std::string UnifiedDiff(const std::string& old_text, const std::string& new_text,
                        const DiffLabels& labels = {});

}  // namespace llmctl
