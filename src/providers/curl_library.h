// CurlLibrary: libcurl, loaded the first time a request is made. libcurl
// drags in some thirty shared libraries whose loading costs about 3 ms at
// every process start, half of a short-lived process's own time; calls that
// never touch the network (cache hits, the mock, reports, config-check) are
// spared it. The functions are libcurl's own, reached through pointers.
#pragma once

#include <curl/curl.h>

#include <ctime>
#include <string>

namespace llmctl {

struct CurlLibrary {
  CURLcode (*global_init)(long flags);
  CURL* (*easy_init)();
  CURLcode (*easy_setopt)(CURL* handle, CURLoption option, ...);
  CURLcode (*easy_perform)(CURL* handle);
  CURLcode (*easy_getinfo)(CURL* handle, CURLINFO info, ...);
  const char* (*easy_strerror)(CURLcode code);
  void (*easy_cleanup)(CURL* handle);
  curl_slist* (*slist_append)(curl_slist* list, const char* text);
  void (*slist_free_all)(curl_slist* list);
  std::time_t (*getdate)(const char* text, const std::time_t* unused);
};

// The loaded library, or nullptr with *error saying why it could not be
// loaded. Thread-safe; loads once per process.
const CurlLibrary* LoadCurl(std::string* error);

// One easy handle and its request-header list, both freed through the
// library however the transfer ends.
class CurlEasy {
 public:
  explicit CurlEasy(const CurlLibrary& lib) : lib_(lib), handle_(lib.easy_init()) {}
  ~CurlEasy() {
    if (headers_) lib_.slist_free_all(headers_);
    if (handle_) lib_.easy_cleanup(handle_);
  }
  CurlEasy(const CurlEasy&) = delete;
  CurlEasy& operator=(const CurlEasy&) = delete;

  CURL* get() const { return handle_; }  // null when libcurl could not make one
  void AddHeader(const std::string& line) { headers_ = lib_.slist_append(headers_, line.c_str()); }
  curl_slist* headers() const { return headers_; }

 private:
  const CurlLibrary& lib_;
  CURL* handle_;
  curl_slist* headers_ = nullptr;
};

}  // namespace llmctl
