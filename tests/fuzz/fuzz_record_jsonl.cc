// libFuzzer target: the fast reader of call-record JSONL lines that reports
// use for files gathered from other machines. Every line of the input is
// parsed on its own, as ReadJsonlRecords does, and checked against
// nlohmann's validating parser: a line the fast reader accepts must be JSON.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include <nlohmann/json.hpp>

#include "records/record_line_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (true) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    llmctl::CallRecord record;
    if (llmctl::ParseRecordLine(line, &record).ok() && !nlohmann::json::accept(line)) std::abort();
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return 0;
}
