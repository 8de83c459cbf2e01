#include "fake_protocols.h"

#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>

namespace fake {

namespace {

constexpr std::string_view kFiller = "The quick brown fox jumps over the lazy dog.\n";
// Size of each generated stream delta: small enough to make many events,
// large enough that a 5 MB answer streams in a second or two.
constexpr int64_t kGeneratedPieceBytes = 1000;

json null_if_empty(const std::string &s) { return s.empty() ? json(nullptr) : json(s); }

std::string pick(const std::string &given, const std::string &fallback) {
  return given.empty() ? fallback : given;
}

// RFC 3339 UTC time `seconds_ahead` from now (Anthropic rate-limit resets).
std::string rfc3339_in(int seconds_ahead) {
  std::time_t t = std::time(nullptr) + seconds_ahead;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

// "2" for 2.0, "1.5" for 1.5: the way the header values look in the wild.
std::string format_seconds(double s) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", s);
  return buf;
}

void collect_text(const json &j, const std::string &key, int64_t &chars) {
  if (j.is_string()) {
    if (key == "content" || key == "text" || key == "system") {
      chars += static_cast<int64_t>(j.get_ref<const std::string &>().size());
    }
  } else if (j.is_array()) {
    for (const auto &item : j) collect_text(item, key, chars);
  } else if (j.is_object()) {
    for (const auto &[k, v] : j.items()) collect_text(v, k, chars);
  }
}

// ---------------------------------------------------------------- OpenAI

class OpenAI final : public Protocol {
 public:
  std::string name() const override { return "openai"; }
  std::string default_finish() const override { return "stop"; }
  bool finish_means_no_text(const std::string &f) const override { return f == "content_filter"; }

  HeaderList response_headers(int status, const std::string &request_id) const override {
    bool limited = status == 429;
    return {
        {"x-request-id", request_id},
        {"openai-version", "2020-10-01"},
        {"openai-processing-ms", "7"},
        {"x-ratelimit-limit-requests", "10000"},
        {"x-ratelimit-limit-tokens", "30000000"},
        {"x-ratelimit-remaining-requests", limited ? "0" : "9999"},
        {"x-ratelimit-remaining-tokens", limited ? "0" : "29999000"},
        {"x-ratelimit-reset-requests", limited ? "1s" : "6ms"},
        {"x-ratelimit-reset-tokens", limited ? "6m0s" : "0s"},
    };
  }

  json error_body(int status, const ErrorSpec &spec, std::optional<double>,
                  const std::string &) const override {
    std::string type = "invalid_request_error", code, message = "Invalid request (fake).";
    if (status == 401) {
      code = "invalid_api_key";
      message = "Incorrect API key provided.";
    } else if (status == 403) {
      code = "unsupported_country_region_territory";
      message = "Country, region, or territory not supported";
    } else if (status == 404) {
      code = "model_not_found";
      message = "The model does not exist or you do not have access to it.";
    } else if (status == 429) {
      type = "requests";
      code = "rate_limit_exceeded";
      message = "Rate limit reached for requests (fake). Please try again in 1s.";
    } else if (status == 503) {
      type = "server_error";
      message = "The engine is currently overloaded, please try again later.";
    } else if (status >= 500) {
      type = "server_error";
      message = "The server had an error while processing your request. Sorry about that!";
    }
    return {{"error",
             {{"message", pick(spec.message, message)},
              {"type", pick(spec.type, type)},
              {"param", null_if_empty(spec.param)},
              {"code", null_if_empty(pick(spec.code, code))}}}};
  }

  json usage(const Usage &u) const {
    return {{"prompt_tokens", u.input},
            {"completion_tokens", u.output},
            {"total_tokens", u.input + u.output},
            {"prompt_tokens_details", {{"cached_tokens", u.cached}, {"audio_tokens", 0}}},
            {"completion_tokens_details",
             {{"reasoning_tokens", u.reasoning},
              {"audio_tokens", 0},
              {"accepted_prediction_tokens", 0},
              {"rejected_prediction_tokens", 0}}}};
  }

  json response(const Call &c, const std::string &text) const override {
    return {{"id", c.id},
            {"object", "chat.completion"},
            {"created", c.created},
            {"model", c.model},
            {"choices", json::array({{{"index", 0},
                                      {"message",
                                       {{"role", "assistant"},
                                        {"content", text},
                                        {"refusal", nullptr},
                                        {"annotations", json::array()}}},
                                      {"logprobs", nullptr},
                                      {"finish_reason", c.finish}}})},
            {"usage", usage(c.usage)},
            {"service_tier", "default"},
            {"system_fingerprint", "fp_fake"}};
  }

  json chunk(const Call &c, json choices) const {
    json j = {
        {"id", c.id},       {"object", "chat.completion.chunk"}, {"created", c.created},
        {"model", c.model}, {"system_fingerprint", "fp_fake"},   {"choices", std::move(choices)}};
    // With include_usage every chunk carries "usage": null (A4).
    if (c.include_usage) j["usage"] = nullptr;
    return j;
  }

  json choice(json delta, const json &finish) const {
    return json::array({{{"index", 0},
                         {"delta", std::move(delta)},
                         {"logprobs", nullptr},
                         {"finish_reason", finish}}});
  }

  std::vector<Event> stream_start(const Call &c) const override {
    json delta = {{"role", "assistant"}, {"content", ""}, {"refusal", nullptr}};
    return {{"", chunk(c, choice(delta, nullptr)).dump()}};
  }

  Event stream_delta(const Call &c, const std::string &piece) const override {
    return {"", chunk(c, choice({{"content", piece}}, nullptr)).dump()};
  }

  std::vector<Event> stream_end(const Call &c) const override {
    std::vector<Event> events;
    events.push_back({"", chunk(c, choice(json::object(), c.finish)).dump()});
    if (c.include_usage) {
      json last = chunk(c, json::array());
      last["usage"] = usage(c.usage);
      events.push_back({"", last.dump()});
    }
    events.push_back({"", "[DONE]"});
    return events;
  }

  Event stream_error(const ErrorSpec &spec) const override {
    json body = {
        {"error",
         {{"message",
           pick(spec.message,
                "The server had an error while processing your request. Sorry about that!")},
          {"type", pick(spec.type, "server_error")},
          {"param", null_if_empty(spec.param)},
          {"code", null_if_empty(spec.code)}}}};
    return {"", body.dump()};
  }

  json models() const override {
    json data = json::array();
    for (const char *id : {"gpt-4o-mini", "gpt-4o", "o3-mini"}) {
      data.push_back(
          {{"id", id}, {"object", "model"}, {"created", 1715367049}, {"owned_by", "system"}});
    }
    return {{"object", "list"}, {"data", data}};
  }
};

// ---------------------------------------------------------------- Anthropic

const std::map<int, std::string> &anthropic_types() {
  static const std::map<int, std::string> types = {
      {400, "invalid_request_error"}, {401, "authentication_error"}, {402, "billing_error"},
      {403, "permission_error"},      {404, "not_found_error"},      {409, "conflict_error"},
      {413, "request_too_large"},     {429, "rate_limit_error"},     {500, "api_error"},
      {504, "timeout_error"},         {529, "overloaded_error"}};
  return types;
}

class Anthropic final : public Protocol {
 public:
  std::string name() const override { return "anthropic"; }
  std::string default_finish() const override { return "end_turn"; }
  bool finish_means_no_text(const std::string &f) const override { return f == "refusal"; }

  HeaderList response_headers(int status, const std::string &request_id) const override {
    bool limited = status == 429;
    HeaderList h = {{"request-id", request_id}, {"anthropic-organization-id", "fake-org"}};
    for (const char *kind : {"requests", "tokens", "input-tokens", "output-tokens"}) {
      std::string prefix = std::string("anthropic-ratelimit-") + kind;
      bool requests = std::string_view(kind) == "requests";
      h.emplace_back(prefix + "-limit", requests ? "4000" : "4000000");
      h.emplace_back(prefix + "-remaining", limited ? "0" : requests ? "3999" : "3999000");
      h.emplace_back(prefix + "-reset", rfc3339_in(limited ? 60 : 1));
    }
    return h;
  }

  json error_body(int status, const ErrorSpec &spec, std::optional<double>,
                  const std::string &request_id) const override {
    std::string type = status >= 500 ? "api_error" : "invalid_request_error";
    if (auto it = anthropic_types().find(status); it != anthropic_types().end()) type = it->second;
    std::string message = "Invalid request (fake).";
    if (status == 401) message = "invalid x-api-key";
    else if (status == 403)
      message = "Your API key does not have permission to use the specified resource.";
    else if (status == 404) message = "model: not found";
    else if (status == 429)
      message = "Number of request tokens has exceeded your per-minute rate limit (fake).";
    else if (status == 529) message = "Overloaded";
    else if (status >= 500) message = "Internal server error";
    return {{"type", "error"},
            {"error", {{"type", pick(spec.type, type)}, {"message", pick(spec.message, message)}}},
            {"request_id", request_id}};
  }

  json usage(const Usage &u, int64_t output) const {
    return {
        {"input_tokens", u.input},
        {"cache_creation_input_tokens", 0},
        {"cache_read_input_tokens", u.cached},
        {"cache_creation", {{"ephemeral_5m_input_tokens", 0}, {"ephemeral_1h_input_tokens", 0}}},
        {"output_tokens", output},
        {"service_tier", "standard"}};
  }

  json stop_delta(const Call &c) const {
    json d = {{"stop_reason", c.finish}, {"stop_sequence", nullptr}};
    if (c.finish == "stop_sequence") d["stop_sequence"] = pick(c.stop_sequence, "\n\nHuman:");
    if (c.finish == "refusal") {
      d["stop_details"] = {{"type", "refusal"},
                           {"category", "cyber"},
                           {"explanation", "The fake provider was asked to refuse."}};
    }
    return d;
  }

  json response(const Call &c, const std::string &text) const override {
    json j = {{"id", c.id},
              {"type", "message"},
              {"role", "assistant"},
              {"model", c.model},
              {"content", json::array({{{"type", "text"}, {"text", text}}})},
              {"usage", usage(c.usage, c.usage.output)}};
    j.update(stop_delta(c));
    return j;
  }

  std::vector<Event> stream_start(const Call &c) const override {
    json message = {{"id", c.id},
                    {"type", "message"},
                    {"role", "assistant"},
                    {"content", json::array()},
                    {"model", c.model},
                    {"stop_reason", nullptr},
                    {"stop_sequence", nullptr},
                    {"usage", usage(c.usage, 1)}};
    return {
        {"message_start", json{{"type", "message_start"}, {"message", message}}.dump()},
        {"content_block_start", json{{"type", "content_block_start"},
                                     {"index", 0},
                                     {"content_block", {{"type", "text"}, {"text", ""}}}}
                                    .dump()},
        {"ping", R"({"type": "ping"})"},
    };
  }

  Event stream_delta(const Call &, const std::string &piece) const override {
    json j = {{"type", "content_block_delta"},
              {"index", 0},
              {"delta", {{"type", "text_delta"}, {"text", piece}}}};
    return {"content_block_delta", j.dump()};
  }

  std::vector<Event> stream_end(const Call &c) const override {
    // message_delta usage is cumulative: output_tokens is the final total.
    json delta = {{"type", "message_delta"},
                  {"delta", stop_delta(c)},
                  {"usage", {{"output_tokens", c.usage.output}}}};
    return {
        {"content_block_stop", json{{"type", "content_block_stop"}, {"index", 0}}.dump()},
        {"message_delta", delta.dump()},
        {"message_stop", R"({"type":"message_stop"})"},
    };
  }

  Event stream_error(const ErrorSpec &spec) const override {
    json j = {{"type", "error"},
              {"error",
               {{"type", pick(spec.type, "overloaded_error")},
                {"message", pick(spec.message, "Overloaded")}}}};
    return {"error", j.dump()};
  }

  json models() const override {
    json data = json::array();
    for (const char *id : {"claude-haiku-4-5", "claude-sonnet-4-5"}) {
      data.push_back({{"type", "model"},
                      {"id", id},
                      {"display_name", id},
                      {"created_at", "2025-10-01T00:00:00Z"}});
    }
    return {{"data", data},
            {"has_more", false},
            {"first_id", data.front()["id"]},
            {"last_id", data.back()["id"]}};
  }
};

// ---------------------------------------------------------------- Gemini

const std::map<int, std::string> &gemini_statuses() {
  static const std::map<int, std::string> statuses = {
      {400, "INVALID_ARGUMENT"},  {401, "UNAUTHENTICATED"}, {402, "RESOURCE_EXHAUSTED"},
      {403, "PERMISSION_DENIED"}, {404, "NOT_FOUND"},       {429, "RESOURCE_EXHAUSTED"},
      {499, "CANCELLED"},         {500, "INTERNAL"},        {503, "UNAVAILABLE"},
      {504, "DEADLINE_EXCEEDED"}};
  return statuses;
}

class Gemini final : public Protocol {
 public:
  std::string name() const override { return "gemini"; }
  std::string default_finish() const override { return "STOP"; }
  bool finish_means_no_text(const std::string &f) const override {
    return f == "SAFETY" || f == "PROHIBITED_CONTENT" || f == "BLOCKLIST" || f == "RECITATION";
  }
  // Gemini is observed to separate events with \r\n\r\n (seen on the live API).
  bool crlf_by_default() const override { return true; }

  // Gemini sends no rate-limit headers, not even Retry-After (C5).
  HeaderList response_headers(int, const std::string &) const override { return {}; }

  json error_body(int status, const ErrorSpec &spec, std::optional<double> retry_after,
                  const std::string &) const override {
    std::string st = status >= 500 ? "INTERNAL" : "INVALID_ARGUMENT";
    if (auto it = gemini_statuses().find(status); it != gemini_statuses().end()) st = it->second;
    std::string message = "Request contains an invalid argument.";
    if (status == 403) message = "The caller does not have permission";
    else if (status == 404) message = "models/unknown is not found for API version v1beta.";
    else if (status == 429)
      message =
          "You exceeded your current quota, please check your plan and billing details. (fake)";
    else if (status == 503) message = "The model is overloaded. Please try again later.";
    else if (status == 504) message = "Deadline expired before operation could complete.";
    else if (status >= 500) message = "An internal error has occurred.";
    json error = {{"code", status},
                  {"message", pick(spec.message, message)},
                  {"status", pick(spec.type, st)}};
    if (status == 429) {
      json details = json::array();
      details.push_back(
          {{"@type", "type.googleapis.com/google.rpc.QuotaFailure"},
           {"violations",
            json::array({{{"quotaMetric",
                           "generativelanguage.googleapis.com/generate_content_free_tier_requests"},
                          {"quotaId", "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"}}})}});
      // The wait hint lives in the body, never in a header (C5).
      if (retry_after) {
        details.push_back({{"@type", "type.googleapis.com/google.rpc.RetryInfo"},
                           {"retryDelay", format_seconds(*retry_after) + "s"}});
      }
      error["details"] = details;
    }
    return {{"error", error}};
  }

  json usage(const Usage &u, bool final_chunk) const {
    if (!final_chunk) return {{"promptTokenCount", u.input}, {"totalTokenCount", u.input}};
    json j = {
        {"promptTokenCount", u.input},
        {"candidatesTokenCount", u.output},
        {"totalTokenCount", u.input + u.output + u.reasoning},
        {"promptTokensDetails", json::array({{{"modality", "TEXT"}, {"tokenCount", u.input}}})}};
    if (u.cached > 0) j["cachedContentTokenCount"] = u.cached;
    if (u.reasoning > 0) j["thoughtsTokenCount"] = u.reasoning;
    return j;
  }

  json candidate(const Call &c, const std::string &text, bool final_chunk,
                 bool force_content) const {
    json cand = {{"index", 0}};
    // SAFETY-like finishes and "thinking ate the budget" answers carry no
    // content at all (C3); the client must treat that as empty text.
    bool no_content = final_chunk && finish_means_no_text(c.finish);
    if (!no_content && (!text.empty() || force_content)) {
      cand["content"] = {{"parts", json::array({{{"text", text}}})}, {"role", "model"}};
    }
    if (final_chunk) {
      cand["finishReason"] = c.finish;
      if (finish_means_no_text(c.finish)) {
        cand["safetyRatings"] = json::array({{{"category", "HARM_CATEGORY_DANGEROUS_CONTENT"},
                                              {"probability", "HIGH"},
                                              {"blocked", true}}});
      }
    }
    return cand;
  }

  json envelope(const Call &c, json candidates, json usage_metadata) const {
    json j;
    if (!c.block.empty()) {
      j["promptFeedback"] = {
          {"blockReason", c.block},
          {"safetyRatings", json::array({{{"category", "HARM_CATEGORY_DANGEROUS_CONTENT"},
                                          {"probability", "HIGH"}}})}};
    } else {
      j["candidates"] = std::move(candidates);
    }
    j["usageMetadata"] = std::move(usage_metadata);
    j["modelVersion"] = c.model;
    j["responseId"] = c.id;
    return j;
  }

  json response(const Call &c, const std::string &text) const override {
    return envelope(c, json::array({candidate(c, text, true, false)}), usage(c.usage, true));
  }

  std::vector<Event> stream_start(const Call &) const override { return {}; }

  Event stream_delta(const Call &c, const std::string &piece) const override {
    return {
        "",
        envelope(c, json::array({candidate(c, piece, false, true)}), usage(c.usage, false)).dump()};
  }

  std::vector<Event> stream_end(const Call &c) const override {
    // Like the observed capture: a last chunk with empty text, the finish
    // reason and the complete usage; then the connection closes.
    return {
        {"",
         envelope(c, json::array({candidate(c, "", true, true)}), usage(c.usage, true)).dump()}};
  }

  Event stream_error(const ErrorSpec &spec) const override {
    std::string st = pick(spec.type, "INTERNAL");
    int code = status_for_error_type(st);
    json j = {{"error",
               {{"code", code ? code : 500},
                {"message", pick(spec.message, "An internal error has occurred.")},
                {"status", st}}}};
    return {"", j.dump()};
  }

  json models() const override {
    json list = json::array();
    for (const char *id : {"gemini-2.5-flash", "gemini-2.5-pro"}) {
      list.push_back(
          {{"name", std::string("models/") + id},
           {"version", "001"},
           {"displayName", id},
           {"inputTokenLimit", 1048576},
           {"outputTokenLimit", 65536},
           {"supportedGenerationMethods", json::array({"generateContent", "countTokens"})}});
    }
    return {{"models", list}};
  }
};

}  // namespace

std::string frame_event(const Event &event, bool crlf) {
  const char *eol = crlf ? "\r\n" : "\n";
  std::string out;
  if (!event.name.empty()) out += "event: " + event.name + eol;
  out += "data: " + event.data + eol;
  out += eol;
  return out;
}

TextSource::TextSource(std::vector<std::string> pieces) : pieces_(std::move(pieces)) {}

TextSource TextSource::generated(int64_t bytes) {
  TextSource t;
  t.gen_total_ = bytes;
  return t;
}

std::optional<std::string> TextSource::next() {
  if (gen_total_ >= 0) {
    if (gen_done_ >= gen_total_) return std::nullopt;
    int64_t n = std::min(kGeneratedPieceBytes, gen_total_ - gen_done_);
    std::string piece;
    piece.reserve(static_cast<size_t>(n));
    for (int64_t i = 0; i < n; ++i) {
      piece += kFiller[static_cast<size_t>((gen_done_ + i) % static_cast<int64_t>(kFiller.size()))];
    }
    gen_done_ += n;
    return piece;
  }
  if (index_ >= pieces_.size()) return std::nullopt;
  return pieces_[index_++];
}

std::string TextSource::all() {
  std::string text;
  while (auto piece = next()) text += *piece;
  return text;
}

std::vector<std::string> split_words(const std::string &text) {
  std::vector<std::string> pieces;
  std::string current;
  for (char ch : text) {
    // A new piece starts at a space that follows a non-space, so each
    // piece is " word" as tokenised streams usually look.
    if (ch == ' ' && !current.empty() && current.back() != ' ') {
      pieces.push_back(current);
      current.clear();
    }
    current += ch;
  }
  if (!current.empty()) pieces.push_back(current);
  return pieces;
}

void WordCounter::feed(std::string_view piece) {
  for (char ch : piece) {
    bool space = ch == ' ' || ch == '\n' || ch == '\t' || ch == '\r';
    if (!space && !in_word_) ++count_;
    in_word_ = !space;
  }
}

int64_t prompt_chars(const json &body) {
  int64_t chars = 0;
  for (const char *key : {"messages", "system", "contents", "systemInstruction"}) {
    if (body.is_object() && body.contains(key)) collect_text(body[key], key, chars);
  }
  return chars;
}

std::string system_text(const json &body) {
  std::string out;
  auto add = [&](const json &t) {
    if (t.is_string()) out += (out.empty() ? "" : "\n") + t.get<std::string>();
  };
  if (!body.is_object()) return out;
  if (body.contains("messages") && body["messages"].is_array())
    for (const json &m : body["messages"])
      if (m.is_object() &&
          (m.value("role", "") == "system" || m.value("role", "") == "developer") &&
          m.contains("content"))
        add(m["content"]);
  if (body.contains("system")) {
    if (body["system"].is_array()) {
      for (const json &b : body["system"])
        if (b.is_object() && b.contains("text")) add(b["text"]);
    } else {
      add(body["system"]);
    }
  }
  if (body.contains("systemInstruction") && body["systemInstruction"].is_object() &&
      body["systemInstruction"].contains("parts") && body["systemInstruction"]["parts"].is_array())
    for (const json &p : body["systemInstruction"]["parts"])
      if (p.is_object() && p.contains("text")) add(p["text"]);
  return out;
}

int64_t estimate_tokens(int64_t chars) { return std::max<int64_t>(1, (chars + 3) / 4); }

int status_for_error_type(const std::string &type) {
  static const std::map<std::string, int> statuses = {// OpenAI
                                                      {"rate_limit_exceeded", 429},
                                                      {"requests", 429},
                                                      {"tokens", 429},
                                                      {"insufficient_quota", 429},
                                                      {"server_error", 500},
                                                      {"invalid_api_key", 401},
                                                      // Anthropic
                                                      {"invalid_request_error", 400},
                                                      {"authentication_error", 401},
                                                      {"billing_error", 402},
                                                      {"permission_error", 403},
                                                      {"not_found_error", 404},
                                                      {"conflict_error", 409},
                                                      {"request_too_large", 413},
                                                      {"rate_limit_error", 429},
                                                      {"api_error", 500},
                                                      {"timeout_error", 504},
                                                      {"overloaded_error", 529},
                                                      // Gemini
                                                      {"INVALID_ARGUMENT", 400},
                                                      {"FAILED_PRECONDITION", 400},
                                                      {"UNAUTHENTICATED", 401},
                                                      {"PERMISSION_DENIED", 403},
                                                      {"NOT_FOUND", 404},
                                                      {"RESOURCE_EXHAUSTED", 429},
                                                      {"CANCELLED", 499},
                                                      {"INTERNAL", 500},
                                                      {"UNAVAILABLE", 503},
                                                      {"DEADLINE_EXCEEDED", 504}};
  auto it = statuses.find(type);
  return it == statuses.end() ? 0 : it->second;
}

const Protocol &openai_protocol() {
  static const OpenAI p;
  return p;
}
const Protocol &anthropic_protocol() {
  static const Anthropic p;
  return p;
}
const Protocol &gemini_protocol() {
  static const Gemini p;
  return p;
}

}  // namespace fake
