// libFuzzer target: what a failing provider sends back. Input layout: the
// first byte picks the HTTP status (400-655), then header lines
// "Name: value" up to a blank line, then the body. The body is also read as
// an error document inside a stream when it is JSON.
#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "providers/provider_errors.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const int status = 400 + data[0];
  std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
  llmctl::HttpHeaders headers;
  while (!rest.empty()) {
    size_t eol = rest.find('\n');
    std::string_view line = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (line.empty()) break;
    size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
    headers.Set(line.substr(0, colon), std::string(value));
  }
  const std::time_t now = 1767225600;  // a fixed clock keeps runs reproducible
  llmctl::FailureFromHttpError(status, headers, rest, now);
  llmctl::RetryAfterFromHeaders(headers, now);
  llmctl::OneLine(rest);
  auto doc = nlohmann::json::parse(rest, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_discarded()) llmctl::FailureFromStreamError(doc);
  return 0;
}
