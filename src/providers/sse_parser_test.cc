#include "providers/sse_parser.h"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace llmctl;

namespace {

struct Collector {
  std::vector<SseEvent> events;
  SseParser parser{[this](const SseEvent& e) { events.push_back(e); }};
};

std::vector<SseEvent> ParseWhole(std::string_view stream) {
  Collector c;
  c.parser.Feed(stream);
  c.parser.Finish();
  return c.events;
}

std::vector<SseEvent> ParseBytewise(std::string_view stream) {
  Collector c;
  for (char ch : stream) c.parser.Feed(std::string_view(&ch, 1));
  c.parser.Finish();
  return c.events;
}

std::vector<std::string> Data(const std::vector<SseEvent>& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.push_back(e.data);
  return out;
}

}  // namespace

TEST_CASE("sse: data-only events with LF endings") {
  auto events = ParseWhole("data: {\"a\":1}\n\ndata: [DONE]\n\n");
  REQUIRE(events.size() == 2);
  CHECK(events[0].event == "");
  CHECK(events[0].data == "{\"a\":1}");
  CHECK(events[1].data == "[DONE]");
}

TEST_CASE("sse: CRLF and bare CR line endings") {
  CHECK(Data(ParseWhole("data: a\r\n\r\ndata: b\r\n\r\n")) == std::vector<std::string>{"a", "b"});
  CHECK(Data(ParseWhole("data: a\r\rdata: b\r\r")) == std::vector<std::string>{"a", "b"});
  CHECK(Data(ParseWhole("data: a\r\n\ndata: b\n\r\n")) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("sse: CR at the end of one chunk and LF at the start of the next count once") {
  Collector c;
  c.parser.Feed("data: a\r");
  c.parser.Feed("\ndata: b\r");
  c.parser.Feed("\n\r");
  CHECK(c.events.size() == 1);  // the blank line (lone CR) dispatched "a\nb"
  c.parser.Feed("\n");          // pairs with the CR before it: no second blank line
  c.parser.Finish();
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].data == "a\nb");
}

TEST_CASE("sse: an empty chunk between CR and LF keeps the pairing") {
  Collector c;
  c.parser.Feed("data: a\r");
  c.parser.Feed("");
  c.parser.Feed("\n\r\n");
  c.parser.Finish();
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].data == "a");
}

TEST_CASE("sse: comments are ignored") {
  auto events = ParseWhole(": OPENROUTER PROCESSING\n\n:\ndata: x\n: between\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "x");
}

TEST_CASE("sse: multiple data lines join with newline") {
  auto events = ParseWhole("data: one\ndata:two\ndata\ndata:  three\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "one\ntwo\n\n three");  // only one leading space is stripped
}

TEST_CASE("sse: event, id and retry fields") {
  Collector c;
  c.parser.Feed("event: message_start\nid: 7\nretry: 1500\ndata: {}\n\ndata: next\n\n");
  c.parser.Finish();
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[0].event == "message_start");
  CHECK(c.events[0].id == "7");
  CHECK(c.events[1].event == "");  // the event name resets after dispatch...
  CHECK(c.events[1].id == "7");    // ...the id does not
  REQUIRE(c.parser.retry_ms());
  CHECK(*c.parser.retry_ms() == 1500);
}

TEST_CASE("sse: a malformed retry value is ignored") {
  Collector c;
  c.parser.Feed("retry: 1s\ndata: x\n\n");
  CHECK(!c.parser.retry_ms());
}

TEST_CASE("sse: an event name without data is still dispatched; a blank line alone is not") {
  auto events = ParseWhole("\n\nevent: ping\n\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].event == "ping");
  CHECK(events[0].data == "");
}

TEST_CASE("sse: unknown fields and lines without a colon are ignored") {
  auto events = ParseWhole("foo: bar\nnonsense\ndata: x\n\n");
  REQUIRE(events.size() == 1);
  CHECK(events[0].data == "x");
}

TEST_CASE("sse: an error field line surfaces as an error event") {
  auto events = ParseWhole("data: {\"a\":1}\n\nerror: {\"message\":\"boom\"}\n\n");
  REQUIRE(events.size() == 2);
  CHECK(events[0].event == "");
  CHECK(events[1].event == "error");
  CHECK(events[1].data == "{\"message\":\"boom\"}");
}

TEST_CASE("sse: Finish flushes a partial line and a pending event") {
  Collector c;
  c.parser.Feed("data: {\"a\":1}\n\ndata: tail");
  CHECK(c.events.size() == 1);
  c.parser.Finish();
  REQUIRE(c.events.size() == 2);
  CHECK(c.events[1].data == "tail");

  Collector d;
  d.parser.Feed("data: complete-line\n");
  d.parser.Finish();
  REQUIRE(d.events.size() == 1);
  CHECK(d.events[0].data == "complete-line");
}

TEST_CASE("sse: data split in the middle of the field name") {
  Collector c;
  c.parser.Feed("da");
  c.parser.Feed("ta: {\"x\":");
  c.parser.Feed("2}\n");
  c.parser.Feed("\n");
  REQUIRE(c.events.size() == 1);
  CHECK(c.events[0].data == "{\"x\":2}");
}

TEST_CASE("sse: feeding one byte at a time gives the same events") {
  const std::string streams[] = {
      "event: message_start\r\ndata: {\"type\":\"message_start\"}\r\n\r\n"
      ": keep-alive\r\nevent: ping\r\ndata: {\"type\": \"ping\"}\r\n\r\n"
      "data: line1\rdata: line2\r\r",
      "data: {\"candidates\":[]}\r\n\r\ndata: {\"b\":2}\n\nerror: {\"e\":1}\n\ndata: end",
  };
  for (const std::string& s : streams) {
    auto whole = ParseWhole(s);
    auto bytewise = ParseBytewise(s);
    REQUIRE(whole.size() == bytewise.size());
    for (size_t i = 0; i < whole.size(); ++i) {
      CHECK(whole[i].event == bytewise[i].event);
      CHECK(whole[i].data == bytewise[i].data);
    }
  }
  auto first = ParseBytewise(streams[0]);
  REQUIRE(first.size() == 3);
  CHECK(first[1].event == "ping");
  CHECK(first[2].data == "line1\nline2");
}
