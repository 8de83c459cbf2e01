// A thin wrapper over one libcurl easy transfer. It knows nothing about any
// provider: it sends bytes, reports the status, headers and body, and turns
// transport failures into the record's error vocabulary.
#pragma once

#include <atomic>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "providers/error_type.h"

namespace llmctl {

struct HttpRequest {
  std::string method = "POST";  // POST or GET
  std::string url;
  std::vector<std::pair<std::string, std::string>> headers;  // may hold secrets
  std::string body;                                          // sent only with POST
};

// Response headers with case-insensitive names. A repeated header keeps its
// last value, which is all the wait-hint and content-type readers need.
class HttpHeaders {
 public:
  void Set(std::string_view name, std::string value);
  // The value of the header, or "" when it is absent.
  std::string Get(std::string_view name) const;

 private:
  std::map<std::string, std::string> by_lower_name_;
};

struct HttpCallOptions {
  double timeout_seconds = 30;                   // both the connect and the whole-transfer limit
  const std::atomic<bool>* cancelled = nullptr;  // aborts the transfer when true
  // When set, the body of a 2xx response is handed over piece by piece as it
  // arrives and is not kept; returning false stops the transfer quietly. The
  // body of any other status is always buffered, because it is an error
  // document the caller must parse whole.
  std::function<bool(std::string_view)> on_body;
};

struct HttpResult {
  int status = 0;  // 0: no HTTP status line was received
  HttpHeaders headers;
  std::string body;  // the buffered body (see HttpCallOptions::on_body)
  // kNone: the transfer ended normally (or on_body stopped it); else
  // kTimeout, kNetwork or kInterrupted.
  ErrorType error_type = ErrorType::kNone;
  std::string error;  // curl's one-line description of error_type
};

// Performs one request. Never throws; every outcome is in the result.
HttpResult PerformHttp(const HttpRequest& request, const HttpCallOptions& options);

// libcurl's global set-up is not thread-safe: a program that will make
// requests from several threads calls this once, before starting them.
void PrepareHttpForThreads();

}  // namespace llmctl
