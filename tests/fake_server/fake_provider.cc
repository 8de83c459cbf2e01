// fake_provider: a loopback HTTP server that speaks the OpenAI Chat
// Completions, Anthropic Messages and Gemini generateContent wire protocols,
// with scripted faults, so llmctl's end-to-end tests and benchmarks never
// need the network. See tests/fake_server/README.md for the control API.
//
//   fake_provider --port-file PATH [--port N] [--host H] [--key K] [--no-auth]
//                 [--default-step JSON] [--threads N] [--quiet]

#include <dirent.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <httplib.h>
#include <nlohmann/json.hpp>

#include "fake_protocols.h"
#include "fake_script.h"

namespace {

using fake::json;
using fake::Protocol;
using fake::Step;

// Set on SIGTERM/SIGINT or POST /_control/shutdown. Delays and streams poll
// it so the server stops promptly instead of finishing a 5 MB stream.
std::atomic<bool> g_stopping{false};
std::atomic<uint64_t> g_ids{0};

struct Options {
  std::string host = "127.0.0.1";
  int port = 0;
  std::string port_file;
  std::string key = "test-key";
  bool auth = true;
  std::optional<Step> default_step;
  // Benchmarks run 64 clients at once; leave room for control requests.
  int threads = 128;
  bool quiet = false;
};

void usage_error(const std::string &message) {
  std::cerr << "fake_provider: " << message << "\n"
            << "usage: fake_provider --port-file PATH [--port N] [--host H] [--key K] [--no-auth]\n"
            << "                     [--default-step JSON] [--threads N] [--quiet]\n";
  std::exit(2);
}

Options parse_options(int argc, char **argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage_error(arg + " needs a value");
      return argv[++i];
    };
    try {
      if (arg == "--port-file") o.port_file = value();
      else if (arg == "--port") o.port = std::stoi(value());
      else if (arg == "--host") o.host = value();
      else if (arg == "--key") o.key = value();
      else if (arg == "--no-auth") o.auth = false;
      else if (arg == "--default-step") o.default_step = fake::parse_step(json::parse(value()));
      else if (arg == "--threads") o.threads = std::stoi(value());
      else if (arg == "--quiet") o.quiet = true;
      else usage_error("unknown argument " + arg);
    } catch (const std::exception &e) {
      usage_error("bad value for " + arg + ": " + e.what());
    }
  }
  if (o.port_file.empty()) usage_error("--port-file is required");
  if (o.threads < 1) usage_error("--threads must be at least 1");
  return o;
}

// Sleeps in small slices so shutdown is not held up by a long delay_ms.
void sleep_ms(int ms) {
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  while (!g_stopping) {
    auto left = until - std::chrono::steady_clock::now();
    if (left <= std::chrono::milliseconds(0)) return;
    std::this_thread::sleep_for(
        std::min<std::chrono::steady_clock::duration>(left, std::chrono::milliseconds(20)));
  }
}

std::string lower(std::string s) {
  for (char &c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Keys are fake, but a real server never echoes a full key; neither do we.
std::string mask_key(const std::string &key) {
  if (key.size() <= 8) return "***";
  return key.substr(0, 3) + "***" + key.substr(key.size() - 4);
}

// Closes the client's connection without sending any response. httplib 0.11
// does not give handlers the socket, so find the descriptor whose address
// pair is this request's and shut it down (shutdown, not close, so httplib
// still owns and closes the descriptor itself).
void drop_connection(const httplib::Request &req) {
  DIR *dir = opendir("/proc/self/fd");
  if (!dir) return;
  while (dirent *entry = readdir(dir)) {
    int fd = std::atoi(entry->d_name);
    if (fd <= 2) continue;
    sockaddr_storage peer{}, local{};
    socklen_t peer_len = sizeof peer, local_len = sizeof local;
    if (getpeername(fd, reinterpret_cast<sockaddr *>(&peer), &peer_len) != 0) continue;
    if (getsockname(fd, reinterpret_cast<sockaddr *>(&local), &local_len) != 0) continue;
    auto port_of = [](const sockaddr_storage &a) -> int {
      if (a.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in &>(a).sin_port);
      if (a.ss_family == AF_INET6)
        return ntohs(reinterpret_cast<const sockaddr_in6 &>(a).sin6_port);
      return -1;
    };
    if (port_of(peer) == req.remote_port && port_of(local) == req.local_port) {
      shutdown(fd, SHUT_RDWR);
      break;
    }
  }
  closedir(dir);
}

// Tracks one protocol request from arrival until its response (or stream)
// is complete; for streams the content provider holds it until the end.
class Flight {
 public:
  Flight(fake::Stats &stats, std::string label, bool quiet)
      : stats_(stats), label_(std::move(label)), quiet_(quiet) {}
  ~Flight() {
    stats_.end(status);
    if (!quiet_) std::fprintf(stderr, "fake_provider: %s -> %d\n", label_.c_str(), status);
  }
  Flight(const Flight &) = delete;
  Flight &operator=(const Flight &) = delete;

  int status = 0;  // 0: connection dropped without a response

 private:
  fake::Stats &stats_;
  std::string label_;
  bool quiet_;
};

// Writes a body in pieces of `chunk_bytes` with a short pause between them,
// so the client's reads split events (even "da|ta:") at arbitrary points.
// The unwritten tail is carried over to the next write.
class ChunkWriter {
 public:
  explicit ChunkWriter(int chunk_bytes) : chunk_bytes_(static_cast<size_t>(chunk_bytes)) {}

  bool write(httplib::DataSink &sink, const std::string &data) {
    if (chunk_bytes_ == 0) return sink.write(data.data(), data.size());
    carry_ += data;
    size_t pos = 0;
    while (carry_.size() - pos >= chunk_bytes_) {
      if (!sink.write(carry_.data() + pos, chunk_bytes_)) return false;
      pos += chunk_bytes_;
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    carry_.erase(0, pos);
    return true;
  }

  bool flush(httplib::DataSink &sink) {
    if (carry_.empty()) return true;
    bool ok = sink.write(carry_.data(), carry_.size());
    carry_.clear();
    return ok;
  }

 private:
  size_t chunk_bytes_;
  std::string carry_;
};

// State of one streamed answer, shared with httplib's content provider,
// which calls next() once per event until the stream ends.
struct StreamState {
  const Protocol *proto = nullptr;
  fake::Call call;
  fake::TextSource text{std::vector<std::string>{}};
  Step step;
  bool crlf = false;
  std::shared_ptr<Flight> flight;
  ChunkWriter writer{0};

  enum class Phase { kStart, kContent, kDone } phase = Phase::kStart;
  std::deque<fake::Event> pending;
  fake::WordCounter words;
  int sent = 0;

  std::optional<fake::Event> next_event() {
    for (;;) {
      if (!pending.empty()) {
        fake::Event e = std::move(pending.front());
        pending.pop_front();
        return e;
      }
      switch (phase) {
        case Phase::kStart: {
          auto start = proto->stream_start(call);
          pending.assign(start.begin(), start.end());
          phase = Phase::kContent;
          break;
        }
        case Phase::kContent:
          if (auto piece = text.next()) {
            words.feed(*piece);
            return proto->stream_delta(call, *piece);
          } else {
            // Output usage is only known once all text has been produced.
            call.usage.output = step.usage.output.value_or(words.count());
            auto end = proto->stream_end(call);
            pending.assign(end.begin(), end.end());
            phase = Phase::kDone;
          }
          break;
        case Phase::kDone: return std::nullopt;
      }
    }
  }

  // One call of the content provider: sends the next event or ends.
  bool provide(httplib::DataSink &sink) {
    if (g_stopping) return false;
    if (step.stream_error && sent == step.stream_error->after) {
      // A provider stops after an in-stream error: no terminator follows.
      if (!writer.write(sink,
                        fake::frame_event(proto->stream_error(step.stream_error->error), crlf)))
        return false;
      if (!writer.flush(sink)) return false;
      sink.done();
      return true;
    }
    if (step.stream_cut_after && sent >= *step.stream_cut_after) {
      if (!writer.flush(sink)) return false;
      // Hard cut: returning false makes httplib drop the connection without
      // the final zero-length chunk, like a crashed upstream.
      if (step.stream_cut_hard) return false;
      sink.done();
      return true;
    }
    auto event = next_event();
    if (!event) {
      if (!writer.flush(sink)) return false;
      sink.done();
      return true;
    }
    if (sent > 0 && step.event_delay_ms > 0) sleep_ms(step.event_delay_ms);
    ++sent;
    return writer.write(sink, fake::frame_event(*event, crlf));
  }
};

// One request being answered by a protocol route.
struct Exchange {
  const httplib::Request &req;
  httplib::Response &res;
  const Protocol &proto;
  std::shared_ptr<Flight> flight;
  std::string request_id;
  json body;  // the parsed request body; null when absent or not JSON
};

class FakeServer {
 public:
  explicit FakeServer(Options opts) : opts_(std::move(opts)) {
    script_.set_default(opts_.default_step);
    // Each open connection occupies one worker thread for its lifetime.
    int threads = opts_.threads;
    http_.new_task_queue = [threads] {
      return new httplib::ThreadPool(static_cast<size_t>(threads));
    };
    // Without NODELAY, Nagle would glue chunk_bytes pieces back together.
    http_.set_tcp_nodelay(true);
    http_.set_keep_alive_max_count(1000);
    register_routes();
  }

  httplib::Server &http() { return http_; }

 private:
  using RouteFn = std::function<void(Exchange &)>;

  // ------------------------------------------------------------ plumbing

  httplib::Server::Handler route(const Protocol *proto, RouteFn fn) {
    return [this, proto, fn](const httplib::Request &req, httplib::Response &res) {
      const Protocol &p = proto ? *proto : pick_models_protocol(req);
      Exchange ex{req, res, p, begin(req), next_id("req_fake"), nullptr};
      if (!req.body.empty()) ex.body = json::parse(req.body, nullptr, false);
      if (ex.body.is_discarded()) ex.body = nullptr;
      fn(ex);
    };
  }

  std::shared_ptr<Flight> begin(const httplib::Request &req) {
    json headers = json::object();
    for (const auto &[name, value] : req.headers) {
      // httplib adds the socket addresses as pseudo-headers; not sent by the client.
      if (name == "REMOTE_ADDR" || name == "REMOTE_PORT" || name == "LOCAL_ADDR" ||
          name == "LOCAL_PORT")
        continue;
      std::string key = lower(name);
      if (headers.contains(key)) headers[key] = headers[key].get<std::string>() + ", " + value;
      else headers[key] = value;
    }
    json query = json::object();
    for (const auto &[name, value] : req.params) query[name] = value;
    json body = req.body.empty() ? json(nullptr) : json::parse(req.body, nullptr, false);
    if (body.is_discarded()) body = req.body;
    stats_.begin(req.path, {{"method", req.method},
                            {"path", req.path},
                            {"query", query},
                            {"headers", headers},
                            {"body", body}});
    return std::make_shared<Flight>(stats_, req.method + " " + req.path, opts_.quiet);
  }

  static std::string next_id(const std::string &prefix) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(++g_ids));
    return prefix + buf;
  }

  // GET /v1/models is the same path for OpenAI and Anthropic; the headers
  // tell them apart.
  static const Protocol &pick_models_protocol(const httplib::Request &req) {
    if (req.has_header("x-api-key") || req.has_header("anthropic-version"))
      return fake::anthropic_protocol();
    return fake::openai_protocol();
  }

  void set_headers(Exchange &ex, int status, const Step *step) {
    for (const auto &[name, value] : ex.proto.response_headers(status, ex.request_id)) {
      ex.res.set_header(name, value);
    }
    if (!step) return;
    char buf[32];
    // Gemini carries the wait hint in the body (RetryInfo), never a header.
    if (step->retry_after && ex.proto.name() != "gemini") {
      std::snprintf(buf, sizeof buf, "%g", *step->retry_after);
      ex.res.set_header("retry-after", buf);
    }
    if (step->retry_after_ms) {
      std::snprintf(buf, sizeof buf, "%g", *step->retry_after_ms);
      ex.res.set_header("retry-after-ms", buf);
    }
    for (const auto &[name, value] : step->headers) {
      ex.res.headers.erase(name);  // Headers compare case-insensitively
      ex.res.set_header(name, value);
    }
  }

  void send_body(Exchange &ex, int status, std::string body, const std::string &content_type,
                 const Step *step) {
    ex.res.status = status;
    ex.flight->status = status;
    set_headers(ex, status, step);
    std::string type = step && !step->content_type.empty() ? step->content_type : content_type;
    if (step && step->chunk_bytes > 0) {
      auto writer = std::make_shared<ChunkWriter>(step->chunk_bytes);
      auto data = std::make_shared<std::string>(std::move(body));
      auto flight = ex.flight;
      ex.res.set_chunked_content_provider(type,
                                          [writer, data, flight](size_t, httplib::DataSink &sink) {
                                            if (!writer->write(sink, *data) || !writer->flush(sink))
                                              return false;
                                            sink.done();
                                            return true;
                                          });
    } else {
      ex.res.set_content(body, type.c_str());
    }
  }

  void send_json(Exchange &ex, int status, const json &body, const Step *step = nullptr) {
    send_body(ex, status, body.dump(), "application/json", step);
  }

  void send_error(Exchange &ex, int status, const fake::ErrorSpec &spec,
                  const Step *step = nullptr) {
    std::optional<double> retry_after = step ? step->retry_after : std::nullopt;
    send_json(ex, status, ex.proto.error_body(status, spec, retry_after, ex.request_id), step);
  }

  // ------------------------------------------------------------ checks

  // Returns false after sending the provider's own auth error.
  bool check_auth(Exchange &ex) {
    if (!opts_.auth) return true;
    const auto &req = ex.req;
    const std::string name = ex.proto.name();
    if (name == "openai") {
      std::string auth = req.get_header_value("Authorization");
      if (auth.empty()) {
        send_error(ex, 401,
                   {"invalid_request_error",
                    "You didn't provide an API key. You need to provide your API key in an "
                    "Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
                    "", ""});
        return false;
      }
      if (auth != "Bearer " + opts_.key) {
        std::string given = auth.rfind("Bearer ", 0) == 0 ? auth.substr(7) : auth;
        send_error(
            ex, 401,
            {"invalid_request_error",
             "Incorrect API key provided: " + mask_key(given) +
                 ". You can find your API key at https://platform.openai.com/account/api-keys.",
             "invalid_api_key", ""});
        return false;
      }
      return true;
    }
    if (name == "anthropic") {
      std::string key = req.get_header_value("x-api-key");
      std::string auth = req.get_header_value("Authorization");
      if (key.empty() && auth.rfind("Bearer ", 0) == 0) key = auth.substr(7);
      if (key.empty()) {
        send_error(ex, 401, {"authentication_error", "x-api-key header is required", "", ""});
        return false;
      }
      if (key != opts_.key) {
        send_error(ex, 401, {"authentication_error", "invalid x-api-key", "", ""});
        return false;
      }
      return true;
    }
    std::string key = req.get_header_value("x-goog-api-key");
    if (key.empty()) key = req.get_param_value("key");
    if (key.empty()) {
      send_error(
          ex, 403,
          {"PERMISSION_DENIED",
           "Method doesn't allow unregistered callers (callers without established identity). "
           "Please use API Key or other form of API consumer identity to call this API.",
           "", ""});
      return false;
    }
    if (key != opts_.key) {
      json body = {
          {"error",
           {{"code", 400},
            {"message", "API key not valid. Please pass a valid API key."},
            {"status", "INVALID_ARGUMENT"},
            {"details",
             json::array({{{"@type", "type.googleapis.com/google.rpc.ErrorInfo"},
                           {"reason", "API_KEY_INVALID"},
                           {"domain", "googleapis.com"},
                           {"metadata", {{"service", "generativelanguage.googleapis.com"}}}}})}}}};
      send_json(ex, 400, body);
      return false;
    }
    return true;
  }

  bool check_json_body(Exchange &ex) {
    if (ex.body.is_object()) return true;
    send_error(ex, 400, {"", "The request body is not valid JSON.", "", ""});
    return false;
  }

  // Applies the parts of a step that come before any response. Returns
  // true when the step has fully answered the request (drop or fixed).
  bool apply_fault(Exchange &ex, const Step &step) {
    if (step.delay_ms > 0) sleep_ms(step.delay_ms);
    if (step.drop_connection) {
      drop_connection(ex.req);
      ex.flight->status = 0;
      return true;
    }
    if (!step.is_fixed_response()) return false;
    int status = 200;
    if (step.status) status = *step.status;
    else if (step.error)
      status = fake::status_for_error_type(step.error->type)
                   ? fake::status_for_error_type(step.error->type)
                   : 500;
    if (step.body) {
      std::string guess =
          !step.body->empty() && (step.body->front() == '{' || step.body->front() == '[')
              ? "application/json"
              : "text/plain";
      send_body(ex, status, *step.body, guess, &step);
    } else if (step.json_body) {
      send_json(ex, status, *step.json_body, &step);
    } else {
      send_error(ex, status, step.error.value_or(fake::ErrorSpec{}), &step);
    }
    return true;
  }

  // ------------------------------------------------------------ answers

  void answer(Exchange &ex, const Step &step, const std::string &model, bool stream,
              bool gemini_sse, bool include_usage) {
    const Protocol &proto = ex.proto;
    fake::Call call;
    call.model = model;
    call.created = static_cast<int64_t>(std::time(nullptr));
    call.include_usage = include_usage;
    call.finish = step.finish.value_or(proto.default_finish());
    call.stop_sequence = step.stop_sequence;
    call.block = proto.name() == "gemini" ? step.block : "";
    if (proto.name() == "openai") call.id = next_id("chatcmpl-fake");
    else if (proto.name() == "anthropic") call.id = next_id("msg_fake");
    else call.id = next_id("fake");
    call.usage.input =
        step.usage.input.value_or(fake::estimate_tokens(fake::prompt_chars(ex.body)));
    call.usage.cached = step.usage.cached.value_or(0);
    call.usage.reasoning = step.usage.reasoning.value_or(0);

    bool no_text = proto.finish_means_no_text(call.finish) || !call.block.empty();
    std::string default_text = no_text ? "" : "Hello from fake " + proto.name() + ".";
    fake::TextSource text = step.answer_bytes ? fake::TextSource::generated(*step.answer_bytes)
                            : !step.chunks.empty()
                                ? fake::TextSource(step.chunks)
                                : fake::TextSource(fake::split_words(
                                      step.echo_system ? fake::system_text(ex.body)
                                                       : step.text.value_or(default_text)));
    if (!call.block.empty()) text = fake::TextSource(std::vector<std::string>{});

    if (!stream) {
      std::string all = text.all();
      fake::WordCounter words;
      words.feed(all);
      call.usage.output = step.usage.output.value_or(words.count());
      send_json(ex, 200, proto.response(call, all), &step);
      return;
    }

    auto state = std::make_shared<StreamState>();
    state->proto = &proto;
    state->call = call;
    state->text = std::move(text);
    state->step = step;
    state->crlf = step.crlf.value_or(proto.crlf_by_default());
    state->flight = ex.flight;
    state->writer = ChunkWriter(step.chunk_bytes);

    if (proto.name() == "gemini" && !gemini_sse) {
      // streamGenerateContent without alt=sse answers one JSON array of
      // the chunks, as the live API does; faults other than chunking don't apply.
      std::string array = "[";
      bool first = true;
      while (auto event = state->next_event()) {
        array += (first ? "" : ",\r\n") + event->data;
        first = false;
      }
      send_body(ex, 200, array + "]", "application/json", &step);
      return;
    }

    ex.res.status = 200;
    ex.flight->status = 200;
    set_headers(ex, 200, &step);
    ex.res.set_header("Cache-Control", "no-cache");
    std::string type = step.content_type.empty() ? "text/event-stream" : step.content_type;
    ex.res.set_chunked_content_provider(
        type, [state](size_t, httplib::DataSink &sink) { return state->provide(sink); });
  }

  // ------------------------------------------------------------ routes

  void openai_chat(Exchange &ex) {
    if (!check_auth(ex) || !check_json_body(ex)) return;
    const json &b = ex.body;
    std::string model = b.value("model", "");
    if (model.empty()) {
      send_error(ex, 400, {"invalid_request_error", "you must provide a model parameter", "", ""});
      return;
    }
    if (!b.contains("messages") || !b["messages"].is_array() || b["messages"].empty()) {
      send_error(ex, 400,
                 {"invalid_request_error", "Missing required parameter: 'messages'.",
                  "missing_required_parameter", "messages"});
      return;
    }
    // Reasoning models reject the deprecated max_tokens (OpenAI's reference).
    bool reasoning_model = model.rfind("o1", 0) == 0 || model.rfind("o3", 0) == 0 ||
                           model.rfind("o4", 0) == 0 || model.rfind("gpt-5", 0) == 0;
    if (reasoning_model && b.contains("max_tokens")) {
      send_error(ex, 400,
                 {"invalid_request_error",
                  "Unsupported parameter: 'max_tokens' is not supported with this model. "
                  "Use 'max_completion_tokens' instead.",
                  "unsupported_parameter", "max_tokens"});
      return;
    }
    Step step = script_.take(ex.req.path).value_or(Step{});
    if (apply_fault(ex, step)) return;
    bool stream = b.value("stream", false);
    bool include_usage = stream && b.contains("stream_options") &&
                         b["stream_options"].is_object() &&
                         b["stream_options"].value("include_usage", false);
    answer(ex, step, model, stream, true, include_usage);
  }

  bool anthropic_checks(Exchange &ex, bool need_max_tokens) {
    if (!check_auth(ex)) return false;
    if (!ex.req.has_header("anthropic-version")) {
      send_error(ex, 400,
                 {"invalid_request_error", "anthropic-version: header is required", "", ""});
      return false;
    }
    if (!check_json_body(ex)) return false;
    if (!ex.body.contains("messages") || !ex.body["messages"].is_array()) {
      send_error(ex, 400, {"invalid_request_error", "messages: Field required", "", ""});
      return false;
    }
    if (need_max_tokens && !ex.body.contains("max_tokens")) {
      send_error(ex, 400, {"invalid_request_error", "max_tokens: Field required", "", ""});
      return false;
    }
    return true;
  }

  void anthropic_messages(Exchange &ex) {
    if (!anthropic_checks(ex, true)) return;
    Step step = script_.take(ex.req.path).value_or(Step{});
    if (apply_fault(ex, step)) return;
    answer(ex, step, ex.body.value("model", ""), ex.body.value("stream", false), true, false);
  }

  void anthropic_count_tokens(Exchange &ex) {
    if (!anthropic_checks(ex, false)) return;
    Step step = script_.take(ex.req.path).value_or(Step{});
    if (apply_fault(ex, step)) return;
    int64_t n = step.usage.input.value_or(fake::estimate_tokens(fake::prompt_chars(ex.body)));
    send_json(ex, 200, {{"input_tokens", n}}, &step);
  }

  void gemini_model_call(Exchange &ex) {
    if (!check_auth(ex) || !check_json_body(ex)) return;
    std::string model = ex.req.matches[1];
    std::string method = ex.req.matches[2];
    if (method == "countTokens") {
      Step step = script_.take(ex.req.path).value_or(Step{});
      if (apply_fault(ex, step)) return;
      int64_t n = step.usage.input.value_or(fake::estimate_tokens(fake::prompt_chars(ex.body)));
      send_json(ex, 200,
                {{"totalTokens", n},
                 {"promptTokensDetails", json::array({{{"modality", "TEXT"}, {"tokenCount", n}}})}},
                &step);
      return;
    }
    if (!ex.body.contains("contents") || !ex.body["contents"].is_array() ||
        ex.body["contents"].empty()) {
      send_error(ex, 400,
                 {"INVALID_ARGUMENT",
                  "* GenerateContentRequest.contents: contents is not specified\n", "", ""});
      return;
    }
    Step step = script_.take(ex.req.path).value_or(Step{});
    if (apply_fault(ex, step)) return;
    bool stream = method == "streamGenerateContent";
    answer(ex, step, model, stream, ex.req.get_param_value("alt") == "sse", false);
  }

  void list_models(Exchange &ex) {
    if (!check_auth(ex)) return;
    Step step = script_.take(ex.req.path).value_or(Step{});
    if (apply_fault(ex, step)) return;
    send_json(ex, 200, ex.proto.models(), &step);
  }

  void control_json(httplib::Response &res, int status, const json &body) {
    res.status = status;
    res.set_content(body.dump(), "application/json");
  }

  void register_routes() {
    const Protocol *openai = &fake::openai_protocol();
    const Protocol *anthropic = &fake::anthropic_protocol();
    const Protocol *gemini = &fake::gemini_protocol();

    http_.Post("/v1/chat/completions", route(openai, [this](Exchange &ex) { openai_chat(ex); }));
    http_.Post("/v1/messages", route(anthropic, [this](Exchange &ex) { anthropic_messages(ex); }));
    http_.Post("/v1/messages/count_tokens",
               route(anthropic, [this](Exchange &ex) { anthropic_count_tokens(ex); }));
    http_.Post(R"(/v1beta/models/([^/:]+):(generateContent|streamGenerateContent|countTokens))",
               route(gemini, [this](Exchange &ex) { gemini_model_call(ex); }));
    http_.Get("/v1/models", route(nullptr, [this](Exchange &ex) { list_models(ex); }));
    http_.Get("/v1beta/models", route(gemini, [this](Exchange &ex) { list_models(ex); }));

    http_.Post("/_control/script", [this](const httplib::Request &req, httplib::Response &res) {
      try {
        auto steps = fake::parse_steps(json::parse(req.body));
        if (req.get_param_value("append") == "1") script_.append(std::move(steps));
        else script_.replace(std::move(steps));
        control_json(res, 200, {{"ok", true}, {"steps_remaining", script_.remaining()}});
      } catch (const std::exception &e) {
        control_json(res, 400, {{"ok", false}, {"error", e.what()}});
      }
    });
    http_.Post("/_control/default", [this](const httplib::Request &req, httplib::Response &res) {
      try {
        json j = req.body.empty() ? json(nullptr) : json::parse(req.body);
        script_.set_default(j.is_null() ? std::nullopt : std::optional<Step>(fake::parse_step(j)));
        control_json(res, 200, {{"ok", true}});
      } catch (const std::exception &e) {
        control_json(res, 400, {{"ok", false}, {"error", e.what()}});
      }
    });
    http_.Post("/_control/reset", [this](const httplib::Request &, httplib::Response &res) {
      script_.clear();
      stats_.reset();
      control_json(res, 200, {{"ok", true}});
    });
    http_.Get("/_control/stats", [this](const httplib::Request &, httplib::Response &res) {
      json j = stats_.to_json();
      j["steps_remaining"] = script_.remaining();
      control_json(res, 200, j);
    });
    http_.Get("/_control/health", [this](const httplib::Request &, httplib::Response &res) {
      control_json(res, 200, {{"ok", true}});
    });
    http_.Post("/_control/shutdown", [this](const httplib::Request &, httplib::Response &res) {
      g_stopping = true;  // the signal thread sees it and stops the server
      control_json(res, 200, {{"ok", true}});
    });

    // Anything else: a JSON 404, still counted in stats so a test can see
    // which wrong URL the client built.
    auto not_found = route(openai, [this](Exchange &ex) {
      send_json(ex, 404,
                {{"error",
                  {{"message", "fake_provider: no route for " + ex.req.method + " " + ex.req.path},
                   {"type", "invalid_request_error"},
                   {"param", nullptr},
                   {"code", "unknown_url"}}}});
    });
    http_.Get(".*", not_found);
    http_.Post(".*", not_found);
    http_.Put(".*", not_found);
    http_.Delete(".*", not_found);
  }

  Options opts_;
  fake::Script script_;
  fake::Stats stats_;
  httplib::Server http_;
};

// Readers poll for the port file; write it whole under a temporary name and
// rename, so they never see an empty or partial number.
bool write_port_file(const std::string &path, int port) {
  std::string tmp = path + ".tmp." + std::to_string(getpid());
  {
    std::ofstream out(tmp);
    out << port << "\n";
    if (!out.flush()) return false;
  }
  return std::rename(tmp.c_str(), path.c_str()) == 0;
}

}  // namespace

int main(int argc, char **argv) {
  Options opts = parse_options(argc, argv);

  // Block the stop signals before any thread starts so every thread inherits
  // the mask and only the waiter below receives them; that thread may then
  // call Server::stop(), which is not async-signal-safe.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGTERM);
  sigaddset(&stop_signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);  // a client hanging up mid-stream is normal here

  FakeServer server(opts);
  // httplib listens with a backlog of 5: benchmarks that connect 50 or more
  // clients at once would see connections dropped and retried a second
  // later. Keep the listening socket and widen its backlog after binding.
  int listen_fd = -1;
  server.http().set_socket_options([&listen_fd](socket_t sock) {
    httplib::default_socket_options(sock);
    listen_fd = sock;
  });
  int port = opts.port == 0 ? server.http().bind_to_any_port(opts.host)
                            : (server.http().bind_to_port(opts.host, opts.port) ? opts.port : -1);
  if (port > 0 && listen_fd >= 0) ::listen(listen_fd, 1024);
  if (port <= 0) {
    std::cerr << "fake_provider: cannot bind " << opts.host << ":" << opts.port << "\n";
    return 1;
  }
  if (!write_port_file(opts.port_file, port)) {
    std::cerr << "fake_provider: cannot write port file " << opts.port_file << "\n";
    return 1;
  }
  if (!opts.quiet)
    std::fprintf(stderr, "fake_provider: listening on %s:%d\n", opts.host.c_str(), port);

  std::thread stopper([&] {
    while (!g_stopping) {
      timespec timeout{0, 100 * 1000 * 1000};
      if (sigtimedwait(&stop_signals, nullptr, &timeout) > 0) g_stopping = true;
    }
    server.http().stop();
  });

  server.http().listen_after_bind();
  g_stopping = true;
  stopper.join();
  std::remove(opts.port_file.c_str());
  return 0;
}
