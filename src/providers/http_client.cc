#include "providers/http_client.h"

#include "providers/curl_library.h"
#include "util/ascii.h"

#include <algorithm>
#include <mutex>

namespace llmctl {
namespace {

std::string Trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return "";
  size_t e = s.find_last_not_of(" \t\r\n");
  return std::string(s.substr(b, e - b + 1));
}

// Error bodies are parsed for a message and an excerpt; anything past this is
// an HTML page or worse and not worth the memory.
constexpr size_t kMaxErrorBody = 64 * 1024;

struct Transfer {
  const CurlLibrary* lib = nullptr;
  CURL* curl = nullptr;
  const HttpCallOptions* options = nullptr;
  HttpResult* result = nullptr;
  bool stopped_by_caller = false;
};

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  // A new status line (after a 100 Continue or a proxy CONNECT) starts a new
  // header block; only the final one describes the response.
  if (line.rfind("HTTP/", 0) == 0) {
    t->result->headers = HttpHeaders();
  } else if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    t->result->headers.Set(Trim(line.substr(0, colon)), Trim(line.substr(colon + 1)));
  }
  return size * count;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  size_t n = size * count;
  long status = 0;
  t->lib->easy_getinfo(t->curl, CURLINFO_RESPONSE_CODE, &status);
  bool success = status >= 200 && status < 300;
  if (success && t->options->on_body) {
    if (t->options->on_body(std::string_view(data, n))) return n;
    t->stopped_by_caller = true;
    return 0;  // any count other than n makes curl stop with CURLE_WRITE_ERROR
  }
  std::string& body = t->result->body;
  size_t keep = success ? n : std::min(n, kMaxErrorBody - std::min(kMaxErrorBody, body.size()));
  body.append(data, keep);
  return n;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  auto* t = static_cast<Transfer*>(user);
  return t->options->cancelled && t->options->cancelled->load() ? 1 : 0;
}

// TLS set-up touches megabytes of libcrypto, a large share of a short
// process's memory, so plain-http calls (local servers, tests) skip it.
// OpenSSL 3 initialises itself should a later request need TLS after all.
void GlobalInitOnce(const CurlLibrary& curl, const std::string& url) {
  static std::once_flag once;
  std::call_once(once, [&] {
    curl.global_init(url.rfind("https:", 0) == 0 ? CURL_GLOBAL_DEFAULT : CURL_GLOBAL_NOTHING);
  });
}

std::string Classify(CURLcode code, bool cancelled) {
  if (cancelled || code == CURLE_ABORTED_BY_CALLBACK) return "interrupted";
  if (code == CURLE_OPERATION_TIMEDOUT) return "timeout";
  return "network";
}

}  // namespace

void HttpHeaders::Set(std::string_view name, std::string value) {
  by_lower_name_[AsciiLower(name)] = std::move(value);
}

std::string HttpHeaders::Get(std::string_view name) const {
  auto it = by_lower_name_.find(AsciiLower(name));
  return it == by_lower_name_.end() ? "" : it->second;
}

HttpResult PerformHttp(const HttpRequest& request, const HttpCallOptions& options) {
  HttpResult result;
  if (options.cancelled && options.cancelled->load()) {
    result.error_type = "interrupted";
    result.error = "interrupted before the request was sent";
    return result;
  }
  std::string load_error;
  const CurlLibrary* lib = LoadCurl(&load_error);
  if (!lib) {
    result.error_type = "network";
    result.error = load_error;
    return result;
  }
  GlobalInitOnce(*lib, request.url);
  CurlEasy easy(*lib);
  CURL* curl = easy.get();
  if (!curl) {
    result.error_type = "network";
    result.error = "could not initialise libcurl";
    return result;
  }

  Transfer transfer{lib, curl, &options, &result};
  for (const auto& [name, value] : request.headers) easy.AddHeader(name + ": " + value);
  // Without this curl waits for a 100 Continue on large prompts.
  easy.AddHeader("Expect:");

  char error_buffer[CURL_ERROR_SIZE] = {0};
  long timeout_ms = std::max(1L, static_cast<long>(options.timeout_seconds * 1000));
  lib->easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  lib->easy_setopt(curl, CURLOPT_HTTPHEADER, easy.headers());
  if (request.method == "POST") {
    lib->easy_setopt(curl, CURLOPT_POST, 1L);
    lib->easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
    lib->easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.body.size()));
  } else {
    lib->easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  }
  lib->easy_setopt(curl, CURLOPT_USERAGENT, "llmctl/" LLMCTL_VERSION);
  lib->easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  lib->easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
  lib->easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
  lib->easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  lib->easy_setopt(curl, CURLOPT_HEADERFUNCTION, OnHeader);
  lib->easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  lib->easy_setopt(curl, CURLOPT_WRITEFUNCTION, OnBody);
  lib->easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  lib->easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  lib->easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, OnProgress);
  lib->easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);

  CURLcode code = lib->easy_perform(curl);
  long status = 0;
  lib->easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  result.status = static_cast<int>(status);
  if (code != CURLE_OK && !(code == CURLE_WRITE_ERROR && transfer.stopped_by_caller)) {
    result.error_type = Classify(code, options.cancelled && options.cancelled->load());
    result.error = error_buffer[0] ? error_buffer : lib->easy_strerror(code);
  }
  return result;
}

void PrepareHttpForThreads() {
  if (const CurlLibrary* lib = LoadCurl(nullptr)) GlobalInitOnce(*lib, "https:");
}

}  // namespace llmctl
