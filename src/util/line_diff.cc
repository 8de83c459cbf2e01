#include "util/line_diff.h"

#include <algorithm>
#include <cstdint>
#include <vector>

namespace llmctl {
namespace {

constexpr size_t kContext = 3;
// The LCS table is (n+1)×(m+1) cells of the differing middle; past this many
// the middle is shown as removed and added as a whole.
constexpr size_t kMaxTableCells = 16u << 20;

struct Line {
  std::string text;
  bool newline = true;  // false: the last line of a text without a final newline
};

std::vector<Line> SplitLines(const std::string& text) {
  std::vector<Line> lines;
  size_t start = 0;
  while (start < text.size()) {
    const size_t nl = text.find('\n', start);
    if (nl == std::string::npos) {
      lines.push_back({text.substr(start), false});
      break;
    }
    lines.push_back({text.substr(start, nl - start), true});
    start = nl + 1;
  }
  return lines;
}

bool Same(const Line& a, const Line& b) { return a.text == b.text && a.newline == b.newline; }

enum class Op { kKeep, kRemove, kAdd };
struct Edit {
  Op op;
  size_t old_index, new_index;  // the line in its text (the other is where it would go)
};

std::vector<Edit> EditScript(const std::vector<Line>& a, const std::vector<Line>& b) {
  size_t prefix = 0;
  while (prefix < a.size() && prefix < b.size() && Same(a[prefix], b[prefix])) ++prefix;
  size_t suffix = 0;
  while (suffix < a.size() - prefix && suffix < b.size() - prefix &&
         Same(a[a.size() - 1 - suffix], b[b.size() - 1 - suffix]))
    ++suffix;
  const size_t n = a.size() - prefix - suffix, m = b.size() - prefix - suffix;
  std::vector<Edit> edits;
  for (size_t i = 0; i < prefix; ++i) edits.push_back({Op::kKeep, i, i});
  if ((n + 1) * (m + 1) <= kMaxTableCells) {
    // lcs[i][j]: the longest common subsequence of a[prefix+i..] and b[prefix+j..].
    std::vector<uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](size_t i, size_t j) -> uint32_t& { return lcs[i * (m + 1) + j]; };
    for (size_t i = n; i-- > 0;)
      for (size_t j = m; j-- > 0;)
        at(i, j) = Same(a[prefix + i], b[prefix + j]) ? at(i + 1, j + 1) + 1
                                                      : std::max(at(i + 1, j), at(i, j + 1));
    size_t i = 0, j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && Same(a[prefix + i], b[prefix + j])) {
        edits.push_back({Op::kKeep, prefix + i++, prefix + j++});
      } else if (j < m && (i == n || at(i, j + 1) > at(i + 1, j))) {
        edits.push_back({Op::kAdd, prefix + i, prefix + j++});
      } else {
        edits.push_back({Op::kRemove, prefix + i++, prefix + j});
      }
    }
  } else {
    for (size_t i = 0; i < n; ++i) edits.push_back({Op::kRemove, prefix + i, prefix});
    for (size_t j = 0; j < m; ++j) edits.push_back({Op::kAdd, prefix + n, prefix + j});
  }
  for (size_t k = 0; k < suffix; ++k) edits.push_back({Op::kKeep, prefix + n + k, prefix + m + k});
  return edits;
}

std::string Range(size_t start, size_t count) {
  // `diff -u` numbers lines from 1; an empty range names the line before it.
  if (count == 1) return std::to_string(start + 1);
  return std::to_string(count == 0 ? start : start + 1) + "," + std::to_string(count);
}

}  // namespace

std::string UnifiedDiff(const std::string& old_text, const std::string& new_text,
                        const DiffLabels& labels) {
  if (old_text == new_text) return "";
  const std::vector<Line> a = SplitLines(old_text), b = SplitLines(new_text);
  const std::vector<Edit> edits = EditScript(a, b);
  std::string out = "--- " + labels.old_label + "\n+++ " + labels.new_label + "\n";
  size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == Op::kKeep) ++k;
    if (k == edits.size()) break;
    // A hunk: from kContext lines before this change to kContext lines after
    // the last change that is no more than 2×kContext unchanged lines away.
    const size_t begin = k >= kContext ? k - kContext : 0;
    size_t end = k;
    size_t last_change = k;
    while (end < edits.size()) {
      if (edits[end].op != Op::kKeep) last_change = end;
      else if (end - last_change > 2 * kContext) break;
      ++end;
    }
    end = std::min(edits.size(), last_change + 1 + kContext);
    size_t old_count = 0, new_count = 0;
    for (size_t e = begin; e < end; ++e) {
      if (edits[e].op != Op::kAdd) ++old_count;
      if (edits[e].op != Op::kRemove) ++new_count;
    }
    out += "@@ -" + Range(edits[begin].old_index, old_count) + " +" +
           Range(edits[begin].new_index, new_count) + " @@\n";
    for (size_t e = begin; e < end; ++e) {
      const Line& line = edits[e].op == Op::kAdd ? b[edits[e].new_index] : a[edits[e].old_index];
      out += (edits[e].op == Op::kKeep  ? ' '
              : edits[e].op == Op::kAdd ? '+'
                                        : '-') +
             line.text + "\n";
      if (!line.newline) out += "\\ No newline at end of file\n";
    }
    k = end;
  }
  return out;
}

}  // namespace llmctl
