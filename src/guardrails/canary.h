// The canary: a random word placed in the system message. The model has no
// reason ever to say it, so an answer that contains it has repeated the
// system message — the usual first step of a prompt-extraction attack.
#pragma once

#include <string>
#include <string_view>

namespace llmctl {

struct Canary {
  std::string word;  // 20 random hex characters, fresh for every call

  // The line that goes at the top of the system message.
  std::string SystemLine() const;

  // Whether `answer` contains the word, in any letter case.
  bool LeakedIn(std::string_view answer) const;
};

Canary NewCanary();

}  // namespace llmctl
