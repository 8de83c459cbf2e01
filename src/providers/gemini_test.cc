#include "providers/gemini.h"

#include <doctest/doctest.h>

#include "providers/codec_testing.h"

using namespace llmctl;
using nlohmann::json;

namespace {

const std::string kKey = "AIzaSyTEST0123456789abcdefWXYZ";

ProviderConfig Config() {
  ProviderConfig cfg;
  cfg.name = "gemini";
  cfg.kind = ProviderKind::kGemini;
  cfg.api_key = kKey;
  return cfg;
}

ChatRequest Request(bool stream) {
  ChatRequest r;
  r.model = "gemini-2.5-flash";
  r.system = "You are terse.";
  r.messages = {
      {"user", "Hello"}, {"assistant", "Hi."}, {"developer", "Short."}, {"user", "Again"}};
  r.max_tokens = 256;
  r.temperature = 0.2;
  r.stream = stream;
  r.stop = {"\n\n"};
  return r;
}

// The real capture from the protocol notes, with CRLF separators.
const std::string kStream =
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"Certainly\"}],\"role\": \"model\"}}],"
    "\"usageMetadata\": {\"promptTokenCount\": 399,\"totalTokenCount\": 399},\"modelVersion\": \"gemini-1.5-pro-002\"}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"! I'll create a simple page\"}],\"role\": \"model\"}}],"
    "\"usageMetadata\": {\"promptTokenCount\": 399,\"totalTokenCount\": 399},\"modelVersion\": \"gemini-1.5-pro-002\"}\r\n\r\n"
    "data: {\"candidates\": [{\"content\": {\"parts\": [{\"text\": \"\"}],\"role\": \"model\"},\"finishReason\": \"STOP\"}],"
    "\"usageMetadata\": {\"promptTokenCount\": 399,\"candidatesTokenCount\": 191,\"totalTokenCount\": 590,"
    "\"cachedContentTokenCount\": 100,\"thoughtsTokenCount\": 40},\"modelVersion\": \"gemini-1.5-pro-002\"}\r\n\r\n";

}  // namespace

TEST_CASE("gemini: request URL, key header and body") {
  auto codec = MakeGeminiCodec(Config());
  HttpRequest http = codec->BuildChat(Request(false));
  CHECK(http.url ==
        "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
  CHECK(http.url.find(kKey) == std::string::npos);
  CHECK(http.url.find("key=") == std::string::npos);
  CHECK(HeaderOf(http, "x-goog-api-key") == kKey);
  json body = json::parse(http.body);
  CHECK(body["systemInstruction"]["parts"][0]["text"] == "You are terse.\n\nShort.");
  REQUIRE(body["contents"].size() == 3);
  CHECK(body["contents"][0] == json::parse(R"({"role":"user","parts":[{"text":"Hello"}]})"));
  CHECK(body["contents"][1]["role"] == "model");
  CHECK(body["generationConfig"]["maxOutputTokens"] == 256);
  CHECK(body["generationConfig"]["temperature"] == 0.2);
  CHECK(body["generationConfig"]["stopSequences"] == json::array({"\n\n"}));
}

TEST_CASE("gemini: streaming URL, custom base, models/ prefix, model list") {
  ProviderConfig cfg = Config();
  cfg.base_url = "http://127.0.0.1:9999//";
  auto codec = MakeGeminiCodec(cfg);
  ChatRequest r = Request(true);
  r.model = "models/gemini-2.5-pro";
  HttpRequest http = codec->BuildChat(r);
  CHECK(http.url ==
        "http://127.0.0.1:9999/v1beta/models/gemini-2.5-pro:streamGenerateContent?alt=sse");
  CHECK(http.url.find(kKey) == std::string::npos);
  HttpRequest list = codec->BuildModelList();
  CHECK(list.url == "http://127.0.0.1:9999/v1beta/models");
  CHECK(list.url.find(kKey) == std::string::npos);
  CHECK(HeaderOf(list, "x-goog-api-key") == kKey);
}

TEST_CASE("gemini: non-streamed response skips thought parts") {
  ChatResult r;
  ProviderFailure f;
  REQUIRE(
      MakeGeminiCodec(Config())->ParseChat(R"({"candidates":[{"content":{"role":"model","parts":[
      {"text":"Let me think","thought":true},{"text":"Hello "},{"text":"again."}]},"finishReason":"STOP","index":0}],
      "usageMetadata":{"promptTokenCount":12,"candidatesTokenCount":3,"totalTokenCount":25,"thoughtsTokenCount":10,"cachedContentTokenCount":4},
      "modelVersion":"gemini-2.5-flash","responseId":"r"})",
                                           &r, &f));
  CHECK(r.text == "Hello again.");
  CHECK(FinishReasonName(r.finish_reason) == "stop");
  CHECK(r.provider_finish_reason == "STOP");
  CHECK(r.usage.input_tokens == 12);
  CHECK(r.usage.output_tokens == 3);
  CHECK(r.usage.reasoning_tokens == 10);
  CHECK(r.usage.cached_input_tokens == 4);
}

TEST_CASE("gemini: finish reasons") {
  auto codec = MakeGeminiCodec(Config());
  auto finish = [&](const std::string& doc) {
    ChatResult r;
    ProviderFailure f;
    REQUIRE(codec->ParseChat(doc, &r, &f));
    return std::string(FinishReasonName(r.finish_reason));
  };
  CHECK(
      finish(
          R"({"candidates":[{"finishReason":"MAX_TOKENS"}],"usageMetadata":{"thoughtsTokenCount":255}})") ==
      "length");
  CHECK(finish(R"({"candidates":[{"finishReason":"SAFETY","index":0}]})") == "content_filter");
  CHECK(finish(R"({"candidates":[{"finishReason":"RECITATION"}]})") == "content_filter");
  CHECK(finish(R"({"candidates":[{"finishReason":"PROHIBITED_CONTENT"}]})") == "content_filter");
  CHECK(finish(R"({"candidates":[{"finishReason":"SPII"}]})") == "content_filter");
  CHECK(finish(R"({"candidates":[{"finishReason":"MALFORMED_FUNCTION_CALL"}]})") == "error");
  CHECK(finish(R"({"candidates":[{"finishReason":"OTHER"}]})") == "error");
  CHECK(finish(R"({"candidates":[{"content":{"parts":[{"text":"x"}]},"finishReason":"OTHER"}]})") ==
        "stop");
}

TEST_CASE("gemini: a blocked prompt is a content_filter answer") {
  ChatResult r;
  ProviderFailure f;
  REQUIRE(MakeGeminiCodec(Config())->ParseChat(
      R"({"promptFeedback":{"blockReason":"PROHIBITED_CONTENT","safetyRatings":[]},
      "usageMetadata":{"promptTokenCount":7,"totalTokenCount":7},"modelVersion":"gemini-2.5-flash"})",
      &r, &f));
  CHECK(r.text.empty());
  CHECK(FinishReasonName(r.finish_reason) == "content_filter");
  CHECK(r.provider_finish_reason == "PROHIBITED_CONTENT");
  CHECK(r.usage.input_tokens == 7);
}

TEST_CASE("gemini: bodies that are not answers") {
  ChatResult r;
  ProviderFailure f;
  auto codec = MakeGeminiCodec(Config());
  CHECK(!codec->ParseChat(R"({"usageMetadata":{}})", &r, &f));
  CHECK(!codec->ParseChat("not json", &r, &f));
  CHECK(!codec->ParseChat(R"({"error":{"code":503,"message":"overloaded","status":"UNAVAILABLE"}})",
                          &r, &f));
  CHECK(f.error_type == ErrorType::kProviderError);
}

TEST_CASE("gemini: streamed answer with CRLF, whole and byte by byte") {
  auto codec = MakeGeminiCodec(Config());
  for (size_t chunk : {0, 1, 11}) {
    CAPTURE(chunk);
    auto out = ReplayStream(*codec, kStream, chunk);
    REQUIRE(out.ok);
    CHECK(out.sunk == "Certainly! I'll create a simple page");
    CHECK(out.sink_calls == 2);
    CHECK(FinishReasonName(out.result.finish_reason) == "stop");
    CHECK(out.result.usage.input_tokens == 399);
    CHECK(out.result.usage.output_tokens == 191);
    CHECK(out.result.usage.cached_input_tokens == 100);
    CHECK(out.result.usage.reasoning_tokens == 40);
  }
}

TEST_CASE("gemini: a stream that closes before a finishReason is cut") {
  std::string cut = kStream.substr(0, kStream.rfind("data: "));
  auto out = ReplayStream(*MakeGeminiCodec(Config()), cut);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
  CHECK(out.failure.message.find("finishReason") != std::string::npos);
  CHECK(out.sunk == "Certainly! I'll create a simple page");
}

TEST_CASE("gemini: mid-stream error payload") {
  std::string s =
      kStream.substr(0, kStream.find("data: ", 10)) +
      "data: {\"error\":{\"code\":500,\"message\":\"Internal error\",\"status\":\"INTERNAL\"}}\r\n\r\n";
  auto out = ReplayStream(*MakeGeminiCodec(Config()), s);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
  CHECK(out.failure.provider_error_type == "INTERNAL");
  CHECK(out.failure.message == "Internal error");
}

TEST_CASE("gemini: streamed thought parts and a blocked prompt") {
  std::string s =
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"thinking...\",\"thought\":true}]}}]}\r\n\r\n"
      "data: {\"candidates\":[{\"content\":{\"parts\":[{\"text\":\"Answer\"}]},\"finishReason\":\"STOP\"}]}\r\n\r\n";
  auto out = ReplayStream(*MakeGeminiCodec(Config()), s);
  REQUIRE(out.ok);
  CHECK(out.sunk == "Answer");

  auto blocked = ReplayStream(*MakeGeminiCodec(Config()),
                              "data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"}}\r\n\r\n");
  REQUIRE(blocked.ok);
  CHECK(FinishReasonName(blocked.result.finish_reason) == "content_filter");
}

TEST_CASE("gemini: a response schema becomes responseMimeType and responseJsonSchema") {
  auto codec = MakeGeminiCodec(Config());
  ChatRequest r = Request(false);
  CHECK_FALSE(
      json::parse(codec->BuildChat(r).body)["generationConfig"].contains("responseJsonSchema"));
  r.response_schema =
      json::parse(R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
      "properties":{"item":{"$ref":"#/definitions/item","description":"dropped beside $ref"},
                    "s":{"type":"string","minLength":2,"pattern":"x"}},
      "definitions":{"item":{"type":"integer","maximum":9}},"required":["item"],"additionalProperties":false})");
  json config = json::parse(codec->BuildChat(r).body)["generationConfig"];
  CHECK(config["responseMimeType"] == "application/json");
  const json& s = config["responseJsonSchema"];
  CHECK_FALSE(s.contains("$schema"));
  CHECK_FALSE(s.contains("definitions"));
  CHECK(s["$defs"]["item"]["maximum"] == 9);
  CHECK(s["properties"]["item"] == json{{"$ref", "#/$defs/item"}});
  CHECK_FALSE(s["properties"]["s"].contains("minLength"));
  CHECK_FALSE(s["properties"]["s"].contains("pattern"));
  CHECK(s["additionalProperties"] == false);
  CHECK(s["required"] == json::array({"item"}));
  CHECK_FALSE(config.contains("responseSchema"));
}
