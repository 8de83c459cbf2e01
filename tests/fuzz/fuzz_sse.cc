// libFuzzer target: the event-stream parser, fed the input whole and again
// in small pieces, which must dispatch the same events (a network chunk may
// end anywhere, even inside a CR LF pair).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "providers/sse_parser.h"

namespace {

std::vector<std::string> Events(std::string_view bytes, size_t chunk) {
  std::vector<std::string> seen;
  llmctl::SseParser parser([&seen](const llmctl::SseEvent& e) {
    seen.push_back(e.event + '\0' + e.data + '\0' + e.id);
  });
  for (size_t at = 0; at < bytes.size(); at += chunk) parser.Feed(bytes.substr(at, chunk));
  parser.Finish();
  return seen;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto whole = Events(bytes, bytes.size() + 1);
  auto pieces = Events(bytes, 1 + size % 7);
  if (whole != pieces) std::abort();
  return 0;
}
