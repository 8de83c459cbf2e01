#include "providers/provider_errors.h"

#include <doctest/doctest.h>

#include <string>

#include "util/secret_scrubber.h"

using namespace llmctl;
using nlohmann::json;

namespace {

const std::time_t kNow = 1'700'000'000;  // 2023-11-14T22:13:20Z

ProviderFailure Http(int status, std::string_view body, HttpHeaders headers = {}) {
  return FailureFromHttpError(status, headers, body, kNow);
}

}  // namespace

TEST_CASE("errors: OpenAI envelope") {
  auto f = Http(
      401,
      R"({"error":{"message":"Incorrect API key provided: sk-abc***.","type":"invalid_request_error","param":null,"code":"invalid_api_key"}})");
  CHECK(f.error_type == ErrorType::kAuth);
  CHECK(f.http_status == 401);
  CHECK(f.provider_error_type == "invalid_api_key");
  CHECK(f.message == "Incorrect API key provided: sk-abc***.");
  CHECK(!f.retry_after_ms);
}

TEST_CASE("errors: OpenAI context length by code and by message") {
  auto f = Http(
      400,
      R"({"error":{"message":"This model's maximum context length is 4097 tokens.","type":"invalid_request_error","param":"messages","code":"context_length_exceeded"}})");
  CHECK(f.error_type == ErrorType::kContextWindow);
  CHECK(f.provider_error_type == "context_length_exceeded");
  // vLLM: same words, integer code, no context code.
  auto v = Http(
      400,
      R"({"error":{"message":"This model's maximum context length is 32768 tokens. However, you requested 54692 tokens","type":"BadRequestError","param":null,"code":400}})");
  CHECK(v.error_type == ErrorType::kContextWindow);
  CHECK(v.provider_error_type == "BadRequestError");
}

TEST_CASE("errors: other 400, 404 and 422 are invalid requests") {
  CHECK(
      Http(
          400,
          R"({"error":{"message":"Unsupported parameter: 'max_tokens'","type":"invalid_request_error","param":"max_tokens","code":"unsupported_parameter"}})")
          .error_type == ErrorType::kInvalidRequest);
  CHECK(
      Http(
          404,
          R"({"error":{"message":"model not found","type":"invalid_request_error","param":null,"code":"model_not_found"}})")
          .error_type == ErrorType::kInvalidRequest);
  CHECK(Http(422, R"({"detail":"bad"})").error_type == ErrorType::kInvalidRequest);
}

TEST_CASE("errors: OpenAI 429 rate limit and insufficient quota") {
  HttpHeaders h;
  h.Set("Retry-After", "3");
  auto f = Http(
      429,
      R"({"error":{"message":"Rate limit reached for gpt-4.1","type":"tokens","param":null,"code":"rate_limit_exceeded"}})",
      h);
  CHECK(f.error_type == ErrorType::kRateLimited);
  CHECK(!f.quota_exhausted);
  REQUIRE(f.retry_after_ms);
  CHECK(*f.retry_after_ms == 3000);
  auto q = Http(
      429,
      R"({"error":{"message":"You exceeded your current quota","type":"insufficient_quota","param":null,"code":"insufficient_quota"}})");
  CHECK(q.error_type == ErrorType::kRateLimited);
  CHECK(q.quota_exhausted);
}

TEST_CASE("errors: error as a plain string (vLLM auth, native Ollama)") {
  auto f = Http(401, R"({"error": "Unauthorized"})");
  CHECK(f.error_type == ErrorType::kAuth);
  CHECK(f.message == "Unauthorized");
}

TEST_CASE("errors: legacy top-level vLLM shape") {
  auto f = Http(
      400,
      R"({"object":"error","message":"bad temperature","type":"BadRequestError","param":null,"code":400})");
  CHECK(f.error_type == ErrorType::kInvalidRequest);
  CHECK(f.message == "bad temperature");
  CHECK(f.provider_error_type == "BadRequestError");
}

TEST_CASE("errors: llama.cpp exceed_context_size_error") {
  auto f = Http(
      400,
      R"({"error":{"code":400,"message":"request (13392 tokens) exceeds the available context size (8192 tokens), try increasing it","type":"exceed_context_size_error","n_prompt_tokens":13392,"n_ctx":8192}})");
  CHECK(f.error_type == ErrorType::kContextWindow);
  CHECK(f.provider_error_type == "exceed_context_size_error");
}

TEST_CASE("errors: Azure content filter") {
  auto f = Http(
      400,
      R"({"error":{"message":"The response was filtered due to the prompt triggering Azure OpenAI's content management policy.","type":null,"param":"prompt","code":"content_filter","status":400,"innererror":{"code":"ResponsibleAIPolicyViolation"}}})");
  CHECK(f.error_type == ErrorType::kContentFilter);
  CHECK(f.provider_error_type == "content_filter");
}

TEST_CASE("errors: Anthropic envelope and statuses") {
  auto f = Http(
      429,
      R"({"type":"error","error":{"type":"rate_limit_error","message":"Number of request tokens has exceeded your per-minute rate limit"},"request_id":"req_1"})");
  CHECK(f.error_type == ErrorType::kRateLimited);
  CHECK(f.provider_error_type == "rate_limit_error");
  CHECK(!f.quota_exhausted);
  auto spend = Http(
      429,
      R"({"type":"error","error":{"type":"rate_limit_error","message":"spend limit","details":{"error_code":"enforced_spend_limit_reached"}}})");
  CHECK(spend.quota_exhausted);
  auto overloaded =
      Http(529, R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})");
  CHECK(overloaded.error_type == ErrorType::kProviderError);
  CHECK(overloaded.provider_error_type == "overloaded_error");
  CHECK(
      Http(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long: 208423 tokens > 200000 maximum"}})")
          .error_type == ErrorType::kContextWindow);
  CHECK(
      Http(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"input length and `max_tokens` exceed context limit: 199000 + 8000 > 200000"}})")
          .error_type == ErrorType::kContextWindow);
  CHECK(
      Http(
          400,
          R"({"type":"error","error":{"type":"invalid_request_error","message":"anthropic-version: header is required"}})")
          .error_type == ErrorType::kInvalidRequest);
  CHECK(Http(403, R"({"type":"error","error":{"type":"permission_error","message":"no"}})")
            .error_type == ErrorType::kAuth);
  auto billing = Http(
      402,
      R"({"type":"error","error":{"type":"billing_error","message":"credit balance too low"}})");
  CHECK(billing.error_type == ErrorType::kRateLimited);
  CHECK(billing.quota_exhausted);
}

TEST_CASE("errors: Gemini envelope with RetryInfo") {
  auto f = Http(
      429,
      R"({"error":{"code":429,"message":"You exceeded your current quota.","status":"RESOURCE_EXHAUSTED","details":[
      {"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaMetric":"m","quotaId":"GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}]},
      {"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"38s"}]}})");
  CHECK(f.error_type == ErrorType::kRateLimited);
  CHECK(f.provider_error_type == "RESOURCE_EXHAUSTED");
  CHECK(!f.quota_exhausted);
  REQUIRE(f.retry_after_ms);
  CHECK(*f.retry_after_ms == 38000);

  auto frac = Http(
      429,
      R"({"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1.5s"}]}})");
  REQUIRE(frac.retry_after_ms);
  CHECK(*frac.retry_after_ms == 1500);

  auto daily = Http(
      429,
      R"({"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.QuotaFailure","violations":[{"quotaId":"GenerateRequestsPerDayPerProjectPerModel-FreeTier"}]}]}})");
  CHECK(daily.quota_exhausted);
  auto prepaid = Http(
      402, R"({"error":{"code":402,"message":"credits exhausted","status":"RESOURCE_EXHAUSTED"}})");
  CHECK(prepaid.error_type == ErrorType::kRateLimited);
  CHECK(prepaid.quota_exhausted);
}

TEST_CASE("errors: Gemini one-element array, context, bad key, 503") {
  auto f = Http(
      400,
      R"([{"error":{"code":400,"message":"The input token count (1200293) exceeds the maximum number of tokens allowed (1048576).","status":"INVALID_ARGUMENT"}}])");
  CHECK(f.error_type == ErrorType::kContextWindow);
  CHECK(f.provider_error_type == "INVALID_ARGUMENT");
  auto key = Http(
      400,
      R"({"error":{"code":400,"message":"API key not valid. Please pass a valid API key.","status":"INVALID_ARGUMENT","details":[{"@type":"type.googleapis.com/google.rpc.ErrorInfo","reason":"API_KEY_INVALID"}]}})");
  CHECK(key.error_type == ErrorType::kAuth);
  CHECK(
      Http(503,
           R"({"error":{"code":503,"message":"The model is overloaded.","status":"UNAVAILABLE"}})")
          .error_type == ErrorType::kProviderError);
  CHECK(Http(408, "").error_type == ErrorType::kProviderError);
  CHECK(Http(500, "{}").error_type == ErrorType::kProviderError);
}

TEST_CASE("errors: an HTML 502 page becomes a short one-line excerpt") {
  HttpHeaders h;
  h.Set("Content-Type", "text/html; charset=utf-8");
  std::string page =
      "<html>\r\n<head><title>502 Bad Gateway</title><style>body { color: red; }</style>"
      "<script>var x = '<b>';</script></head>\n<body>\n<center><h1>502 Bad Gateway</h1></center>\n"
      "<hr><center>nginx</center>\n" +
      std::string(500, 'x') + "</body>\n</html>\n";
  auto f = Http(502, page, h);
  CHECK(f.error_type == ErrorType::kProviderError);
  CHECK(f.message.rfind(
            "HTTP 502 with a non-JSON body (text/html): 502 Bad Gateway 502 Bad Gateway nginx",
            0) == 0);
  CHECK(f.message.find('\n') == std::string::npos);
  CHECK(f.message.find('<') == std::string::npos);
  CHECK(f.message.find("color") == std::string::npos);
  CHECK(f.message.size() < 200);
}

TEST_CASE("errors: empty and JSON-without-message bodies") {
  CHECK(Http(503, "").message == "HTTP 503 with an empty body");
  CHECK(Http(500, R"({"detail":"boom"})").message == R"(HTTP 500: {"detail":"boom"})");
  CHECK(Http(502, "upstream connect error").message ==
        "HTTP 502 with a non-JSON body (no content type): upstream connect error");
}

TEST_CASE("errors: multi-line messages are collapsed to one line") {
  auto f = Http(400, R"({"error":{"message":"first line\nsecond\r\n\tthird  ","type":"x"}})");
  CHECK(f.message == "first line second third");
}

TEST_CASE("errors: wait hints from headers") {
  HttpHeaders ms;
  ms.Set("retry-after-ms", "1500.5");
  ms.Set("retry-after", "9");
  CHECK(*RetryAfterFromHeaders(ms, kNow) == 1501);  // retry-after-ms wins

  HttpHeaders secs;
  secs.Set("Retry-After", "2.5");
  CHECK(*RetryAfterFromHeaders(secs, kNow) == 2500);

  HttpHeaders date;
  date.Set("Retry-After", "Tue, 14 Nov 2023 22:13:50 GMT");  // kNow + 30 s
  CHECK(*RetryAfterFromHeaders(date, kNow) == 30000);

  HttpHeaders past;
  past.Set("Retry-After", "Tue, 14 Nov 2023 22:00:00 GMT");
  CHECK(*RetryAfterFromHeaders(past, kNow) == 0);

  HttpHeaders junk;
  junk.Set("Retry-After", "soon");
  CHECK(!RetryAfterFromHeaders(junk, kNow));
  CHECK(!RetryAfterFromHeaders(HttpHeaders(), kNow));
}

TEST_CASE("errors: headers win over Gemini RetryInfo") {
  HttpHeaders h;
  h.Set("retry-after", "5");
  auto f = Http(
      429,
      R"({"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"38s"}]}})",
      h);
  CHECK(*f.retry_after_ms == 5000);
}

TEST_CASE("errors: in-stream error documents are classified by code or type") {
  auto openai = FailureFromStreamError(json::parse(
      R"({"error":{"message":"The server had an error while processing your request.","type":"server_error"}})"));
  CHECK(openai.error_type == ErrorType::kProviderError);
  CHECK(openai.http_status == 200);
  CHECK(openai.provider_error_type == "server_error");

  auto overloaded = FailureFromStreamError(json::parse(
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})"));
  CHECK(overloaded.error_type == ErrorType::kProviderError);
  CHECK(overloaded.message == "Overloaded");

  auto limited = FailureFromStreamError(
      json::parse(R"({"type":"error","error":{"type":"rate_limit_error","message":"slow down"}})"));
  CHECK(limited.error_type == ErrorType::kRateLimited);

  auto gemini = FailureFromStreamError(json::parse(
      R"({"error":{"code":429,"message":"quota","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"2s"}]}})"));
  CHECK(gemini.error_type == ErrorType::kRateLimited);
  CHECK(*gemini.retry_after_ms == 2000);

  auto openrouter = FailureFromStreamError(json::parse(
      R"({"error":{"code":502,"message":"Provider returned error"},"choices":[{"index":0,"delta":{},"finish_reason":"error"}]})"));
  CHECK(openrouter.error_type == ErrorType::kProviderError);

  auto text = FailureFromStreamError(json("not json at all"));
  CHECK(text.error_type == ErrorType::kProviderError);
  CHECK(text.message.find("not json at all") != std::string::npos);
}

TEST_CASE("errors: OneLine") {
  CHECK(OneLine("  a\r\n\r\nb\tc  ") == "a b c");
  CHECK(OneLine("") == "");
}

TEST_CASE("errors: absurd wait hints are clamped to a day") {
  for (const char* header : {"retry-after-ms", "Retry-After"}) {
    HttpHeaders h;
    h.Set(header, "1e300");
    CAPTURE(header);
    REQUIRE(RetryAfterFromHeaders(h, kNow));
    CHECK(*RetryAfterFromHeaders(h, kNow) == 86'400'000);
  }
  HttpHeaders far;
  far.Set("Retry-After", "Fri, 31 Dec 9999 23:59:59 GMT");
  if (auto ms = RetryAfterFromHeaders(far, kNow)) CHECK(*ms <= 86'400'000);
  auto gemini = Http(
      429,
      R"({"error":{"code":429,"message":"x","status":"RESOURCE_EXHAUSTED","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"1e300s"}]}})");
  REQUIRE(gemini.retry_after_ms);
  CHECK(*gemini.retry_after_ms == 86'400'000);
}

TEST_CASE("errors: a registered key echoed in a body is masked before the excerpt is cut") {
  const std::string key = "sk-test-EchoedKey0123456789abcdefghijklmnop";
  RegisterSecret(key);
  // The key straddles the 120-byte cut of the excerpt.
  const std::string body = "{\"detail\":\"" + std::string(80, 'x') + " bad key " + key + "\"}";
  auto f = Http(401, body);
  CHECK(f.message.find(key.substr(0, 8)) == std::string::npos);
  CHECK(f.message.find(key.substr(key.size() - 8)) == std::string::npos);
  auto page = Http(502, std::string(100, 'y') + " " + key);
  CHECK(page.message.find(key.substr(0, 8)) == std::string::npos);
}
