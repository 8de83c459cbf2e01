// "did you mean" suggestions for mistyped names (config keys, variables,
// commands): the closest candidate by edit distance, when it is close.
#pragma once

#include <string>
#include <vector>

namespace llmctl {

// The candidate nearest to `typed` (case-insensitive Levenshtein distance),
// when the distance is at most max_distance, by default a third of its
// length (at least 1, at most 3); empty otherwise.
std::string ClosestMatch(const std::string& typed, const std::vector<std::string>& candidates,
                         size_t max_distance = 0);

// "; did you mean NAME?" for the closest candidate, or "" when none is close.
std::string DidYouMean(const std::string& typed, const std::vector<std::string>& candidates);

}  // namespace llmctl
