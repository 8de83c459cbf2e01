#include "util/regex.h"

#include <re2/re2.h>

#include <utility>

namespace llmctl {

Regex::Regex(std::string pattern, std::unique_ptr<re2::RE2> re)
    : pattern_(std::move(pattern)), re_(std::move(re)) {}

Regex::~Regex() = default;

std::shared_ptr<const Regex> Regex::Compile(std::string_view pattern, std::string* error,
                                            RegexOptions options) {
  re2::RE2::Options o;
  o.set_log_errors(false);  // the caller reports the error in its own words
  o.set_case_sensitive(!options.case_insensitive);
  auto re = std::make_unique<re2::RE2>(re2::StringPiece(pattern.data(), pattern.size()), o);
  if (!re->ok()) {
    if (error) *error = re->error();
    return nullptr;
  }
  return std::shared_ptr<const Regex>(new Regex(std::string(pattern), std::move(re)));
}

bool Regex::Search(std::string_view text) const {
  return re2::RE2::PartialMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

bool Regex::FullMatch(std::string_view text) const {
  return re2::RE2::FullMatch(re2::StringPiece(text.data(), text.size()), *re_);
}

std::optional<Regex::Span> Regex::Find(std::string_view text) const {
  re2::StringPiece whole(text.data(), text.size()), match;
  if (!re_->Match(whole, 0, whole.size(), re2::RE2::UNANCHORED, &match, 1)) return std::nullopt;
  return Span{static_cast<size_t>(match.data() - text.data()), match.size()};
}

}  // namespace llmctl
