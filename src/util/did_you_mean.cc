#include "util/did_you_mean.h"

#include <algorithm>
#include <cctype>

namespace llmctl {
namespace {

size_t EditDistance(const std::string& a, const std::string& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                        std::tolower(static_cast<unsigned char>(b[j - 1]));
      const size_t next = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (same ? 0 : 1)});
      diagonal = row[j];
      row[j] = next;
    }
  }
  return row[b.size()];
}

}  // namespace

std::string ClosestMatch(const std::string& typed, const std::vector<std::string>& candidates,
                         size_t max_distance) {
  const size_t allowed = max_distance ? max_distance : std::clamp<size_t>(typed.size() / 3, 1, 3);
  std::string best;
  size_t best_distance = allowed + 1;
  for (const std::string& c : candidates) {
    const size_t d = EditDistance(typed, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
}

std::string DidYouMean(const std::string& typed, const std::vector<std::string>& candidates) {
  const std::string best = ClosestMatch(typed, candidates);
  return best.empty() ? "" : "; did you mean " + best + "?";
}

}  // namespace llmctl
