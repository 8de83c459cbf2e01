#include "fake_script.h"

#include <set>
#include <stdexcept>

namespace fake {

namespace {

// `recent` keeps this many requests so retry tests can inspect every attempt
// without the list growing without bound during benchmarks.
constexpr size_t kRecentMax = 50;
// Bodies larger than this are summarised in `recent` (last_request keeps all).
constexpr size_t kRecentBodyMax = 64 * 1024;

[[noreturn]] void bad(const std::string &what) {
  throw std::invalid_argument("invalid step: " + what);
}

int64_t get_int(const json &j, const std::string &key) {
  const json &v = j.at(key);
  if (!v.is_number()) bad("'" + key + "' must be a number");
  return v.get<int64_t>();
}

double get_number(const json &j, const std::string &key) {
  const json &v = j.at(key);
  if (!v.is_number()) bad("'" + key + "' must be a number");
  return v.get<double>();
}

std::string get_string(const json &j, const std::string &key) {
  const json &v = j.at(key);
  if (!v.is_string()) bad("'" + key + "' must be a string");
  return v.get<std::string>();
}

bool get_bool(const json &j, const std::string &key) {
  const json &v = j.at(key);
  if (!v.is_boolean()) bad("'" + key + "' must be true or false");
  return v.get<bool>();
}

ErrorSpec parse_error(const json &j, const std::string &where) {
  if (!j.is_object()) bad("'" + where + "' must be an object");
  ErrorSpec e;
  for (const auto &[key, value] : j.items()) {
    if (key == "type" || key == "status") e.type = get_string(j, key);
    else if (key == "message") e.message = get_string(j, key);
    else if (key == "code") e.code = value.is_string() ? value.get<std::string>() : value.dump();
    else if (key == "param") e.param = get_string(j, key);
    else if (key != "after") bad("unknown field '" + where + "." + key + "'");
  }
  return e;
}

}  // namespace

Step parse_step(const json &j) {
  if (!j.is_object()) bad("each step must be a JSON object, got " + j.dump());
  Step s;
  for (const auto &[key, value] : j.items()) {
    if (key == "match") s.match = get_string(j, key);
    else if (key == "times") s.times = static_cast<int>(get_int(j, key));
    else if (key == "status") s.status = static_cast<int>(get_int(j, key));
    else if (key == "body") s.body = get_string(j, key);
    else if (key == "json") s.json_body = value;
    else if (key == "error") s.error = parse_error(value, key);
    else if (key == "content_type") s.content_type = get_string(j, key);
    else if (key == "headers") {
      if (!value.is_object()) bad("'headers' must be an object");
      for (const auto &[name, v] : value.items()) {
        s.headers.emplace_back(name, v.is_string() ? v.get<std::string>() : v.dump());
      }
    } else if (key == "retry_after") s.retry_after = get_number(j, key);
    else if (key == "retry_after_ms") s.retry_after_ms = get_number(j, key);
    else if (key == "delay_ms") s.delay_ms = static_cast<int>(get_int(j, key));
    else if (key == "event_delay_ms") s.event_delay_ms = static_cast<int>(get_int(j, key));
    else if (key == "drop_connection") s.drop_connection = get_bool(j, key);
    else if (key == "chunk_bytes") s.chunk_bytes = static_cast<int>(get_int(j, key));
    else if (key == "crlf") s.crlf = get_bool(j, key);
    else if (key == "text") s.text = get_string(j, key);
    else if (key == "chunks") {
      if (!value.is_array()) bad("'chunks' must be an array of strings");
      for (const auto &c : value) {
        if (!c.is_string()) bad("'chunks' must be an array of strings");
        s.chunks.push_back(c.get<std::string>());
      }
    } else if (key == "answer_bytes") s.answer_bytes = get_int(j, key);
    else if (key == "echo_system") s.echo_system = get_bool(j, key);
    else if (key == "finish") s.finish = get_string(j, key);
    else if (key == "stop_sequence") s.stop_sequence = get_string(j, key);
    else if (key == "block") s.block = get_string(j, key);
    else if (key == "usage") {
      if (!value.is_object()) bad("'usage' must be an object");
      for (const auto &[name, v] : value.items()) {
        if (!v.is_number_integer()) bad("'usage." + name + "' must be an integer");
        int64_t n = v.get<int64_t>();
        if (name == "input") s.usage.input = n;
        else if (name == "output") s.usage.output = n;
        else if (name == "cached") s.usage.cached = n;
        else if (name == "reasoning") s.usage.reasoning = n;
        else bad("unknown field 'usage." + name + "' (input, output, cached, reasoning)");
      }
    } else if (key == "stream_cut_after") s.stream_cut_after = static_cast<int>(get_int(j, key));
    else if (key == "stream_cut_hard") s.stream_cut_hard = get_bool(j, key);
    else if (key == "stream_error") {
      StreamError se;
      se.error = parse_error(value, key);
      if (value.contains("after")) se.after = static_cast<int>(get_int(value, "after"));
      s.stream_error = se;
    } else {
      bad("unknown field '" + key + "'");
    }
  }
  if (s.times < 1) bad("'times' must be at least 1");
  if (s.chunk_bytes < 0 || s.delay_ms < 0 || s.event_delay_ms < 0) bad("negative size or delay");
  if (s.answer_bytes && *s.answer_bytes < 0) bad("'answer_bytes' must not be negative");
  return s;
}

std::vector<Step> parse_steps(const json &j) {
  std::vector<Step> steps;
  if (j.is_array()) {
    for (const auto &item : j) steps.push_back(parse_step(item));
  } else {
    steps.push_back(parse_step(j));
  }
  return steps;
}

void Script::replace(std::vector<Step> steps) {
  std::lock_guard lock(mu_);
  steps_.assign(steps.begin(), steps.end());
}

void Script::append(std::vector<Step> steps) {
  std::lock_guard lock(mu_);
  steps_.insert(steps_.end(), steps.begin(), steps.end());
}

void Script::clear() {
  std::lock_guard lock(mu_);
  steps_.clear();
}

void Script::set_default(std::optional<Step> step) {
  std::lock_guard lock(mu_);
  default_ = std::move(step);
}

std::optional<Step> Script::take(const std::string &path) {
  std::lock_guard lock(mu_);
  for (auto it = steps_.begin(); it != steps_.end(); ++it) {
    if (!it->match.empty() && path.find(it->match) == std::string::npos) continue;
    Step step = *it;
    if (--it->times <= 0) steps_.erase(it);
    return step;
  }
  if (default_ && (default_->match.empty() || path.find(default_->match) != std::string::npos)) {
    return default_;
  }
  return std::nullopt;
}

int Script::remaining() const {
  std::lock_guard lock(mu_);
  int n = 0;
  for (const auto &s : steps_) n += s.times;
  return n;
}

Stats::Stats() : start_(std::chrono::steady_clock::now()) {}

void Stats::begin(const std::string &path, json summary) {
  auto now = std::chrono::steady_clock::now();
  summary["t_ms"] = std::chrono::duration_cast<std::chrono::milliseconds>(now - start_).count();

  std::lock_guard lock(mu_);
  ++requests_;
  ++by_path_[path];
  ++in_flight_;
  if (in_flight_ > max_in_flight_) max_in_flight_ = in_flight_;

  json brief = summary;
  const json &body = summary["body"];
  if (body.is_string() && body.get_ref<const std::string &>().size() > kRecentBodyMax) {
    brief["body"] = "<" + std::to_string(body.get_ref<const std::string &>().size()) + " bytes>";
  } else if (!body.is_string() && body.dump().size() > kRecentBodyMax) {
    brief["body"] = "<large JSON body>";
  }
  recent_.push_back(std::move(brief));
  if (recent_.size() > kRecentMax) recent_.pop_front();
  last_request_ = std::move(summary);
}

void Stats::end(int status) {
  std::lock_guard lock(mu_);
  if (in_flight_ > 0) --in_flight_;
  ++by_status_[std::to_string(status)];
}

void Stats::reset() {
  std::lock_guard lock(mu_);
  requests_ = 0;
  // Requests still running will call end() later; keep in_flight_ honest.
  max_in_flight_ = in_flight_;
  by_path_.clear();
  by_status_.clear();
  last_request_ = nullptr;
  recent_.clear();
}

json Stats::to_json() const {
  std::lock_guard lock(mu_);
  json j;
  j["requests"] = requests_;
  j["by_path"] = json::object();
  for (const auto &[path, n] : by_path_) j["by_path"][path] = n;
  j["by_status"] = json::object();
  for (const auto &[status, n] : by_status_) j["by_status"][status] = n;
  j["in_flight"] = in_flight_;
  j["max_in_flight"] = max_in_flight_;
  j["last_request"] = last_request_;
  j["recent"] = json::array();
  for (const auto &r : recent_) j["recent"].push_back(r);
  return j;
}

}  // namespace fake
