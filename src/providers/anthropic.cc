#include "providers/anthropic.h"

#include <utility>

#include "providers/finish_reason.h"
#include "providers/json_fields.h"
#include "providers/provider_errors.h"
#include "providers/structured_output.h"

namespace llmctl {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultBase = "https://api.anthropic.com";
constexpr const char* kApiVersion = "2023-06-01";

// model_context_window_exceeded: generation stopped at the context window,
// which leaves the answer as cut short as a max_tokens stop.
const FinishTable kFinish = {{"end_turn", FinishReason::kStop},
                             {"stop_sequence", FinishReason::kStop},
                             {"max_tokens", FinishReason::kLength},
                             {"model_context_window_exceeded", FinishReason::kLength},
                             {"tool_use", FinishReason::kToolCalls},
                             {"refusal", FinishReason::kContentFilter}};

// Anthropic reports the cached parts of the prompt beside input_tokens, and
// streams cumulative counts of which a later event may repeat only some.
class UsageCounts {
 public:
  void Merge(const json& u) {
    const std::pair<const char*, int64_t*> fields[] = {
        {"input_tokens", &input_},
        {"output_tokens", &output_},
        {"cache_creation_input_tokens", &cache_write_},
        {"cache_read_input_tokens", &cache_read_}};
    for (auto [key, field] : fields)
      if (FieldAt(u, key)) *field = TokenCountAt(u, key, &untrusted_);
  }

  // Each part is at most kMaxTokenCount, so the sum cannot overflow.
  Usage ToUsage() const {
    Usage usage;
    usage.untrusted = untrusted_;
    usage.input_tokens = input_ + cache_write_ + cache_read_;
    usage.output_tokens = output_;
    usage.cached_input_tokens = cache_read_;
    usage.cache_write_tokens = cache_write_;
    return usage;
  }

 private:
  int64_t input_ = 0, output_ = 0, cache_write_ = 0, cache_read_ = 0;
  std::string untrusted_;
};

bool IsError(const json& doc) { return StringAt(doc, "type") == "error" || FieldAt(doc, "error"); }

class AnthropicStream : public StreamDecoder {
 public:
  explicit AnthropicStream(TextSink sink) : sink_(std::move(sink)) {}

  StreamStep OnEvent(const SseEvent& event, ProviderFailure* failure) override {
    if (event.data.empty()) return StreamStep::kMore;
    json doc = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    if (event.event == "error" || IsError(doc)) {
      *failure = FailureFromStreamError(doc.is_discarded() ? json(event.data) : doc);
      return StreamStep::kFailed;
    }
    if (!doc.is_object()) {
      *failure = MalformedResponse("stream event is not a JSON object");
      return StreamStep::kFailed;
    }
    // The data repeats the event name in "type"; it is the more reliable of
    // the two when a proxy drops event lines.
    std::string type = StringAt(doc, "type");
    if (type.empty()) type = event.event;
    if (type == "message_start") {
      if (const json* message = FieldAt(doc, "message")) {
        if (const json* u = FieldAt(*message, "usage")) usage_.Merge(*u);
      }
    } else if (type == "content_block_start") {
      if (const json* block = FieldAt(doc, "content_block");
          block && StringAt(*block, "type") == "text")
        Append(StringAt(*block, "text"));
    } else if (type == "content_block_delta") {
      if (const json* delta = FieldAt(doc, "delta");
          delta && StringAt(*delta, "type") == "text_delta")
        Append(StringAt(*delta, "text"));
    } else if (type == "message_delta") {
      if (const json* delta = FieldAt(doc, "delta"))
        if (std::string raw = StringAt(*delta, "stop_reason"); !raw.empty()) raw_finish_ = raw;
      if (const json* u = FieldAt(doc, "usage")) usage_.Merge(*u);
    } else if (type == "message_stop") {
      saw_stop_ = true;
      return StreamStep::kDone;
    }
    // ping, content_block_stop and event types added later need nothing.
    return StreamStep::kMore;
  }

  bool Finish(ChatResult* result, ProviderFailure* failure) override {
    if (!saw_stop_) {
      *failure = MalformedResponse("the stream ended without message_stop");
      return false;
    }
    result->text = std::move(text_);
    result->provider_finish_reason = raw_finish_;
    result->finish_reason = NormaliseFinishReason(raw_finish_, saw_text_, kFinish);
    result->usage = usage_.ToUsage();
    return true;
  }

 private:
  void Append(const std::string& piece) {
    if (piece.empty()) return;
    if (keep_text_) text_ += piece;
    saw_text_ = true;
    sink_(piece);
  }

  TextSink sink_;
  bool saw_text_ = false;
  std::string text_, raw_finish_;
  UsageCounts usage_;
  bool saw_stop_ = false;
};

class AnthropicCodec : public ProtocolCodec {
 public:
  explicit AnthropicCodec(ProviderConfig cfg) : cfg_(std::move(cfg)) {}

  HttpRequest BuildChat(const ChatRequest& r) const override {
    json messages = json::array();
    for (const Message& m : r.messages) {
      if (IsSystemRole(m.role)) continue;
      messages.push_back(
          {{"role", m.role == "assistant" ? "assistant" : "user"}, {"content", m.content}});
    }
    json body = {{"model", r.model},
                 {"max_tokens", r.max_tokens},
                 {"messages", messages},
                 {"temperature", r.temperature}};
    if (std::string system = SystemPrompt(r); !system.empty()) body["system"] = system;
    if (!r.stop.empty()) body["stop_sequences"] = r.stop;
    if (!r.response_schema.is_null())
      body["output_config"] = AnthropicOutputConfig(r.response_schema);
    if (r.stream) body["stream"] = true;
    HttpRequest http = JsonPost(BaseUrl(cfg_, kDefaultBase) + "/v1/messages", body, r.stream);
    AddAuthAndExtras(&http);
    return http;
  }

  HttpRequest BuildModelList() const override {
    HttpRequest http = JsonGet(BaseUrl(cfg_, kDefaultBase) + "/v1/models");
    AddAuthAndExtras(&http);
    return http;
  }

  bool ParseChat(std::string_view body, ChatResult* result,
                 ProviderFailure* failure) const override {
    json doc;
    if (!ParseJsonObject(body, &doc, failure)) return false;
    if (IsError(doc)) {
      *failure = FailureFromStreamError(doc);
      return false;
    }
    const json* content = FieldAt(doc, "content");
    if (!content || !content->is_array()) {
      *failure = MalformedResponse("the response has no content array");
      return false;
    }
    result->text.clear();
    for (const json& block : *content)  // thinking, tool_use and the like are skipped
      if (StringAt(block, "type") == "text") result->text += StringAt(block, "text");
    result->provider_finish_reason = StringAt(doc, "stop_reason");
    result->finish_reason =
        NormaliseFinishReason(result->provider_finish_reason, !result->text.empty(), kFinish);
    UsageCounts usage;
    if (const json* u = FieldAt(doc, "usage")) usage.Merge(*u);
    result->usage = usage.ToUsage();
    return true;
  }

  std::unique_ptr<StreamDecoder> NewStreamDecoder(TextSink sink) const override {
    return std::make_unique<AnthropicStream>(std::move(sink));
  }

 private:
  void AddAuthAndExtras(HttpRequest* http) const {
    if (!cfg_.api_key.empty()) http->headers.emplace_back("x-api-key", cfg_.api_key);
    http->headers.emplace_back("anthropic-version", kApiVersion);
    AddExtraHeaders(cfg_, http);
  }

  ProviderConfig cfg_;
};

}  // namespace

std::unique_ptr<ProtocolCodec> MakeAnthropicCodec(const ProviderConfig& cfg) {
  return std::make_unique<AnthropicCodec>(cfg);
}

}  // namespace llmctl
