// An incremental parser for text/event-stream (the WHATWG algorithm), fed
// network chunks as they arrive: a chunk may end anywhere, even between the
// CR and LF of one line ending. Memory holds one line and one event at most.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace llmctl {

struct SseEvent {
  std::string event;  // "" when the stream names no event (OpenAI, Gemini)
  std::string data;   // data lines joined with "\n"
  std::string id;     // the last event id seen so far
};

class SseParser {
 public:
  using Callback = std::function<void(const SseEvent&)>;

  // on_event runs synchronously from Feed/Finish once per dispatched event.
  explicit SseParser(Callback on_event) : on_event_(std::move(on_event)) {}

  // Consumes the next bytes of the stream.
  void Feed(std::string_view bytes);

  // Ends the stream: a last line without its line ending, and a last event
  // without its blank line, are still delivered.
  void Finish();

  // The server's latest `retry:` value, if any.
  std::optional<int64_t> retry_ms() const { return retry_ms_; }

 private:
  void ProcessLine(std::string_view line);
  void Dispatch();

  Callback on_event_;
  std::string line_;      // the current, unfinished line
  bool skip_lf_ = false;  // the last chunk ended in CR: a leading LF is its pair
  std::string event_;
  std::string data_;  // every data line followed by "\n"
  bool has_data_ = false;
  bool error_field_ = false;
  std::string last_id_;
  std::optional<int64_t> retry_ms_;
};

}  // namespace llmctl
