#include "providers/provider_errors.h"

#include "providers/curl_library.h"

#include <curl/curl.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <vector>

#include "providers/json_fields.h"
#include "util/ascii.h"
#include "util/secret_scrubber.h"

namespace llmctl {
namespace {

using nlohmann::json;

// Error messages are a single line a person reads next to other output.
constexpr size_t kExcerptBytes = 120;

// The longest wait a server hint may ask for. Beyond a day a hint is either
// forged or means "not today", which a quota failure says better; clamping
// keeps the seconds-to-milliseconds arithmetic inside int64_t.
constexpr int64_t kMaxRetryAfterMs = 86'400'000;

// seconds × scale as whole milliseconds, rounded up and clamped to
// [0, kMaxRetryAfterMs]; `seconds` is finite and non-negative.
int64_t ClampedMs(double value, double scale) {
  const double ms = std::ceil(value * scale);
  return ms >= static_cast<double>(kMaxRetryAfterMs) ? kMaxRetryAfterMs : static_cast<int64_t>(ms);
}

std::optional<double> ParseNumber(std::string_view s) {
  double v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(v) || v < 0)
    return std::nullopt;
  return v;
}

// Cuts at a character boundary so the excerpt stays valid UTF-8. Secrets are
// masked first: a key cut in half no longer looks like the key.
std::string Truncate(std::string s, size_t max_bytes) {
  s = ScrubSecrets(s);
  if (s.size() <= max_bytes) return s;
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  s.resize(cut);
  return s + "\u2026";
}

// The readable text of an HTML (or plain) body: tags, scripts and styles
// dropped, whitespace collapsed.
std::string Excerpt(std::string_view body) {
  std::string text;
  for (size_t i = 0; i < body.size();) {
    if (body[i] != '<') {
      text.push_back(body[i++]);
      continue;
    }
    size_t close = body.find('>', i);
    if (close == std::string_view::npos) break;
    std::string tag = AsciiLower(body.substr(i + 1, std::min<size_t>(6, close - i - 1)));
    i = close + 1;
    for (const char* skipped : {"script", "style"}) {
      if (tag.rfind(skipped, 0) != 0) continue;
      size_t end = AsciiLower(body.substr(i)).find(std::string("</") + skipped);
      i = end == std::string::npos ? body.size() : i + end;
    }
    text.push_back(' ');
  }
  return Truncate(OneLine(text), kExcerptBytes);
}

// The parts of an error document that matter, whatever its envelope.
struct ErrorFields {
  bool found = false;
  std::string message;
  std::string type;                 // OpenAI/Anthropic error.type
  std::string code;                 // OpenAI error.code when it is a string
  std::optional<int> numeric_code;  // error.code when it is the HTTP status
  std::string status;               // Gemini error.status
  const json* details = nullptr;    // Gemini: array; Anthropic: object
};

ErrorFields Extract(const json& doc) {
  ErrorFields f;
  const json* d = &doc;
  // Some Google gateways wrap the error in a one-element array.
  if (d->is_array() && !d->empty()) d = &(*d)[0];
  if (!d->is_object()) return f;
  const json* err = d;  // legacy vLLM puts the fields at the top level
  if (auto it = d->find("error"); it != d->end()) {
    if (it->is_string()) {  // vLLM auth middleware, native Ollama
      f.found = true;
      f.message = it->get<std::string>();
      return f;
    }
    if (!it->is_object()) return f;
    err = &*it;
  } else if (!d->contains("message")) {
    return f;
  }
  f.found = true;
  f.message = StringAt(*err, "message");
  f.type = StringAt(*err, "type");
  f.status = StringAt(*err, "status");
  if (auto it = err->find("code"); it != err->end()) {
    if (it->is_string()) f.code = it->get<std::string>();
    if (it->is_number_integer()) f.numeric_code = it->get<int>();
  }
  if (auto it = err->find("details"); it != err->end()) f.details = &*it;
  return f;
}

// Gemini details entries of one @type, e.g. "google.rpc.RetryInfo".
std::vector<const json*> DetailsOfType(const ErrorFields& f, std::string_view type) {
  std::vector<const json*> out;
  if (!f.details || !f.details->is_array()) return out;
  for (const json& d : *f.details)
    if (d.is_object() && StringAt(d, "@type").find(type) != std::string::npos) out.push_back(&d);
  return out;
}

std::optional<int64_t> RetryInfoMs(const ErrorFields& f) {
  for (const json* d : DetailsOfType(f, "google.rpc.RetryInfo")) {
    std::string delay = StringAt(*d, "retryDelay");  // protobuf Duration: "38s", "1.5s"
    if (delay.empty() || delay.back() != 's') continue;
    delay.pop_back();
    if (auto seconds = ParseNumber(delay)) return ClampedMs(*seconds, 1000);
  }
  return std::nullopt;
}

bool IsContextOverflow(const ErrorFields& f) {
  for (const std::string& id : {f.code, f.type})
    if (id == "context_length_exceeded" || id == "exceed_context_size_error") return true;
  std::string m = AsciiLower(f.message);
  for (const char* pattern :
       {"context length", "prompt is too long", "exceeds the available context size",
        "exceed context limit", "input token count"})
    if (m.find(pattern) != std::string::npos) return true;
  return false;
}

bool IsQuotaExhausted(int status, const ErrorFields& f) {
  if (status == 402) return true;
  if (f.code == "insufficient_quota" || f.type == "insufficient_quota") return true;
  if (f.details && f.details->is_object() &&
      StringAt(*f.details, "error_code") == "enforced_spend_limit_reached")
    return true;
  // A per-day quota will not refill by waiting seconds.
  for (const json* d : DetailsOfType(f, "google.rpc.QuotaFailure")) {
    auto v = d->find("violations");
    if (v == d->end() || !v->is_array()) continue;
    for (const json& violation : *v)
      if (violation.is_object() &&
          StringAt(violation, "quotaId").find("PerDay") != std::string::npos)
        return true;
  }
  return false;
}

// Gemini answers a bad key with 400 INVALID_ARGUMENT, not 401.
bool IsInvalidKey(const ErrorFields& f) {
  for (const json* d : DetailsOfType(f, "google.rpc.ErrorInfo"))
    if (StringAt(*d, "reason") == "API_KEY_INVALID") return true;
  return f.message.find("API key not valid") != std::string::npos;
}

void Classify(int status, const ErrorFields& f, ProviderFailure* failure) {
  if (status == 401 || status == 403) {
    failure->error_type = ErrorType::kAuth;
  } else if (status == 402 || status == 429) {
    failure->error_type = ErrorType::kRateLimited;
    failure->quota_exhausted = IsQuotaExhausted(status, f);
  } else if (status == 408 || status == 409 || status >= 500) {
    failure->error_type = ErrorType::kProviderError;
  } else if (status >= 400) {
    if (IsInvalidKey(f)) failure->error_type = ErrorType::kAuth;
    else if (IsContextOverflow(f)) failure->error_type = ErrorType::kContextWindow;
    else if (f.code == "content_filter" || f.type == "content_filter")
      failure->error_type = ErrorType::kContentFilter;
    else failure->error_type = ErrorType::kInvalidRequest;
  } else {
    failure->error_type = ErrorType::kProviderError;
  }
  failure->provider_error_type = !f.code.empty() ? f.code : !f.type.empty() ? f.type : f.status;
}

// The HTTP status an in-stream error would have had, from its code or name.
int StatusOfStreamError(const ErrorFields& f) {
  if (f.numeric_code && *f.numeric_code >= 400 && *f.numeric_code < 600) return *f.numeric_code;
  static const std::pair<const char*, int> kByName[] = {
      {"invalid_request_error", 400}, {"INVALID_ARGUMENT", 400},   {"authentication_error", 401},
      {"UNAUTHENTICATED", 401},       {"billing_error", 402},      {"permission_error", 403},
      {"PERMISSION_DENIED", 403},     {"not_found_error", 404},    {"NOT_FOUND", 404},
      {"rate_limit_error", 429},      {"RESOURCE_EXHAUSTED", 429}, {"insufficient_quota", 429},
      {"overloaded_error", 529},
  };
  for (const std::string& name : {f.type, f.status, f.code})
    for (const auto& [known, status] : kByName)
      if (name == known) return status;
  return 500;
}

}  // namespace

std::string OneLine(std::string_view text) {
  std::string out;
  for (char c : text) {
    bool space = c == '\n' || c == '\r' || c == '\t' || c == ' ';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out.push_back(space ? ' ' : c);
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

std::optional<int64_t> RetryAfterFromHeaders(const HttpHeaders& headers, std::time_t now) {
  if (auto ms = ParseNumber(headers.Get("retry-after-ms"))) return ClampedMs(*ms, 1);
  std::string value = headers.Get("retry-after");
  if (value.empty()) return std::nullopt;
  if (auto seconds = ParseNumber(value)) return ClampedMs(*seconds, 1000);
  // An HTTP response arrived, so libcurl is loaded: its date parser is free.
  const CurlLibrary* curl = LoadCurl(nullptr);
  std::time_t when = curl ? curl->getdate(value.c_str(), nullptr) : -1;
  if (when == -1) return std::nullopt;
  if (when <= now) return 0;
  return ClampedMs(static_cast<double>(when - now), 1000);
}

ProviderFailure FailureFromHttpError(int status, const HttpHeaders& headers, std::string_view body,
                                     std::time_t now) {
  ProviderFailure failure;
  failure.http_status = status;
  json doc = json::parse(body, nullptr, /*allow_exceptions=*/false);
  ErrorFields f = doc.is_discarded() ? ErrorFields() : Extract(doc);
  Classify(status, f, &failure);

  std::string prefix = "HTTP " + std::to_string(status);
  if (!f.message.empty()) {
    failure.message = OneLine(f.message);
  } else if (!doc.is_discarded()) {
    failure.message = prefix + ": " + Truncate(DumpJson(doc), kExcerptBytes);
  } else if (OneLine(body).empty()) {
    failure.message = prefix + " with an empty body";
  } else {
    std::string type = headers.Get("content-type");
    type = type.substr(0, type.find(';'));
    failure.message = prefix + " with a non-JSON body (" +
                      (type.empty() ? "no content type" : type) + "): " + Excerpt(body);
  }

  failure.retry_after_ms = RetryAfterFromHeaders(headers, now);
  if (!failure.retry_after_ms) failure.retry_after_ms = RetryInfoMs(f);
  return failure;
}

ProviderFailure FailureFromStreamError(const nlohmann::json& payload) {
  ProviderFailure failure;
  failure.http_status = 200;
  ErrorFields f = Extract(payload);
  Classify(StatusOfStreamError(f), f, &failure);
  failure.message = !f.message.empty()
                        ? OneLine(f.message)
                        : "error in the stream: " + Truncate(DumpJson(payload), kExcerptBytes);
  failure.retry_after_ms = RetryInfoMs(f);
  return failure;
}

}  // namespace llmctl
