// JUnit XML for CI systems (Jenkins, GitLab, GitHub): one <testcase> per
// case run, with the failure messages, inside one <testsuite> per suite
// file (per model under test with --models). Everything written is XML-escaped and valid UTF-8,
// whatever the model answered, so one odd answer cannot make the whole report unreadable.
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "eval/runner.h"

namespace llmctl {

struct JUnitRun {
  std::string suite_name;  // the suite file
  std::string run_id;
  int64_t started_ms = 0;  // unix ms
  double wall_seconds = 0;
  int repeat = 1;
};

void WriteJUnit(const JUnitRun& run, const std::vector<CaseResult>& results, std::ostream& out);

// Text made safe for XML attributes and character data: markup characters
// escaped, invalid UTF-8 and characters XML 1.0 forbids replaced by U+FFFD.
std::string XmlEscape(const std::string& text);

}  // namespace llmctl
