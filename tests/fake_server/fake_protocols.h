// Wire shapes of the three provider protocols, as the fake server renders
// them: success bodies, stream events and error envelopes, each as the
// provider's public API reference documents it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "fake_script.h"

namespace fake {

using json = nlohmann::json;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct Usage {
  int64_t input = 0;
  int64_t output = 0;
  int64_t cached = 0;
  int64_t reasoning = 0;
};

// What the renderers need to know about one answered request.
struct Call {
  std::string model;
  std::string id;              // response id (chatcmpl-..., msg_..., responseId)
  int64_t created = 0;         // unix seconds
  bool include_usage = false;  // OpenAI stream_options.include_usage
  std::string finish;          // provider-native finish reason
  std::string stop_sequence;
  std::string block;  // Gemini prompt block reason (no candidates)
  Usage usage;        // output is filled in once the text is known
};

// One server-sent event. An empty name means a data-only event.
struct Event {
  std::string name;
  std::string data;
};

// "event: X\ndata: Y\n\n", with CRLF line ends when asked.
std::string frame_event(const Event &event, bool crlf);

// The answer text, handed out in stream-sized pieces. Long answers
// (answer_bytes) are generated piece by piece so a multi-megabyte stream is
// never held in memory at once. The generated text is the line
// "The quick brown fox jumps over the lazy dog.\n" repeated and cut at the
// requested size — what `yes '...' | head -c N` prints, so tests can compare.
class TextSource {
 public:
  explicit TextSource(std::vector<std::string> pieces);
  static TextSource generated(int64_t bytes);

  std::optional<std::string> next();
  std::string all();  // the rest of the text in one string

 private:
  TextSource() = default;
  std::vector<std::string> pieces_;
  size_t index_ = 0;
  int64_t gen_total_ = -1;  // -1: not generated
  int64_t gen_done_ = 0;
};

// "Hello from fake openai." -> {"Hello", " from", " fake", " openai."}:
// a few realistic stream deltas that concatenate back to the input.
std::vector<std::string> split_words(const std::string &text);

// Counts words across pieces, so streamed text can be counted on the fly.
class WordCounter {
 public:
  void feed(std::string_view piece);
  int64_t count() const { return count_; }

 private:
  bool in_word_ = false;
  int64_t count_ = 0;
};

// Characters of prompt text in a request body (messages, system, contents);
// input tokens are estimated as chars/4 like the usual rule of thumb.
int64_t prompt_chars(const json &body);
int64_t estimate_tokens(int64_t chars);

// The system prompt of a request in any of the three protocols: OpenAI
// system/developer messages, Anthropic "system" (string or text blocks),
// Gemini systemInstruction parts, joined by newlines.
std::string system_text(const json &body);

// HTTP status implied by a provider error type/status name (e.g.
// rate_limit_error -> 429, UNAVAILABLE -> 503); 0 if unknown.
int status_for_error_type(const std::string &type);

class Protocol {
 public:
  virtual ~Protocol() = default;

  virtual std::string name() const = 0;
  virtual std::string default_finish() const = 0;
  // Finish reasons after which a real provider sends no text by default.
  virtual bool finish_means_no_text(const std::string &finish) const = 0;
  virtual bool crlf_by_default() const { return false; }

  // Headers a real provider puts on every response of this route.
  virtual HeaderList response_headers(int status, const std::string &request_id) const = 0;
  // The provider's error envelope. Empty spec fields get the provider's
  // usual values for `status`.
  virtual json error_body(int status, const ErrorSpec &spec, std::optional<double> retry_after,
                          const std::string &request_id) const = 0;

  virtual json response(const Call &call, const std::string &text) const = 0;
  virtual std::vector<Event> stream_start(const Call &call) const = 0;
  virtual Event stream_delta(const Call &call, const std::string &piece) const = 0;
  virtual std::vector<Event> stream_end(const Call &call) const = 0;
  virtual Event stream_error(const ErrorSpec &spec) const = 0;

  virtual json models() const = 0;
};

const Protocol &openai_protocol();
const Protocol &anthropic_protocol();
const Protocol &gemini_protocol();

}  // namespace fake
