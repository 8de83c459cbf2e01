// libFuzzer target: an eval suite file (JSONL cases, optional defaults line).
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <vector>

#include "eval/suite.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  llmctl::Suite suite;
  std::vector<std::string> errors;
  llmctl::ParseSuite(in, "fuzz.jsonl", &suite, &errors);
  return 0;
}
