// The injection scanner: looks through the prompt and every piece of
// untrusted data, before anything is sent, for text that tries to steer the
// model: instruction-override phrasing, forged chat-template role markers,
// and invisible or direction-changing Unicode. It is a tripwire for common
// attacks, not a proof of safety: paraphrases and languages it does not know
// get through, which is why spotlighting and output checks exist beside it.
//
// Override phrasing is covered in English (several phrasings per rule) and,
// for the canonical "ignore the previous instructions" form only, in French,
// German, Spanish, Italian and Portuguese.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace llmctl {

struct InjectionFinding {
  std::string rule;     // e.g. override.ignore_previous, invisible.bidi, custom.3
  std::string where;    // "prompt", "data 2", ...
  size_t offset = 0;    // byte offset of the match in that text
  std::string excerpt;  // the matched span, invisibles escaped, at most 64 characters

  // `data 2 byte 1045: "\u{202E}"` — what a record's detail carries.
  std::string Detail() const;
};

// A user pattern from LLMCTL_INJECTION_PATTERNS_FILE: an RE2 regular
// expression and the line it came from, which names its rule (custom.LINE).
struct ExtraPattern {
  int line = 0;
  std::string regex;
};

struct InjectionScanOptions {
  // Texts shorter than this are first checked for the words each rule needs,
  // so a clean prompt compiles no regular expression at all; longer ones go
  // through all the rules in one combined pass.
  size_t prefilter_below = 64 * 1024;
};

class InjectionScanner {
 public:
  // Builds the scanner from the built-in rules plus `extra`. A pattern that
  // does not compile is a kConfig status naming its line. Built-in rules are
  // compiled on first use, and the scanner is safe to use from many threads.
  static Status Create(const std::vector<ExtraPattern>& extra,
                       std::unique_ptr<InjectionScanner>* out,
                       const InjectionScanOptions& options = InjectionScanOptions());
  ~InjectionScanner();

  // Every finding in `text`, in order of rule then offset; at most
  // kMaxFindingsPerRule per rule, so a hostile 32 MiB file cannot flood the record.
  std::vector<InjectionFinding> Scan(std::string_view text, std::string_view where) const;

  // How many regular expressions one scan runs (for the benchmark's comparison).
  size_t pattern_count() const;

  static constexpr size_t kMaxFindingsPerRule = 10;

 private:
  struct Impl;  // the compiled rules (RE2 types stay out of this header)
  InjectionScanner();
  std::unique_ptr<Impl> impl_;
};

// The matched span as a finding may quote it: control, invisible and
// direction-changing characters written as \u{XXXX}; cut to at most 64
// characters (the last one then "…").
std::string EscapeExcerpt(std::string_view span);

}  // namespace llmctl
