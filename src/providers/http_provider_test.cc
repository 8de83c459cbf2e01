#include "providers/http_provider.h"

#include <doctest/doctest.h>

#include <string>

#include "providers/anthropic.h"
#include "providers/gemini.h"
#include "providers/loopback_server_testing.h"
#include "providers/openai.h"

using namespace llmctl;
using nlohmann::json;
using Reply = LoopbackServer::Reply;

namespace {

const std::string kKey = "sk-live-0123456789abcdefWXYZ";

ProviderConfig OpenAIAt(const std::string& base) {
  ProviderConfig cfg;
  cfg.name = "openai";
  cfg.kind = ProviderKind::kOpenAI;
  cfg.base_url = base;
  cfg.api_key = kKey;
  return cfg;
}

ChatRequest Hello(bool stream) {
  ChatRequest r;
  r.model = "gpt-4o-mini";
  r.messages = {{"user", "Hello"}};
  r.stream = stream;
  return r;
}

std::string Chunk(const std::string& content, const std::string& finish = "null") {
  return "data: {\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" +
         content + "\"},\"finish_reason\":" + finish + "}]}\n\n";
}

}  // namespace

TEST_CASE("provider: a streamed answer reaches the sink piece by piece") {
  LoopbackServer server(
      {{{LoopbackServer::Head(200, "Content-Type: text/event-stream\r\n"), Chunk("Hel"),
         Chunk("lo", "\"stop\""),
         "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n",
         "data: [DONE]\n\n"},
        20}});
  HttpProvider provider(OpenAIAt(server.url() + "/v1/"),
                        MakeOpenAICodec(OpenAIAt(server.url() + "/v1/")));
  std::vector<std::string> pieces;
  AttemptOptions options;
  options.on_text = [&](std::string_view t) { pieces.emplace_back(t); };
  ChatResult result;
  ProviderFailure failure;
  REQUIRE(provider.Complete(Hello(true), options, &result, &failure));
  CHECK(pieces == std::vector<std::string>{"Hel", "lo"});
  CHECK(result.text == "Hello");
  CHECK(result.http_status == 200);
  CHECK(result.usage.output_tokens == 2);
  REQUIRE(result.ttft_ms);
  CHECK(*result.ttft_ms > 0);
  std::string sent = server.last_request();
  CHECK(sent.rfind("POST /v1/chat/completions HTTP/1.1", 0) == 0);
  CHECK(sent.find("Authorization: Bearer " + kKey) != std::string::npos);
}

TEST_CASE("provider: a non-streamed answer is passed to the sink once, without ttft") {
  LoopbackServer server(
      {{{LoopbackServer::Head(200),
         R"({"model":"gpt-4o-mini","choices":[{"index":0,"message":{"content":"Hi"},"finish_reason":"stop"}]})"}}});
  ProviderConfig cfg = OpenAIAt(server.url());
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  int calls = 0;
  AttemptOptions options;
  options.on_text = [&](std::string_view) { ++calls; };
  ChatResult result;
  ProviderFailure failure;
  REQUIRE(provider.Complete(Hello(false), options, &result, &failure));
  CHECK(calls == 1);
  CHECK(result.text == "Hi");
  CHECK(!result.ttft_ms);
}

TEST_CASE("provider: an HTTP error is classified and never echoes the key") {
  LoopbackServer server(
      {{{LoopbackServer::Head(401, "Content-Type: application/json\r\n"),
         R"({"error":{"message":"Incorrect API key provided: )" + kKey +
             R"(.","type":"invalid_request_error","code":"invalid_api_key"}})"}}});
  ProviderConfig cfg = OpenAIAt(server.url());
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  ChatResult result;
  ProviderFailure failure;
  CHECK(!provider.Complete(Hello(true), {}, &result, &failure));
  CHECK(failure.error_type == ErrorType::kAuth);
  CHECK(failure.http_status == 401);
  CHECK(failure.message.find(kKey) == std::string::npos);
  CHECK(failure.message.find("sk-\u2026WXYZ") != std::string::npos);
  CHECK(!failure.output_started);
}

TEST_CASE("provider: 429 carries the wait hint") {
  LoopbackServer server(
      {{{LoopbackServer::Head(429, "retry-after: 2\r\n"),
         R"({"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}})"}}});
  ProviderConfig cfg = OpenAIAt(server.url());
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  ChatResult result;
  ProviderFailure failure;
  CHECK(!provider.Complete(Hello(false), {}, &result, &failure));
  CHECK(failure.error_type == ErrorType::kRateLimited);
  CHECK(failure.retry_after_ms == 2000);
}

TEST_CASE("provider: a stream cut after text is a failure with output_started") {
  LoopbackServer server({{{LoopbackServer::Head(200), Chunk("partial")}}});
  ProviderConfig cfg = OpenAIAt(server.url());
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  std::string printed;
  AttemptOptions options;
  options.on_text = [&](std::string_view t) { printed += t; };
  ChatResult result;
  ProviderFailure failure;
  CHECK(!provider.Complete(Hello(true), options, &result, &failure));
  CHECK(printed == "partial");
  CHECK(failure.output_started);
  CHECK(failure.error_type == ErrorType::kProviderError);
  CHECK(failure.http_status == 200);
}

TEST_CASE("provider: a mid-stream timeout is a timeout with output_started") {
  LoopbackServer server({{{LoopbackServer::Head(200) + Chunk("a"), Chunk("b")}, 300}});
  ProviderConfig cfg = OpenAIAt(server.url());
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  AttemptOptions options;
  options.timeout_seconds = 0.5;
  options.on_text = [](std::string_view) {};
  // The head arrives after 300 ms and the next chunk after 600 ms, past the limit.
  ChatResult result;
  ProviderFailure failure;
  CHECK(!provider.Complete(Hello(true), options, &result, &failure));
  CHECK(failure.error_type == ErrorType::kTimeout);
  CHECK(failure.output_started);
}

TEST_CASE("provider: Anthropic stream end to end") {
  std::string body =
      "event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"model\":\"claude-haiku-4-5\",\"usage\":{\"input_tokens\":4,\"output_tokens\":1}}}\n\n"
      "event: content_block_delta\ndata: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Yo\"}}\n\n"
      "event: message_delta\ndata: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":2}}\n\n"
      "event: message_stop\ndata: {\"type\":\"message_stop\"}\n\n";
  LoopbackServer server({{{LoopbackServer::Head(200), body}}});
  ProviderConfig cfg;
  cfg.kind = ProviderKind::kAnthropic;
  cfg.base_url = server.url();
  cfg.api_key = kKey;
  HttpProvider provider(cfg, MakeAnthropicCodec(cfg));
  ChatRequest r = Hello(true);
  r.model = "claude-haiku-4-5";
  ChatResult result;
  ProviderFailure failure;
  REQUIRE(provider.Complete(r, {}, &result, &failure));
  CHECK(result.text == "Yo");
  CHECK(server.last_request().find("x-api-key: " + kKey) != std::string::npos);
  CHECK(server.last_request().find("anthropic-version: 2023-06-01") != std::string::npos);
}

TEST_CASE("provider: DescribeRequest masks every credential") {
  ProviderConfig cfg = OpenAIAt("https://gateway.example/v1");
  cfg.kind = ProviderKind::kOpenAICompatible;
  cfg.extra_headers = {{"X-Gateway-Token", "gw-0123456789abcdef"}, {"HTTP-Referer", "https://x"}};
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  json d = provider.DescribeRequest(Hello(false));
  CHECK(d["method"] == "POST");
  CHECK(d["url"] == "https://gateway.example/v1/chat/completions");
  CHECK(d["headers"]["Authorization"] == "Bearer sk-\u2026WXYZ");
  CHECK(d["headers"]["X-Gateway-Token"] == "gw-\u2026cdef");
  CHECK(d["headers"]["HTTP-Referer"] == "https://x");
  CHECK(d["body"]["model"] == "gpt-4o-mini");
  CHECK(d.dump().find(kKey) == std::string::npos);
  CHECK(d.dump().find("gw-0123456789abcdef") == std::string::npos);

  ProviderConfig g;
  g.kind = ProviderKind::kGemini;
  g.api_key = "AIzaSyTEST0123456789abcdefWXYZ";
  json gd = HttpProvider(g, MakeGeminiCodec(g)).DescribeRequest(Hello(true));
  CHECK(gd["headers"]["x-goog-api-key"] == "AIz\u2026WXYZ");
  CHECK(gd.dump().find(g.api_key) == std::string::npos);
}

TEST_CASE("provider: Ping lists models or says why not") {
  LoopbackServer server({{{LoopbackServer::Head(200), R"({"data":[{"id":"a"},{"id":"b"}]})"}},
                         {{LoopbackServer::Head(403),
                           R"({"error":{"message":"no access","type":"permission_error"}})"}}});
  ProviderConfig cfg = OpenAIAt(server.url() + "/v1");
  HttpProvider provider(cfg, MakeOpenAICodec(cfg));
  std::string detail;
  CHECK(provider.Ping(2, &detail));
  CHECK(detail.find("2 models") != std::string::npos);
  CHECK(server.last_request().rfind("GET /v1/models", 0) == 0);
  CHECK(!provider.Ping(2, &detail));
  CHECK(detail.find("403") != std::string::npos);
  CHECK(detail.find("no access") != std::string::npos);
}

TEST_CASE("provider: MakeProvider picks the adapter by kind") {
  for (ProviderKind kind : {ProviderKind::kOpenAI, ProviderKind::kOpenAICompatible,
                            ProviderKind::kAnthropic, ProviderKind::kGemini, ProviderKind::kMock}) {
    ProviderConfig cfg;
    cfg.name = "p";
    cfg.kind = kind;
    auto p = MakeProvider(cfg);
    REQUIRE(p);
    CHECK(p->config().kind == kind);
  }
  ProviderConfig a;
  a.kind = ProviderKind::kAnthropic;
  CHECK(MakeProvider(a)->DescribeRequest(Hello(false))["url"] ==
        "https://api.anthropic.com/v1/messages");
}
