// An eval suite: JSONL, one case a line, with an optional first line
// {"defaults": {...}} merged into every case. The whole file is checked
// when it is loaded, every error reported as FILE:LINE, so a broken suite
// fails before anything is sent or paid for.
#pragma once

#include <cstdint>
#include <istream>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "eval/assertions.h"
#include "providers/chat.h"

namespace llmctl {

struct EvalCase {
  std::string id;
  int line = 0;                   // 1-based line in the suite file
  std::string system;             // templated
  std::vector<Message> messages;  // templated; the prompt becomes one user message
  std::vector<std::string> data;  // templated; untrusted documents, spotlighted like --data
  std::string model;              // "provider:model" or "model"; empty: the run's model
  std::optional<int64_t> max_tokens;
  std::optional<double> temperature;
  std::vector<Assertion> asserts;  // the defaults' first, then the case's own
  std::optional<int> repeat;       // runs of this case (overrides --repeat)
  // The least fraction of its runs that must pass for the case to pass
  // (a flaky model that is right 4 times in 5 passes at 0.8); unset: all.
  std::optional<double> threshold;
};

struct Suite {
  std::string name;  // the file as given
  std::vector<EvalCase> cases;
};

// Parses a suite. On errors, *errors holds "NAME:LINE: why" lines (all of
// them, up to a cap) and *suite is unusable.
void ParseSuite(std::istream& in, const std::string& name, Suite* suite,
                std::vector<std::string>* errors);

// Replaces every {{name}} (spaces inside the braces allowed) from vars.
// Returns "" or the error naming the first unknown variable.
std::string ApplyTemplate(const std::string& text, const std::map<std::string, std::string>& vars,
                          std::string* out);

}  // namespace llmctl
