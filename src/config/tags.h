// Cost-attribution tags: KEY=VALUE pairs a caller attaches to its calls
// (a CI job id, a team, a feature) so reports can group and filter spend by
// them. Keys are short identifiers so they are safe inside a JSON path and
// a CSV header; values are short single-line text. Checked where they
// enter (a flag, LLMCTL_TAGS), so a record never holds a tag no report can
// select.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "util/status.h"

namespace llmctl {

using Tags = std::vector<std::pair<std::string, std::string>>;  // sorted by key, keys unique

constexpr size_t kMaxTagKeyBytes = 64;
constexpr size_t kMaxTagValueBytes = 256;
constexpr size_t kMaxTags = 16;

// "" or why key is not a tag key: 1 to 64 of A-Z a-z 0-9 _ . -
std::string WhyBadTagKey(const std::string& key);

// Parses one "KEY=VALUE". The value is 1 to 256 bytes of UTF-8 without
// control characters or commas (LLMCTL_TAGS separates tags with commas).
// Returns "" or why the text is not a tag.
std::string ParseTag(const std::string& text, std::pair<std::string, std::string>* out);

// Parses LLMCTL_TAGS ("KEY=VALUE,KEY=VALUE"); empty items are allowed
// (a trailing comma), a key given twice is not.
std::string ParseTagList(const std::string& text, Tags* out);

// Sets each of `over` on *base (replacing a tag of the same key), keeping
// base sorted. Returns "" or why the result holds too many tags.
std::string MergeTags(const Tags& over, Tags* base);

}  // namespace llmctl
