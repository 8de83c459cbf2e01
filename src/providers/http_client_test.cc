#include "providers/http_client.h"

#include <doctest/doctest.h>

#include <atomic>
#include <thread>

#include "providers/loopback_server_testing.h"

using namespace llmctl;
using Reply = LoopbackServer::Reply;

TEST_CASE("http: buffered GET with case-insensitive response headers") {
  LoopbackServer server(
      {{{LoopbackServer::Head(200, "X-Request-Id: req_1\r\nContent-Type: application/json\r\n"),
         "{\"data\":[]}"}}});
  HttpRequest req;
  req.method = "GET";
  req.url = server.url() + "/v1/models";
  req.headers = {{"X-Custom", "yes"}};
  HttpResult r = PerformHttp(req, {});
  CHECK(r.error_type == ErrorType::kNone);
  CHECK(r.status == 200);
  CHECK(r.headers.Get("x-request-id") == "req_1");
  CHECK(r.headers.Get("CONTENT-TYPE") == "application/json");
  CHECK(r.headers.Get("missing") == "");
  CHECK(r.body == "{\"data\":[]}");
  CHECK(server.last_request().rfind("GET /v1/models HTTP/1.1\r\n", 0) == 0);
  CHECK(server.last_request().find("X-Custom: yes") != std::string::npos);
}

TEST_CASE("http: POST sends the body without waiting for 100-continue") {
  LoopbackServer server({{{LoopbackServer::Head(201), "ok"}}});
  HttpRequest req;
  req.url = server.url() + "/chat";
  req.body = std::string(200000, 'a');
  HttpResult r = PerformHttp(req, {});
  CHECK(r.status == 201);
  CHECK(server.last_request().find("Expect:") == std::string::npos);
  CHECK(server.last_request().size() > 200000);
}

TEST_CASE("http: a 2xx body streams to on_body as it arrives and is not kept") {
  LoopbackServer server(
      {{{LoopbackServer::Head(200), "data: 1\n\n", "data: 2\n\n", "data: 3\n\n"}, 50}});
  HttpRequest req;
  req.url = server.url();
  std::vector<std::string> pieces;
  HttpCallOptions options;
  options.on_body = [&](std::string_view b) {
    pieces.emplace_back(b);
    return true;
  };
  HttpResult r = PerformHttp(req, options);
  CHECK(r.error_type == ErrorType::kNone);
  CHECK(r.body.empty());
  CHECK(pieces.size() >= 2);
  std::string all;
  for (auto& p : pieces) all += p;
  CHECK(all == "data: 1\n\ndata: 2\n\ndata: 3\n\n");
}

TEST_CASE("http: an error body is buffered even when streaming") {
  LoopbackServer server({{{LoopbackServer::Head(429, "Retry-After: 2\r\n"), "{\"error\":{}}"}}});
  HttpRequest req;
  req.url = server.url();
  bool called = false;
  HttpCallOptions options;
  options.on_body = [&](std::string_view) { return called = true; };
  HttpResult r = PerformHttp(req, options);
  CHECK(r.status == 429);
  CHECK(!called);
  CHECK(r.body == "{\"error\":{}}");
  CHECK(r.headers.Get("retry-after") == "2");
}

TEST_CASE("http: on_body returning false stops the transfer quietly") {
  LoopbackServer server({{{LoopbackServer::Head(200), "first", "second"}, 100}});
  HttpRequest req;
  req.url = server.url();
  int calls = 0;
  HttpCallOptions options;
  options.on_body = [&](std::string_view) { return ++calls < 1; };
  HttpResult r = PerformHttp(req, options);
  CHECK(r.status == 200);
  CHECK(r.error_type == ErrorType::kNone);
  CHECK(calls == 1);
}

TEST_CASE("http: a slow server is a timeout") {
  LoopbackServer server({{{LoopbackServer::Head(200), "late"}, 300}});
  HttpRequest req;
  req.url = server.url();
  HttpCallOptions options;
  options.timeout_seconds = 0.1;
  HttpResult r = PerformHttp(req, options);
  CHECK(r.error_type == ErrorType::kTimeout);
  CHECK(!r.error.empty());
}

TEST_CASE("http: a refused connection is a network error") {
  int port;
  {
    LoopbackServer probe({});  // binds a free port, serves nothing, closes it
    port = std::stoi(probe.url().substr(17));
  }
  HttpRequest req;
  req.url = "http://127.0.0.1:" + std::to_string(port) + "/";
  HttpResult r = PerformHttp(req, {});
  CHECK(r.status == 0);
  CHECK(r.error_type == ErrorType::kNetwork);
}

TEST_CASE("http: cancellation interrupts a transfer in progress and one not yet started") {
  LoopbackServer server({{{LoopbackServer::Head(200), "a", "b"}, 300}});
  std::atomic<bool> cancelled{false};
  HttpRequest req;
  req.url = server.url();
  HttpCallOptions options;
  options.cancelled = &cancelled;
  std::thread canceller([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cancelled = true;
  });
  auto start = std::chrono::steady_clock::now();
  HttpResult r = PerformHttp(req, options);
  canceller.join();
  CHECK(r.error_type == ErrorType::kInterrupted);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(250));

  HttpResult again = PerformHttp(req, options);
  CHECK(again.error_type == ErrorType::kInterrupted);
}
