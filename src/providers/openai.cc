#include "providers/openai.h"

#include <utility>

#include "providers/finish_reason.h"
#include "providers/json_fields.h"
#include "providers/provider_errors.h"
#include "providers/structured_output.h"

namespace llmctl {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultBase = "https://api.openai.com/v1";

// "eos"/"eos_token" come from servers (TGI-style) with their own vocabulary.
const FinishTable kFinish = {{"stop", FinishReason::kStop},
                             {"eos", FinishReason::kStop},
                             {"eos_token", FinishReason::kStop},
                             {"length", FinishReason::kLength},
                             {"content_filter", FinishReason::kContentFilter},
                             {"tool_calls", FinishReason::kToolCalls},
                             {"function_call", FinishReason::kToolCalls}};

Usage ReadUsage(const json& u) {
  Usage usage;
  usage.input_tokens = TokenCountAt(u, "prompt_tokens", &usage.untrusted);
  usage.output_tokens =
      TokenCountAt(u, "completion_tokens", &usage.untrusted);  // reasoning included
  if (const json* d = FieldAt(u, "prompt_tokens_details"))
    usage.cached_input_tokens = TokenCountAt(*d, "cached_tokens", &usage.untrusted);
  if (const json* d = FieldAt(u, "completion_tokens_details"))
    usage.reasoning_tokens = TokenCountAt(*d, "reasoning_tokens", &usage.untrusted);
  return usage;
}

// The usage object of a response or chunk: top-level, or Groq's older
// x_groq.usage. nullptr when the chunk has none (usage: null until the end).
const json* UsageOf(const json& doc) {
  if (const json* u = FieldAt(doc, "usage"); u && u->is_object()) return u;
  if (const json* groq = FieldAt(doc, "x_groq"))
    if (const json* u = FieldAt(*groq, "usage"); u && u->is_object()) return u;
  return nullptr;
}

// The choice with index 0 (one is asked for), or nullptr: the usage chunk and
// Azure's filter-result chunks have an empty choices array.
const json* FirstChoice(const json& doc) {
  const json* choices = FieldAt(doc, "choices");
  if (!choices || !choices->is_array()) return nullptr;
  for (const json& c : *choices)
    if (c.is_object() && IntAt(c, "index") == 0) return &c;
  return nullptr;
}

// A refusal is the model's answer text, but the call was filtered.
FinishReason Finish(const std::string& raw, bool has_text, bool refused) {
  const FinishReason finish = NormaliseFinishReason(raw, has_text, kFinish);
  return refused && finish == FinishReason::kStop ? FinishReason::kContentFilter : finish;
}

class OpenAIStream : public StreamDecoder {
 public:
  OpenAIStream(TextSink sink, bool require_done)
      : sink_(std::move(sink)), require_done_(require_done) {}

  StreamStep OnEvent(const SseEvent& event, ProviderFailure* failure) override {
    if (event.data.rfind("[DONE]", 0) == 0) {
      saw_done_ = true;
      return StreamStep::kDone;
    }
    if (event.data.empty()) return StreamStep::kMore;
    json doc = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    // Checked before the chunk shape: an error payload (or an old llama.cpp
    // `error:` line) is a failure even though the status was 200.
    if (event.event == "error" || FieldAt(doc, "error")) {
      *failure = FailureFromStreamError(doc.is_discarded() ? json(event.data) : doc);
      return StreamStep::kFailed;
    }
    if (!doc.is_object()) {
      *failure = MalformedResponse("stream chunk is not a JSON object");
      return StreamStep::kFailed;
    }
    if (const json* u = UsageOf(doc)) usage_ = ReadUsage(*u);
    const json* choice = FirstChoice(doc);
    if (!choice) return StreamStep::kMore;
    if (const json* delta = FieldAt(*choice, "delta")) {
      Append(StringAt(*delta, "content"));
      std::string refusal = StringAt(*delta, "refusal");
      refused_ = refused_ || !refusal.empty();
      Append(refusal);
    }
    if (std::string raw = StringAt(*choice, "finish_reason"); !raw.empty()) {
      raw_finish_ = raw;
      saw_finish_ = true;
    }
    return StreamStep::kMore;
  }

  bool Finish(ChatResult* result, ProviderFailure* failure) override {
    // OpenAI always ends with [DONE], so without it the stream was cut. Some
    // compatible servers close right after the finish_reason chunk instead;
    // that chunk proves the answer ended, so for them a close after it is
    // accepted (the usage chunk may then be missing, leaving usage at 0).
    if (!saw_done_ && (require_done_ || !saw_finish_)) {
      *failure = MalformedResponse("the stream ended without data: [DONE]");
      return false;
    }
    result->text = std::move(text_);
    result->provider_finish_reason = raw_finish_;
    result->finish_reason = llmctl::Finish(raw_finish_, saw_text_, refused_);
    result->usage = usage_;
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
  bool require_done_;
  bool saw_text_ = false;
  std::string text_, raw_finish_;
  Usage usage_;
  bool saw_done_ = false, saw_finish_ = false, refused_ = false;
};

class OpenAICodec : public ProtocolCodec {
 public:
  explicit OpenAICodec(ProviderConfig cfg) : cfg_(std::move(cfg)) {}

  HttpRequest BuildChat(const ChatRequest& r) const override {
    json messages = json::array();
    if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
    for (const Message& m : r.messages) {
      // "developer" is OpenAI's newer name for "system"; other servers
      // mostly know only the old one.
      bool rename = cfg_.kind == ProviderKind::kOpenAICompatible && m.role == "developer";
      messages.push_back({{"role", rename ? "system" : m.role}, {"content", m.content}});
    }
    std::string max_field =
        cfg_.max_tokens_field.empty() ? "max_completion_tokens" : cfg_.max_tokens_field;
    json body = {{"model", r.model},
                 {"messages", messages},
                 {max_field, r.max_tokens},
                 {"temperature", r.temperature}};
    if (!r.stop.empty()) body["stop"] = r.stop;
    if (!r.response_schema.is_null())
      body["response_format"] = OpenAIResponseFormat(r.response_schema);
    if (r.stream) {
      body["stream"] = true;
      body["stream_options"] = {{"include_usage", true}};
    }
    HttpRequest http = JsonPost(BaseUrl(cfg_, kDefaultBase) + "/chat/completions", body, r.stream);
    AddAuthAndExtras(&http);
    return http;
  }

  HttpRequest BuildModelList() const override {
    HttpRequest http = JsonGet(BaseUrl(cfg_, kDefaultBase) + "/models");
    AddAuthAndExtras(&http);
    return http;
  }

  bool ParseChat(std::string_view body, ChatResult* result,
                 ProviderFailure* failure) const override {
    json doc;
    if (!ParseJsonObject(body, &doc, failure)) return false;
    if (FieldAt(doc, "error")) {
      *failure = FailureFromStreamError(doc);
      return false;
    }
    const json* choice = FirstChoice(doc);
    const json* message = choice ? FieldAt(*choice, "message") : nullptr;
    if (!message) {
      *failure = MalformedResponse("the response has no choices[0].message");
      return false;
    }
    result->text = StringAt(*message, "content");
    std::string refusal = StringAt(*message, "refusal");
    if (result->text.empty()) result->text = refusal;
    result->provider_finish_reason = StringAt(*choice, "finish_reason");
    result->finish_reason =
        Finish(result->provider_finish_reason, !result->text.empty(), !refusal.empty());
    if (const json* u = UsageOf(doc)) result->usage = ReadUsage(*u);
    return true;
  }

  std::unique_ptr<StreamDecoder> NewStreamDecoder(TextSink sink) const override {
    return std::make_unique<OpenAIStream>(std::move(sink), cfg_.kind == ProviderKind::kOpenAI);
  }

 private:
  // Local servers usually run without a key, so Authorization is optional.
  void AddAuthAndExtras(HttpRequest* http) const {
    if (!cfg_.api_key.empty())
      http->headers.emplace_back("Authorization", "Bearer " + cfg_.api_key);
    AddExtraHeaders(cfg_, http);
  }

  ProviderConfig cfg_;
};

}  // namespace

std::unique_ptr<ProtocolCodec> MakeOpenAICodec(const ProviderConfig& cfg) {
  return std::make_unique<OpenAICodec>(cfg);
}

}  // namespace llmctl
