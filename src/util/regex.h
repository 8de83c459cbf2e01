// Regular expressions that cannot crash or stall on hostile input: RE2
// matches in time linear in the text and never recurses per character, so a
// pattern like ^(.|\n)*$ over a long model answer is as safe as a short one.
// The syntax is RE2's (close to Perl/ECMAScript without backreferences or
// lookaround); a pattern outside it is a compile error, not a runtime one.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace re2 {
class RE2;
}

namespace llmctl {

struct RegexOptions {
  bool case_insensitive = false;
};

// A compiled pattern; immutable, so one may be shared between threads.
class Regex {
 public:
  // The compiled pattern, or nullptr with *error set to a one-line reason
  // (the pattern itself is not repeated in it).
  static std::shared_ptr<const Regex> Compile(std::string_view pattern, std::string* error,
                                              RegexOptions options = {});

  ~Regex();
  Regex(const Regex&) = delete;
  Regex& operator=(const Regex&) = delete;

  // Whether the pattern matches anywhere in text.
  bool Search(std::string_view text) const;
  // Whether the pattern matches the whole of text.
  bool FullMatch(std::string_view text) const;
  // Offset and length of the leftmost match, if any.
  struct Span {
    size_t offset = 0;
    size_t length = 0;
  };
  std::optional<Span> Find(std::string_view text) const;

  const std::string& pattern() const { return pattern_; }

 private:
  Regex(std::string pattern, std::unique_ptr<re2::RE2> re);
  std::string pattern_;
  std::unique_ptr<re2::RE2> re_;
};

}  // namespace llmctl
