// A protocol codec is the part of an adapter that knows one wire format: it
// builds the HTTP request and reads the response, but never touches the
// network. HttpProvider supplies the transport, so every protocol rule can be
// tested from strings, and retry or fallback logic can wrap any adapter.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "providers/chat.h"
#include "providers/http_client.h"
#include "providers/provider.h"
#include "providers/sse_parser.h"

namespace llmctl {

enum class StreamStep { kMore, kDone, kFailed };

// Reads one streamed response, event by event.
class StreamDecoder {
 public:
  virtual ~StreamDecoder() = default;

  // Consumes one event and passes any answer text to the decoder's sink at
  // once. kDone: the protocol's terminal event arrived. kFailed: the stream
  // carried an error or garbage; *failure says which. After either, no more
  // events are fed.
  virtual StreamStep OnEvent(const SseEvent& event, ProviderFailure* failure) = 0;

  // The stream is over (terminal event, or the server closed it). Returns
  // true with the whole answer in *result when the stream was complete;
  // false with *failure when it was cut short.
  virtual bool Finish(ChatResult* result, ProviderFailure* failure) = 0;

  // With false, answer text only goes to the sink and result->text stays
  // empty: a long answer printed as it streams then costs no memory.
  void set_keep_text(bool keep) { keep_text_ = keep; }

 protected:
  bool keep_text_ = true;
};

class ProtocolCodec {
 public:
  virtual ~ProtocolCodec() = default;

  // The request for one chat call, credentials included.
  virtual HttpRequest BuildChat(const ChatRequest& request) const = 0;

  // The free model-list request used to prove endpoint and key.
  virtual HttpRequest BuildModelList() const = 0;

  // Reads the 2xx body of a call that was not streamed. Returns false with
  // *failure when the body is not an answer.
  virtual bool ParseChat(std::string_view body, ChatResult* result,
                         ProviderFailure* failure) const = 0;

  // A decoder for one streamed response; answer text goes to sink.
  virtual std::unique_ptr<StreamDecoder> NewStreamDecoder(TextSink sink) const = 0;
};

// cfg.base_url, or default_base when it is empty, without trailing slashes.
std::string BaseUrl(const ProviderConfig& cfg, std::string_view default_base);

// A POST of body as JSON, expecting JSON or, when stream, an event stream.
HttpRequest JsonPost(std::string url, const nlohmann::json& body, bool stream);

// A GET expecting JSON.
HttpRequest JsonGet(std::string url);

// Appends the endpoint's configured extra headers (gateways, Azure, OpenRouter).
void AddExtraHeaders(const ProviderConfig& cfg, HttpRequest* http);

// Protocols with a separate system field (Anthropic, Gemini) take the system
// prompt plus any system or developer turns from the message list, which
// would otherwise be rejected or sent as user text.
bool IsSystemRole(const std::string& role);
std::string SystemPrompt(const ChatRequest& request);

// The failure for a 2xx response that is not what the protocol promises:
// not JSON (say, HTML from a captive portal) or a stream cut short.
ProviderFailure MalformedResponse(std::string_view what);

// Parses a non-streamed 2xx body, which every protocol answers with a JSON
// object; anything else fills *failure with MalformedResponse.
bool ParseJsonObject(std::string_view body, nlohmann::json* doc, ProviderFailure* failure);

}  // namespace llmctl
