#include "providers/anthropic.h"

#include <doctest/doctest.h>

#include "providers/codec_testing.h"

using namespace llmctl;
using nlohmann::json;

namespace {

ProviderConfig Config() {
  ProviderConfig cfg;
  cfg.name = "anthropic";
  cfg.kind = ProviderKind::kAnthropic;
  cfg.base_url = "https://api.anthropic.com/";
  cfg.api_key = "sk-ant-test-0123456789wxyz";
  return cfg;
}

ChatRequest Request(bool stream) {
  ChatRequest r;
  r.model = "claude-haiku-4-5";
  r.system = "You are terse.";
  r.messages = {
      {"system", "Answer in English."}, {"user", "Hello"}, {"assistant", "Hi."}, {"user", "Again"}};
  r.max_tokens = 300;
  r.temperature = 0.5;
  r.stream = stream;
  r.stop = {"END"};
  return r;
}

// The SDK's basic_response.txt fixture, ping included.
const std::string kBasicStream = R"(event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-3-opus-latest","stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":11,"output_tokens":1,"cache_creation_input_tokens":5,"cache_read_input_tokens":100}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: ping
data: {"type": "ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hello"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":" there"}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"!"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"end_turn","stop_sequence":null},"usage":{"output_tokens":6}}

event: message_stop
data: {"type":"message_stop"}

)";

}  // namespace

TEST_CASE("anthropic: request URL, headers and body") {
  auto codec = MakeAnthropicCodec(Config());
  HttpRequest http = codec->BuildChat(Request(true));
  CHECK(http.url == "https://api.anthropic.com/v1/messages");
  CHECK(HeaderOf(http, "x-api-key") == "sk-ant-test-0123456789wxyz");
  CHECK(HeaderOf(http, "anthropic-version") == "2023-06-01");
  CHECK(HeaderOf(http, "Authorization") == "");
  json body = json::parse(http.body);
  CHECK(body["model"] == "claude-haiku-4-5");
  CHECK(body["max_tokens"] == 300);
  CHECK(body["system"] == "You are terse.\n\nAnswer in English.");
  CHECK(body["stop_sequences"] == json::array({"END"}));
  CHECK(body["stream"] == true);
  CHECK(body["temperature"] == 0.5);
  REQUIRE(body["messages"].size() == 3);  // the system turn moved to "system"
  CHECK(body["messages"][0] == json({{"role", "user"}, {"content", "Hello"}}));
  CHECK(body["messages"][1]["role"] == "assistant");
  HttpRequest list = codec->BuildModelList();
  CHECK(list.method == "GET");
  CHECK(list.url == "https://api.anthropic.com/v1/models");
  CHECK(HeaderOf(list, "anthropic-version") == "2023-06-01");
}

TEST_CASE("anthropic: no system field without a system prompt") {
  ChatRequest r;
  r.model = "m";
  r.messages = {{"user", "x"}};
  json body = json::parse(MakeAnthropicCodec(Config())->BuildChat(r).body);
  CHECK(!body.contains("system"));
  CHECK(!body.contains("stream"));
  CHECK(!body.contains("stop_sequences"));
}

TEST_CASE("anthropic: non-streamed response") {
  ChatResult r;
  ProviderFailure f;
  REQUIRE(
      MakeAnthropicCodec(Config())->ParseChat(R"({"id":"msg_1","type":"message","role":"assistant",
      "model":"claude-sonnet-4-5-20250929",
      "content":[{"type":"thinking","thinking":"hmm","signature":"s"},{"type":"text","text":"Hi! "},{"type":"text","text":"How can I help?"}],
      "stop_reason":"max_tokens","stop_sequence":null,
      "usage":{"input_tokens":12,"output_tokens":9,"cache_creation_input_tokens":3,"cache_read_input_tokens":20}})",
                                              &r, &f));
  CHECK(r.text == "Hi! How can I help?");
  CHECK(FinishReasonName(r.finish_reason) == "length");
  CHECK(r.provider_finish_reason == "max_tokens");
  CHECK(r.usage.input_tokens == 35);
  CHECK(r.usage.cached_input_tokens == 20);
  CHECK(r.usage.cache_write_tokens == 3);
  CHECK(r.usage.output_tokens == 9);
}

TEST_CASE("anthropic: stop reasons") {
  auto codec = MakeAnthropicCodec(Config());
  auto finish = [&](const std::string& raw, const std::string& text) {
    ChatResult r;
    ProviderFailure f;
    REQUIRE(codec->ParseChat(R"({"type":"message","content":[{"type":"text","text":")" + text +
                                 R"("}],"stop_reason":")" + raw + R"("})",
                             &r, &f));
    return std::string(FinishReasonName(r.finish_reason));
  };
  CHECK(finish("end_turn", "a") == "stop");
  CHECK(finish("stop_sequence", "a") == "stop");
  CHECK(finish("tool_use", "") == "tool_calls");
  CHECK(finish("refusal", "") == "content_filter");
  CHECK(finish("model_context_window_exceeded", "a") == "length");
  CHECK(finish("pause_turn", "a") == "stop");
  CHECK(finish("pause_turn", "") == "error");
}

TEST_CASE("anthropic: error bodies with status 200 are failures") {
  ChatResult r;
  ProviderFailure f;
  CHECK(!MakeAnthropicCodec(Config())->ParseChat(
      R"({"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}})", &r, &f));
  CHECK(f.error_type == ErrorType::kProviderError);
  CHECK(f.message == "Overloaded");
  CHECK(!MakeAnthropicCodec(Config())->ParseChat(R"({"type":"message"})", &r, &f));
}

TEST_CASE("anthropic: streamed answer with ping and cumulative usage") {
  auto codec = MakeAnthropicCodec(Config());
  for (size_t chunk : {0, 1, 13}) {
    CAPTURE(chunk);
    auto out = ReplayStream(*codec, kBasicStream, chunk);
    REQUIRE(out.ok);
    CHECK(out.sunk == "Hello there!");
    CHECK(out.sink_calls == 3);
    CHECK(FinishReasonName(out.result.finish_reason) == "stop");
    CHECK(out.result.provider_finish_reason == "end_turn");
    CHECK(out.result.usage.output_tokens == 6);
    CHECK(out.result.usage.input_tokens == 116);
    CHECK(out.result.usage.cached_input_tokens == 100);
    CHECK(out.result.usage.cache_write_tokens == 5);
  }
}

TEST_CASE("anthropic: message_delta usage overwrites only the counts it carries") {
  std::string s = R"(event: message_start
data: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":10,"output_tokens":1}}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"max_tokens"},"usage":{"output_tokens":50,"input_tokens":12,"cache_read_input_tokens":null}}

event: message_stop
data: {"type":"message_stop"}

)";
  auto out = ReplayStream(*MakeAnthropicCodec(Config()), s);
  REQUIRE(out.ok);
  CHECK(out.result.usage.input_tokens == 12);
  CHECK(out.result.usage.output_tokens == 50);
  CHECK(FinishReasonName(out.result.finish_reason) == "length");
  CHECK(out.result.text.empty());
}

TEST_CASE("anthropic: a stream without message_stop is cut") {
  std::string cut = kBasicStream.substr(0, kBasicStream.find("event: message_stop"));
  auto out = ReplayStream(*MakeAnthropicCodec(Config()), cut);
  CHECK(!out.ok);
  CHECK(out.failure.message.find("message_stop") != std::string::npos);
  CHECK(out.sunk == "Hello there!");

  auto mid = ReplayStream(*MakeAnthropicCodec(Config()), kBasicStream.substr(0, 700), 5);
  CHECK(!mid.ok);
}

TEST_CASE("anthropic: mid-stream error event") {
  std::string s =
      kBasicStream.substr(0, kBasicStream.find("event: content_block_stop")) +
      "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n";
  auto out = ReplayStream(*MakeAnthropicCodec(Config()), s, 9);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
  CHECK(out.failure.provider_error_type == "overloaded_error");
  CHECK(out.failure.http_status == 200);
  CHECK(out.failure.message == "Overloaded");
}

TEST_CASE("anthropic: refusal stream and unknown events") {
  std::string s = R"(event: message_start
data: {"type":"message_start","message":{"model":"m","usage":{"input_tokens":5,"output_tokens":0}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

event: brand_new_event
data: {"type":"brand_new_event"}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"refusal","stop_sequence":null,"stop_details":{"type":"refusal","category":"cyber"}},"usage":{"output_tokens":0}}

event: message_stop
data: {"type":"message_stop"}
)";
  auto out = ReplayStream(*MakeAnthropicCodec(Config()), s);
  REQUIRE(out.ok);
  CHECK(FinishReasonName(out.result.finish_reason) == "content_filter");
  CHECK(out.result.provider_finish_reason == "refusal");
  CHECK(out.sink_calls == 0);
}

TEST_CASE("anthropic: thinking and tool deltas are not answer text") {
  std::string s = R"(event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"secret"}}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{"}}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":3}}

event: message_stop
data: {"type":"message_stop"}

)";
  auto out = ReplayStream(*MakeAnthropicCodec(Config()), s);
  REQUIRE(out.ok);
  CHECK(out.sunk.empty());
  CHECK(FinishReasonName(out.result.finish_reason) == "tool_calls");
}

TEST_CASE("anthropic: a response schema becomes output_config json_schema with objects closed") {
  auto codec = MakeAnthropicCodec(Config());
  ChatRequest r = Request(false);
  CHECK_FALSE(json::parse(codec->BuildChat(r).body).contains("output_config"));
  r.response_schema =
      json::parse(R"({"type":"object","properties":{"n":{"type":"integer","minimum":1},
      "list":{"type":"array","minItems":2,"items":{"type":"object","properties":{"x":{"type":"string","maxLength":3}}}}},
      "required":["n"]})");
  json body = json::parse(codec->BuildChat(r).body);
  const json& format = body["output_config"]["format"];
  CHECK(format["type"] == "json_schema");
  CHECK(format["schema"]["additionalProperties"] == false);
  CHECK(format["schema"]["required"] == json::array({"n"}));
  CHECK_FALSE(format["schema"]["properties"]["n"].contains("minimum"));
  CHECK_FALSE(format["schema"]["properties"]["list"].contains("minItems"));
  CHECK(format["schema"]["properties"]["list"]["items"]["additionalProperties"] == false);
  CHECK_FALSE(
      format["schema"]["properties"]["list"]["items"]["properties"]["x"].contains("maxLength"));
}

TEST_CASE("anthropic: an impossible usage part is flagged and the sum cannot overflow") {
  ChatResult r;
  ProviderFailure f;
  REQUIRE(MakeAnthropicCodec(Config())->ParseChat(
      R"({"type":"message","content":[{"type":"text","text":"x"}],
      "stop_reason":"end_turn",
      "usage":{"input_tokens":9223372036854775807,"output_tokens":1,"cache_read_input_tokens":9223372036854775807}})",
      &r, &f));
  CHECK_FALSE(r.usage.untrusted.empty());
  CHECK(r.usage.input_tokens >= 0);
}
