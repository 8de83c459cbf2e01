#include "providers/http_provider.h"

#include <chrono>
#include <ctime>
#include <optional>
#include <utility>

#include "providers/json_fields.h"
#include "providers/provider_errors.h"
#include "providers/stream_reader.h"
#include "util/mask.h"
#include "util/secret_scrubber.h"

namespace llmctl {
namespace {

using nlohmann::json;
using Clock = std::chrono::steady_clock;

bool IsSuccess(int status) { return status >= 200 && status < 300; }

ProviderFailure TransportFailure(const HttpResult& response) {
  ProviderFailure failure;
  failure.error_type =
      response.error_type == ErrorType::kNone ? ErrorType::kNetwork : response.error_type;
  failure.http_status = response.status;
  failure.message = OneLine(response.error);
  return failure;
}

}  // namespace

HttpProvider::HttpProvider(ProviderConfig cfg, std::unique_ptr<ProtocolCodec> codec)
    : cfg_(std::move(cfg)), codec_(std::move(codec)) {
  // A config built in code (tests, tools) may not have passed through the
  // settings loader that registers secrets.
  RegisterSecret(cfg_.api_key);
  for (const auto& [name, value] : cfg_.extra_headers)
    if (IsSecretHeaderName(name)) RegisterSecret(value);
}

std::string HttpProvider::Scrub(std::string text) const { return ScrubSecrets(text); }

bool HttpProvider::Complete(const ChatRequest& request, const AttemptOptions& options,
                            ChatResult* result, ProviderFailure* failure) {
  const auto start = Clock::now();
  bool text_started = false;
  std::optional<double> ttft_ms;
  TextSink sink = [&](std::string_view text) {
    if (text.empty()) return;
    if (!text_started && request.stream)
      ttft_ms = std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    text_started = true;
    if (options.on_text) options.on_text(text);
  };
  auto fail = [&](ProviderFailure f) {
    f.output_started = text_started;
    f.message = Scrub(std::move(f.message));
    f.provider_error_type = Scrub(std::move(f.provider_error_type));
    *failure = std::move(f);
    return false;
  };

  HttpCallOptions call;
  call.timeout_seconds = options.timeout_seconds;
  call.cancelled = options.cancelled;
  std::unique_ptr<StreamDecoder> decoder;
  std::optional<StreamReader> reader;
  if (request.stream) {
    decoder = codec_->NewStreamDecoder(sink);
    decoder->set_keep_text(options.keep_streamed_text);
    reader.emplace(decoder.get());
    call.on_body = [&](std::string_view bytes) { return reader->Feed(bytes); };
  }

  HttpResult response = PerformHttp(codec_->BuildChat(request), call);
  if (response.status == 0 || response.error_type == ErrorType::kInterrupted)
    return fail(TransportFailure(response));
  if (!IsSuccess(response.status))
    return fail(
        FailureFromHttpError(response.status, response.headers, response.body, std::time(nullptr)));
  // A transport error after the terminal event cannot hurt the answer.
  if (response.error_type != ErrorType::kNone && !(reader && reader->done()))
    return fail(TransportFailure(response));
  if (reader) {
    if (!reader->Finish(result, failure)) return fail(std::move(*failure));
  } else {
    if (!codec_->ParseChat(response.body, result, failure)) return fail(std::move(*failure));
    sink(result->text);
  }
  result->http_status = response.status;
  result->ttft_ms = ttft_ms;
  return true;
}

json HttpProvider::DescribeRequest(const ChatRequest& request) const {
  HttpRequest http = codec_->BuildChat(request);
  json headers = json::object();
  for (const auto& [name, value] : http.headers) {
    std::string shown = Scrub(value);
    if (shown == value && IsSecretHeaderName(name)) {
      bool bearer = value.rfind("Bearer ", 0) == 0;
      shown =
          (bearer ? "Bearer " : "") + MaskSecret(std::string_view(value).substr(bearer ? 7 : 0));
    }
    headers[name] = shown;
  }
  json body = json::parse(http.body, nullptr, /*allow_exceptions=*/false);
  return {{"method", http.method},
          {"url", Scrub(http.url)},
          {"headers", headers},
          {"body", body.is_discarded() ? json(http.body) : body}};
}

bool HttpProvider::Ping(double timeout_seconds, std::string* detail) {
  HttpRequest http = codec_->BuildModelList();
  HttpCallOptions call;
  call.timeout_seconds = timeout_seconds;
  HttpResult response = PerformHttp(http, call);
  if (response.status != 0 && !IsSuccess(response.status)) {
    ProviderFailure f =
        FailureFromHttpError(response.status, response.headers, response.body, std::time(nullptr));
    *detail = "HTTP " + std::to_string(response.status) + " (" +
              std::string(ErrorTypeName(f.error_type)) + ") from GET " + Scrub(http.url) + ": " +
              Scrub(f.message);
    return false;
  }
  if (response.error_type != ErrorType::kNone) {
    *detail = std::string(ErrorTypeName(response.error_type)) + " on GET " + Scrub(http.url) +
              ": " + Scrub(OneLine(response.error));
    return false;
  }
  // OpenAI and Anthropic list models under "data", Gemini under "models".
  json doc = json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  size_t models = 0;
  for (const char* key : {"data", "models"})
    if (const json* list = FieldAt(doc, key); list && list->is_array()) models = list->size();
  *detail = "HTTP " + std::to_string(response.status) + " from GET " + Scrub(http.url) + ", " +
            std::to_string(models) + " models listed";
  return true;
}

}  // namespace llmctl
