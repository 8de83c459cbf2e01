#include "config/tags.h"

#include <algorithm>

#include "util/utf8.h"

namespace llmctl {
namespace {

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

void Insert(const std::pair<std::string, std::string>& tag, Tags* tags) {
  auto it = std::lower_bound(tags->begin(), tags->end(), tag.first,
                             [](const auto& t, const std::string& key) { return t.first < key; });
  if (it != tags->end() && it->first == tag.first) it->second = tag.second;
  else tags->insert(it, tag);
}

std::string TooMany() {
  return "more than " + std::to_string(kMaxTags) + " tags; keep the ones reports need";
}

}  // namespace

std::string WhyBadTagKey(const std::string& key) {
  if (key.empty()) return "the key is empty";
  if (key.size() > kMaxTagKeyBytes)
    return "the key is longer than " + std::to_string(kMaxTagKeyBytes) + " characters";
  for (char c : key)
    if (!IsKeyChar(c)) return "the key may hold only letters, digits, '_', '.' and '-'";
  return "";
}

std::string ParseTag(const std::string& text, std::pair<std::string, std::string>* out) {
  const auto eq = text.find('=');
  if (eq == std::string::npos) return "expected KEY=VALUE, e.g. ci_job=4711";
  std::string key = text.substr(0, eq), value = text.substr(eq + 1);
  if (std::string why = WhyBadTagKey(key); !why.empty()) return why;
  if (value.empty()) return "the value of " + key + " is empty";
  if (value.size() > kMaxTagValueBytes)
    return "the value of " + key + " is longer than " + std::to_string(kMaxTagValueBytes) +
           " bytes";
  if (FindInvalidUtf8(value)) return "the value of " + key + " is not valid UTF-8";
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f || c == ',')
      return "the value of " + key + " holds a comma or a control character";
  out->first = std::move(key);
  out->second = std::move(value);
  return "";
}

std::string ParseTagList(const std::string& text, Tags* out) {
  Tags tags;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    start = comma + 1;
    const auto b = item.find_first_not_of(" \t"), e = item.find_last_not_of(" \t");
    if (b == std::string::npos) continue;
    item = item.substr(b, e - b + 1);
    std::pair<std::string, std::string> tag;
    if (std::string why = ParseTag(item, &tag); !why.empty()) return "\"" + item + "\": " + why;
    for (const auto& t : tags)
      if (t.first == tag.first) return "the key " + tag.first + " is given twice";
    Insert(tag, &tags);
    if (tags.size() > kMaxTags) return TooMany();
  }
  *out = std::move(tags);
  return "";
}

std::string MergeTags(const Tags& over, Tags* base) {
  for (const auto& tag : over) Insert(tag, base);
  return base->size() > kMaxTags ? TooMany() : "";
}

}  // namespace llmctl
