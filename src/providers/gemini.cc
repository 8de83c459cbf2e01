#include "providers/gemini.h"

#include <utility>

#include "providers/finish_reason.h"
#include "providers/json_fields.h"
#include "providers/provider_errors.h"
#include "providers/structured_output.h"

namespace llmctl {
namespace {

using nlohmann::json;

constexpr std::string_view kDefaultBase = "https://generativelanguage.googleapis.com";

const FinishTable kFinish = {{"STOP", FinishReason::kStop},
                             {"MAX_TOKENS", FinishReason::kLength},
                             {"SAFETY", FinishReason::kContentFilter},
                             {"RECITATION", FinishReason::kContentFilter},
                             {"BLOCKLIST", FinishReason::kContentFilter},
                             {"PROHIBITED_CONTENT", FinishReason::kContentFilter},
                             {"SPII", FinishReason::kContentFilter},
                             {"IMAGE_SAFETY", FinishReason::kContentFilter},
                             {"IMAGE_PROHIBITED_CONTENT", FinishReason::kContentFilter},
                             {"IMAGE_RECITATION", FinishReason::kContentFilter},
                             {"MALFORMED_FUNCTION_CALL", FinishReason::kError},
                             {"UNEXPECTED_TOOL_CALL", FinishReason::kError},
                             {"TOO_MANY_TOOL_CALLS", FinishReason::kError}};

Usage ReadUsage(const json& u) {
  Usage usage;
  usage.input_tokens = TokenCountAt(u, "promptTokenCount", &usage.untrusted);
  usage.cached_input_tokens = TokenCountAt(u, "cachedContentTokenCount", &usage.untrusted);
  usage.output_tokens =
      TokenCountAt(u, "candidatesTokenCount", &usage.untrusted);  // thoughts not included
  usage.reasoning_tokens = TokenCountAt(u, "thoughtsTokenCount", &usage.untrusted);
  return usage;
}

// Folds GenerateContentResponse documents into one answer. A streamed
// response is a series of them, each with only the new text; a plain
// response is a single one.
class Accumulator {
 public:
  explicit Accumulator(TextSink sink) : sink_(std::move(sink)) {}

  // Returns false with *failure when doc is an error document.
  bool Add(const json& doc, ProviderFailure* failure) {
    if (FieldAt(doc, "error")) {
      *failure = FailureFromStreamError(doc);
      return false;
    }
    // Interim chunks carry partial counts; the last one has them all.
    if (const json* u = FieldAt(doc, "usageMetadata")) usage_ = ReadUsage(*u);
    if (const json* candidate = FirstCandidate(doc)) {
      saw_candidate_ = true;
      if (const json* content = FieldAt(*candidate, "content"))
        if (const json* parts = FieldAt(*content, "parts"); parts && parts->is_array())
          for (const json& part : *parts) AddPart(part);
      if (std::string raw = StringAt(*candidate, "finishReason"); !raw.empty()) {
        raw_finish_ = raw;
        finished_ = true;
      }
    } else if (const json* feedback = FieldAt(doc, "promptFeedback")) {
      // A blocked prompt gets no candidates at all, only the reason.
      if (std::string reason = StringAt(*feedback, "blockReason"); !reason.empty()) {
        raw_finish_ = reason;
        blocked_ = true;
        finished_ = true;
      }
    }
    return true;
  }

  // Whether a document said the answer is over.
  bool finished() const { return finished_; }
  bool saw_answer() const { return saw_candidate_ || blocked_; }

  void Fill(ChatResult* result) {
    result->text = std::move(text_);
    result->provider_finish_reason = raw_finish_;
    result->finish_reason = blocked_ ? FinishReason::kContentFilter
                                     : NormaliseFinishReason(raw_finish_, saw_text_, kFinish);
    result->usage = usage_;
  }

 private:
  static const json* FirstCandidate(const json& doc) {
    const json* candidates = FieldAt(doc, "candidates");
    if (!candidates || !candidates->is_array()) return nullptr;
    for (const json& c : *candidates)
      if (c.is_object() && IntAt(c, "index") == 0) return &c;
    return nullptr;
  }

  void AddPart(const json& part) {
    // Thought summaries are not the answer.
    if (const json* thought = FieldAt(part, "thought");
        thought && thought->is_boolean() && thought->get<bool>())
      return;
    std::string piece = StringAt(part, "text");
    if (piece.empty()) return;
    if (keep_text) text_ += piece;
    saw_text_ = true;
    if (sink_) sink_(piece);
  }

 public:
  bool keep_text = true;  // see StreamDecoder::set_keep_text

 private:
  bool saw_text_ = false;
  TextSink sink_;
  std::string text_, raw_finish_;
  Usage usage_;
  bool saw_candidate_ = false, finished_ = false, blocked_ = false;
};

class GeminiStream : public StreamDecoder {
 public:
  explicit GeminiStream(TextSink sink) : acc_(std::move(sink)) {}

  StreamStep OnEvent(const SseEvent& event, ProviderFailure* failure) override {
    if (event.data.empty()) return StreamStep::kMore;
    json doc = json::parse(event.data, nullptr, /*allow_exceptions=*/false);
    if (event.event == "error") {
      *failure = FailureFromStreamError(doc.is_discarded() ? json(event.data) : doc);
      return StreamStep::kFailed;
    }
    if (!doc.is_object()) {
      *failure = MalformedResponse("stream chunk is not a JSON object");
      return StreamStep::kFailed;
    }
    acc_.keep_text = keep_text_;
    return acc_.Add(doc, failure) ? StreamStep::kMore : StreamStep::kFailed;
  }

  // Gemini has no terminal event: the server just closes the connection, so
  // only a chunk with a finishReason tells a whole answer from a cut one.
  bool Finish(ChatResult* result, ProviderFailure* failure) override {
    if (!acc_.finished()) {
      *failure = MalformedResponse("the stream ended before a chunk with a finishReason");
      return false;
    }
    acc_.Fill(result);
    return true;
  }

 private:
  Accumulator acc_;
};

class GeminiCodec : public ProtocolCodec {
 public:
  explicit GeminiCodec(ProviderConfig cfg) : cfg_(std::move(cfg)) {}

  HttpRequest BuildChat(const ChatRequest& r) const override {
    json contents = json::array();
    for (const Message& m : r.messages) {
      if (IsSystemRole(m.role)) continue;
      contents.push_back({{"role", m.role == "assistant" ? "model" : "user"},
                          {"parts", json::array({{{"text", m.content}}})}});
    }
    json config = {{"maxOutputTokens", r.max_tokens}, {"temperature", r.temperature}};
    if (!r.stop.empty()) config["stopSequences"] = r.stop;
    if (!r.response_schema.is_null()) {
      config["responseMimeType"] = "application/json";
      config["responseJsonSchema"] = GeminiResponseJsonSchema(r.response_schema);
    }
    json body = {{"contents", contents}, {"generationConfig", config}};
    if (std::string system = SystemPrompt(r); !system.empty())
      body["systemInstruction"] = {{"parts", json::array({{{"text", system}}})}};
    // The model list names models "models/x"; accept that form too.
    std::string model = r.model.rfind("models/", 0) == 0 ? r.model.substr(7) : r.model;
    std::string url = BaseUrl(cfg_, kDefaultBase) + "/v1beta/models/" + model +
                      (r.stream ? ":streamGenerateContent?alt=sse" : ":generateContent");
    HttpRequest http = JsonPost(url, body, r.stream);
    AddAuthAndExtras(&http);
    return http;
  }

  HttpRequest BuildModelList() const override {
    HttpRequest http = JsonGet(BaseUrl(cfg_, kDefaultBase) + "/v1beta/models");
    AddAuthAndExtras(&http);
    return http;
  }

  bool ParseChat(std::string_view body, ChatResult* result,
                 ProviderFailure* failure) const override {
    json doc;
    if (!ParseJsonObject(body, &doc, failure)) return false;
    Accumulator acc(nullptr);
    if (!acc.Add(doc, failure)) return false;
    if (!acc.saw_answer()) {
      *failure = MalformedResponse("the response has neither candidates nor a blockReason");
      return false;
    }
    acc.Fill(result);
    return true;
  }

  std::unique_ptr<StreamDecoder> NewStreamDecoder(TextSink sink) const override {
    return std::make_unique<GeminiStream>(std::move(sink));
  }

 private:
  // The key goes in a header, never in the URL, where it would reach proxy
  // and server logs.
  void AddAuthAndExtras(HttpRequest* http) const {
    if (!cfg_.api_key.empty()) http->headers.emplace_back("x-goog-api-key", cfg_.api_key);
    AddExtraHeaders(cfg_, http);
  }

  ProviderConfig cfg_;
};

}  // namespace

std::unique_ptr<ProtocolCodec> MakeGeminiCodec(const ProviderConfig& cfg) {
  return std::make_unique<GeminiCodec>(cfg);
}

}  // namespace llmctl
