// libFuzzer target: the fast reader of call-record JSONL lines that reports
// use for files gathered from other machines. Every line of the input is
// parsed on its own, as ReadJsonlRecords does.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "records/record_source.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view rest(reinterpret_cast<const char*>(data), size);
  while (true) {
    size_t eol = rest.find('\n');
    llmctl::CallRecord record;
    (void)llmctl::ParseRecordLine(rest.substr(0, eol), &record);
    if (eol == std::string_view::npos) break;
    rest.remove_prefix(eol + 1);
  }
  return 0;
}
