#include "providers/openai.h"

#include <doctest/doctest.h>

#include "providers/codec_testing.h"

using namespace llmctl;
using nlohmann::json;

namespace {

ProviderConfig OpenAIConfig() {
  ProviderConfig cfg;
  cfg.name = "openai";
  cfg.kind = ProviderKind::kOpenAI;
  cfg.api_key = "sk-test-0123456789abcd";
  return cfg;
}

ProviderConfig CompatConfig() {
  ProviderConfig cfg;
  cfg.name = "ollama";
  cfg.kind = ProviderKind::kOpenAICompatible;
  cfg.base_url = "http://localhost:11434/v1/";
  cfg.max_tokens_field = "max_tokens";
  cfg.extra_headers = {{"X-Title", "llmctl"}};
  return cfg;
}

ChatRequest Request(bool stream) {
  ChatRequest r;
  r.model = "gpt-4o-mini";
  r.system = "You are terse.";
  r.messages = {
      {"user", "Hello"}, {"assistant", "Hi."}, {"developer", "Be brief."}, {"user", "Again"}};
  r.max_tokens = 256;
  r.temperature = 0.2;
  r.stream = stream;
  r.stop = {"\n\n"};
  return r;
}

std::string Chunk(const std::string& choice_json, const std::string& extra = "") {
  return "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\"," +
         extra + "\"choices\":[" + choice_json + "]}\n\n";
}

const std::string kUsageChunk =
    "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"model\":\"gpt-4o-mini-2024-07-18\","
    "\"choices\":[],\"usage\":{\"prompt_tokens\":9,\"completion_tokens\":2,\"total_tokens\":11,"
    "\"prompt_tokens_details\":{\"cached_tokens\":4},\"completion_tokens_details\":{\"reasoning_tokens\":1}}}\n\n";

std::string HappyStream() {
  return Chunk(R"({"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null})",
               "\"usage\":null,") +
         Chunk(R"({"index":0,"delta":{"content":"Hel"},"finish_reason":null})", "\"usage\":null,") +
         Chunk(R"({"index":0,"delta":{"content":"lo"},"finish_reason":null})", "\"usage\":null,") +
         Chunk(R"({"index":0,"delta":{},"finish_reason":"stop"})", "\"usage\":null,") +
         kUsageChunk + "data: [DONE]\n\n";
}

}  // namespace

TEST_CASE("openai: request URL, headers and body") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  HttpRequest http = codec->BuildChat(Request(false));
  CHECK(http.method == "POST");
  CHECK(http.url == "https://api.openai.com/v1/chat/completions");
  CHECK(HeaderOf(http, "Authorization") == "Bearer sk-test-0123456789abcd");
  CHECK(HeaderOf(http, "Content-Type") == "application/json");
  json body = json::parse(http.body);
  CHECK(body["model"] == "gpt-4o-mini");
  CHECK(body["max_completion_tokens"] == 256);
  CHECK(!body.contains("max_tokens"));
  CHECK(body["temperature"] == 0.2);
  CHECK(body["stop"] == json::array({"\n\n"}));
  CHECK(!body.contains("stream"));
  REQUIRE(body["messages"].size() == 5);
  CHECK(body["messages"][0] == json({{"role", "system"}, {"content", "You are terse."}}));
  CHECK(body["messages"][3]["role"] == "developer");  // OpenAI itself knows developer
  CHECK(body["messages"][4] == json({{"role", "user"}, {"content", "Again"}}));
}

TEST_CASE("openai: streaming request asks for usage") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  json body = json::parse(codec->BuildChat(Request(true)).body);
  CHECK(body["stream"] == true);
  CHECK(body["stream_options"]["include_usage"] == true);
}

TEST_CASE("openai-compatible: base URL, max_tokens field, no auth, extra headers") {
  auto codec = MakeOpenAICodec(CompatConfig());
  HttpRequest http = codec->BuildChat(Request(true));
  CHECK(http.url == "http://localhost:11434/v1/chat/completions");
  CHECK(HeaderOf(http, "Authorization") == "");
  CHECK(HeaderOf(http, "X-Title") == "llmctl");
  json body = json::parse(http.body);
  CHECK(body["max_tokens"] == 256);
  CHECK(!body.contains("max_completion_tokens"));
  CHECK(body["stream_options"]["include_usage"] == true);
  CHECK(body["messages"][3]["role"] == "system");  // developer renamed for other servers
  CHECK(codec->BuildModelList().url == "http://localhost:11434/v1/models");
}

TEST_CASE("openai: model list request") {
  HttpRequest http = MakeOpenAICodec(OpenAIConfig())->BuildModelList();
  CHECK(http.method == "GET");
  CHECK(http.url == "https://api.openai.com/v1/models");
  CHECK(HeaderOf(http, "Authorization") == "Bearer sk-test-0123456789abcd");
}

TEST_CASE("openai: non-streamed response") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  ChatResult r;
  ProviderFailure f;
  REQUIRE(codec->ParseChat(R"({"id":"x","object":"chat.completion","model":"gpt-4o-2024-08-06",
      "choices":[{"index":0,"message":{"role":"assistant","content":"Hi there.","refusal":null},"logprobs":null,"finish_reason":"length"}],
      "usage":{"prompt_tokens":19,"completion_tokens":3,"total_tokens":22,
               "prompt_tokens_details":{"cached_tokens":7,"audio_tokens":0},
               "completion_tokens_details":{"reasoning_tokens":2}}})",
                           &r, &f));
  CHECK(r.text == "Hi there.");
  CHECK(FinishReasonName(r.finish_reason) == "length");
  CHECK(r.provider_finish_reason == "length");
  CHECK(r.usage.input_tokens == 19);
  CHECK(r.usage.output_tokens == 3);
  CHECK(r.usage.cached_input_tokens == 7);
  CHECK(r.usage.reasoning_tokens == 2);
}

TEST_CASE("openai: non-streamed refusal, null usage details, unknown finish reasons") {
  auto codec = MakeOpenAICodec(CompatConfig());
  ChatResult r;
  ProviderFailure f;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":null,"refusal":"I can't help with that."},"finish_reason":"stop"}],
      "usage":{"prompt_tokens":5,"completion_tokens":6,"prompt_tokens_details":null}})",
      &r, &f));
  CHECK(r.text == "I can't help with that.");
  CHECK(FinishReasonName(r.finish_reason) == "content_filter");
  CHECK(r.usage.cached_input_tokens == 0);

  ChatResult t;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":"ok"},"finish_reason":"eos"}]})", &t, &f));
  CHECK(FinishReasonName(t.finish_reason) == "stop");
  CHECK(t.provider_finish_reason == "eos");
  ChatResult a;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":"part"},"finish_reason":"abort"}]})", &a, &f));
  CHECK(FinishReasonName(a.finish_reason) == "error");
  ChatResult e;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":""},"finish_reason":"weird"}]})", &e, &f));
  CHECK(FinishReasonName(e.finish_reason) == "error");
  ChatResult tc;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":null,"tool_calls":[]},"finish_reason":"tool_calls"}]})",
      &tc, &f));
  CHECK(FinishReasonName(tc.finish_reason) == "tool_calls");
}

TEST_CASE("openai: non-streamed bodies that are not answers") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  ChatResult r;
  ProviderFailure f;
  CHECK(!codec->ParseChat("<html>portal</html>", &r, &f));
  CHECK(f.error_type == ErrorType::kProviderError);
  CHECK(!codec->ParseChat(R"({"choices":[]})", &r, &f));
  CHECK(f.message.find("choices") != std::string::npos);
  CHECK(!codec->ParseChat(
      R"({"error":{"message":"quota","type":"insufficient_quota","code":"insufficient_quota"}})",
      &r, &f));
  CHECK(f.error_type == ErrorType::kRateLimited);
}

TEST_CASE("openai: streamed answer with usage chunk, whole and byte by byte") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  for (size_t chunk : {0, 1, 7}) {
    CAPTURE(chunk);
    auto out = ReplayStream(*codec, HappyStream(), chunk);
    REQUIRE(out.ok);
    CHECK(out.sunk == "Hello");
    CHECK(out.sink_calls == 2);  // text passes through as it arrives
    CHECK(out.result.text == "Hello");
    CHECK(FinishReasonName(out.result.finish_reason) == "stop");
    CHECK(out.result.usage.input_tokens == 9);
    CHECK(out.result.usage.output_tokens == 2);
    CHECK(out.result.usage.cached_input_tokens == 4);
    CHECK(out.result.usage.reasoning_tokens == 1);
  }
}

TEST_CASE("openai: CRLF stream with comments and Azure empty-choices first chunk") {
  std::string s =
      ": OPENROUTER PROCESSING\r\n\r\n"
      "data: {\"id\":\"\",\"object\":\"\",\"created\":0,\"model\":\"\",\"choices\":[],\"prompt_filter_results\":[]}\r\n\r\n"
      "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"content_filter_results\":{}}]}\r\n\r\n"
      "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"ok\"},\"finish_reason\":null}]}\r\n\r\n"
      "data: {\"id\":\"c\",\"model\":\"gpt-4o\",\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}\r\n\r\n"
      "data: [DONE]\r\n\r\n";
  auto out = ReplayStream(*MakeOpenAICodec(OpenAIConfig()), s, 3);
  REQUIRE(out.ok);
  CHECK(out.result.text == "ok");
  CHECK(out.result.usage.input_tokens == 0);  // no usage chunk: zero, not garbage
}

TEST_CASE("openai: a stream without [DONE] is cut") {
  std::string cut = HappyStream().substr(0, HappyStream().find("data: [DONE]"));
  auto out = ReplayStream(*MakeOpenAICodec(OpenAIConfig()), cut);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
  CHECK(out.failure.message.find("[DONE]") != std::string::npos);
  CHECK(out.sunk == "Hello");  // the text did reach the sink before the cut

  auto mid = ReplayStream(*MakeOpenAICodec(OpenAIConfig()),
                          Chunk(R"({"index":0,"delta":{"content":"Hel"},"finish_reason":null})") +
                              "data: {\"id\":\"c1\",\"cho");
  CHECK(!mid.ok);
}

TEST_CASE("openai-compatible: a close after finish_reason is accepted, before it is not") {
  auto codec = MakeOpenAICodec(CompatConfig());
  std::string finished = Chunk(R"({"index":0,"delta":{"content":"Hi"},"finish_reason":null})") +
                         Chunk(R"({"index":0,"delta":{},"finish_reason":"length"})");
  auto out = ReplayStream(*codec, finished);
  REQUIRE(out.ok);
  CHECK(FinishReasonName(out.result.finish_reason) == "length");
  auto cut =
      ReplayStream(*codec, Chunk(R"({"index":0,"delta":{"content":"Hi"},"finish_reason":null})"));
  CHECK(!cut.ok);
}

TEST_CASE("openai: mid-stream error payload fails the stream") {
  std::string s =
      Chunk(R"({"index":0,"delta":{"content":"Hel"},"finish_reason":null})") +
      "data: {\"error\": {\"message\": \"The server had an error while processing your request. Sorry about that!\", \"type\": \"server_error\"}}\n\n" +
      Chunk(R"({"index":0,"delta":{"content":"never"},"finish_reason":null})") + "data: [DONE]\n\n";
  auto out = ReplayStream(*MakeOpenAICodec(OpenAIConfig()), s);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
  CHECK(out.failure.provider_error_type == "server_error");
  CHECK(out.failure.message.find("Sorry about that") != std::string::npos);
  CHECK(out.sunk == "Hel");  // nothing after the error is read
}

TEST_CASE("openai-compatible: old llama.cpp error field line fails the stream") {
  std::string s =
      Chunk(R"({"index":0,"delta":{"content":"a"},"finish_reason":null})") +
      "error: {\"code\":500,\"message\":\"slot unavailable\",\"type\":\"server_error\"}\n\n";
  auto out = ReplayStream(*MakeOpenAICodec(CompatConfig()), s);
  CHECK(!out.ok);
  CHECK(out.failure.message == "slot unavailable");
}

TEST_CASE("openai: OpenRouter error chunk with finish_reason error") {
  std::string s =
      Chunk(R"({"index":0,"delta":{"content":"a"},"finish_reason":null})") +
      "data: {\"error\":{\"code\":502,\"message\":\"Provider returned error\"},\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"error\"}]}\n\n";
  auto out = ReplayStream(*MakeOpenAICodec(CompatConfig()), s);
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
}

TEST_CASE("openai: Groq x_groq.usage and refusal deltas") {
  std::string s = Chunk(R"({"index":0,"delta":{"refusal":"No."},"finish_reason":null})") +
                  Chunk(R"({"index":0,"delta":{},"finish_reason":"stop"})",
                        "\"x_groq\":{\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}},") +
                  "data: [DONE]\n\n";
  auto out = ReplayStream(*MakeOpenAICodec(CompatConfig()), s);
  REQUIRE(out.ok);
  CHECK(out.result.text == "No.");
  CHECK(FinishReasonName(out.result.finish_reason) == "content_filter");
  CHECK(out.result.usage.input_tokens == 3);
}

TEST_CASE("openai: a chunk that is not JSON fails the stream") {
  auto out = ReplayStream(*MakeOpenAICodec(OpenAIConfig()), "data: {not json\n\ndata: [DONE]\n\n");
  CHECK(!out.ok);
  CHECK(out.failure.error_type == ErrorType::kProviderError);
}

TEST_CASE("openai: a response schema becomes response_format json_schema, strict when it can be") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  ChatRequest r = Request(false);
  json body = json::parse(codec->BuildChat(r).body);
  CHECK_FALSE(body.contains("response_format"));
  r.response_schema =
      json::parse(R"({"$schema":"http://json-schema.org/draft-07/schema#","type":"object",
      "properties":{"a":{"type":"string"}},"required":["a"],"additionalProperties":false})");
  body = json::parse(codec->BuildChat(r).body);
  CHECK(body["response_format"]["type"] == "json_schema");
  CHECK(body["response_format"]["json_schema"]["name"] == "llmctl_answer");
  CHECK(body["response_format"]["json_schema"]["strict"] == true);
  CHECK(body["response_format"]["json_schema"]["schema"]["properties"]["a"]["type"] == "string");
  CHECK_FALSE(body["response_format"]["json_schema"]["schema"].contains("$schema"));
  r.response_schema = json::parse(
      R"({"type":"object","properties":{"a":{"type":"string"},"b":{"type":"integer"}},"required":["a"]})");
  body = json::parse(codec->BuildChat(r).body);
  CHECK(body["response_format"]["json_schema"]["strict"] == false);
}

TEST_CASE("openai: impossible usage is flagged, never converted") {
  auto codec = MakeOpenAICodec(OpenAIConfig());
  for (
      const char* usage :
      {R"({"prompt_tokens":-1e9,"completion_tokens":3})",
       R"({"prompt_tokens":1e300,"completion_tokens":3})",
       R"({"prompt_tokens":18446744073709551615,"completion_tokens":3})",
       R"({"prompt_tokens":5,"completion_tokens":2.5})",
       R"({"prompt_tokens":"12","completion_tokens":3})",
       R"({"prompt_tokens":1000000001,"completion_tokens":3})",
       R"({"prompt_tokens":5,"completion_tokens":3,"prompt_tokens_details":{"cached_tokens":-1}})"}) {
    CAPTURE(usage);
    ChatResult r;
    ProviderFailure f;
    REQUIRE(codec->ParseChat(
        std::string(
            R"({"choices":[{"index":0,"message":{"content":"ok"},"finish_reason":"stop"}],"usage":)") +
            usage + "}",
        &r, &f));
    CHECK_FALSE(r.usage.untrusted.empty());
    CHECK(r.usage.input_tokens >= 0);
    CHECK(r.usage.output_tokens >= 0);
  }
  ChatResult fine;
  ProviderFailure f;
  REQUIRE(codec->ParseChat(
      R"({"choices":[{"index":0,"message":{"content":"ok"},"finish_reason":"stop"}],
      "usage":{"prompt_tokens":1000000000,"completion_tokens":3.0,"prompt_tokens_details":null}})",
      &fine, &f));
  CHECK(fine.usage.untrusted.empty());
  CHECK(fine.usage.input_tokens == 1'000'000'000);
  CHECK(fine.usage.output_tokens == 3);
}
