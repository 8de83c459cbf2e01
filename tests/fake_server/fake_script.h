// Scripted behaviour and request statistics of the fake provider server.
//
// A test posts a list of "steps" to /_control/script; each request to a
// protocol route consumes the first step whose `match` fits its path. A step
// says how to misbehave (status, raw body, delay, cut stream, ...) or what to
// answer (text, finish reason, usage). See tests/fake_server/README.md.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace fake {

using json = nlohmann::json;

// An error the test wants rendered in the receiving route's native envelope.
// Empty fields mean "the provider's usual value for this status".
struct ErrorSpec {
  std::string type;  // OpenAI/Anthropic error.type, Gemini error.status
  std::string message;
  std::string code;   // OpenAI error.code (e.g. context_length_exceeded)
  std::string param;  // OpenAI error.param
};

// An error event inserted into a 200 stream after `after` events.
struct StreamError {
  int after = 0;
  ErrorSpec error;
};

// Token counts a step forces instead of the computed estimates.
struct UsageOverride {
  std::optional<int64_t> input;
  std::optional<int64_t> output;
  std::optional<int64_t> cached;
  std::optional<int64_t> reasoning;
};

struct Step {
  std::string match;  // path substring; empty matches every protocol route
  int times = 1;      // how many requests this step serves before it is used up

  // A fixed response instead of an answer.
  std::optional<int> status;
  std::optional<std::string> body;  // raw, sent as-is
  std::optional<json> json_body;    // sent as JSON
  std::optional<ErrorSpec> error;   // rendered in the route's envelope
  std::string content_type;
  std::vector<std::pair<std::string, std::string>> headers;
  std::optional<double> retry_after;     // seconds; header, or Gemini RetryInfo
  std::optional<double> retry_after_ms;  // the non-standard retry-after-ms header

  // Timing and transport faults.
  int delay_ms = 0;        // before anything is sent
  int event_delay_ms = 0;  // between stream events (time-to-first-token tests)
  bool drop_connection = false;
  int chunk_bytes = 0;  // write the body in pieces of this size
  std::optional<bool> crlf;

  // The answer itself.
  std::optional<std::string> text;
  std::vector<std::string> chunks;  // explicit stream pieces
  std::optional<int64_t> answer_bytes;
  bool echo_system = false;           // answer with the request's system prompt
  std::optional<std::string> finish;  // provider-native finish reason
  std::string stop_sequence;          // Anthropic stop_sequence value
  std::string block;                  // Gemini promptFeedback.blockReason
  UsageOverride usage;

  // Stream faults.
  std::optional<int> stream_cut_after;
  bool stream_cut_hard = false;  // abort the connection instead of ending cleanly
  std::optional<StreamError> stream_error;

  // True when the step replaces the answer with a fixed status/body.
  bool is_fixed_response() const {
    return body || json_body || error || (status && *status != 200);
  }
};

// Throws std::invalid_argument naming the bad field, so a typo in a test's
// script fails at POST time rather than silently doing nothing.
Step parse_step(const json &j);
std::vector<Step> parse_steps(const json &j);  // an array, or one object

// The queue of scripted steps, shared by all server threads.
class Script {
 public:
  void replace(std::vector<Step> steps);
  void append(std::vector<Step> steps);
  void clear();
  void set_default(std::optional<Step> step);

  // Consumes one use of the first step matching `path`; falls back to the
  // default step; nullopt means "plain default answer".
  std::optional<Step> take(const std::string &path);
  int remaining() const;  // uses left in the queue (sum of `times`)

 private:
  mutable std::mutex mu_;
  std::deque<Step> steps_;
  std::optional<Step> default_;
};

// Counters exposed by GET /_control/stats.
class Stats {
 public:
  Stats();

  // Called when a protocol request arrives. `summary` is {method, path,
  // query, headers, body}; it becomes last_request and joins `recent`.
  void begin(const std::string &path, json summary);
  // Called when the response is complete (for streams: when the stream ends).
  void end(int status);
  void reset();
  json to_json() const;

 private:
  mutable std::mutex mu_;
  std::chrono::steady_clock::time_point start_;
  int64_t requests_ = 0;
  int in_flight_ = 0;
  int max_in_flight_ = 0;
  std::map<std::string, int64_t> by_path_;
  std::map<std::string, int64_t> by_status_;
  json last_request_;
  std::deque<json> recent_;
};

}  // namespace fake
