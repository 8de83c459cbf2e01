#include "providers/sse_parser.h"

#include <algorithm>
#include <cctype>

namespace llmctl {

void SseParser::Feed(std::string_view bytes) {
  size_t i = 0;
  if (skip_lf_ && !bytes.empty()) {
    if (bytes[0] == '\n') i = 1;
    skip_lf_ = false;
  }
  while (i < bytes.size()) {
    size_t end = bytes.find_first_of("\r\n", i);
    if (end == std::string_view::npos) {
      line_.append(bytes.substr(i));
      return;
    }
    line_.append(bytes.substr(i, end - i));
    if (bytes[end] == '\r') {
      if (end + 1 == bytes.size()) skip_lf_ = true;
      else if (bytes[end + 1] == '\n') ++end;
    }
    ProcessLine(line_);
    line_.clear();
    i = end + 1;
  }
}

void SseParser::Finish() {
  if (!line_.empty()) {
    ProcessLine(line_);
    line_.clear();
  }
  skip_lf_ = false;
  Dispatch();
}

void SseParser::ProcessLine(std::string_view line) {
  if (line.empty()) {
    Dispatch();
    return;
  }
  if (line[0] == ':') return;  // comment, e.g. OpenRouter's keep-alives
  std::string_view field = line, value;
  if (size_t colon = line.find(':'); colon != std::string_view::npos) {
    field = line.substr(0, colon);
    value = line.substr(colon + 1);
    if (!value.empty() && value[0] == ' ') value.remove_prefix(1);
  }
  if (field == "data") {
    data_.append(value).push_back('\n');
    has_data_ = true;
  } else if (field == "event") {
    event_ = value;
  } else if (field == "id") {
    if (value.find('\0') == std::string_view::npos) last_id_ = value;
  } else if (field == "retry") {
    // At most 18 digits, so the value always fits in int64_t.
    if (!value.empty() && value.size() <= 18 && std::all_of(value.begin(), value.end(), [](char c) {
          return std::isdigit(static_cast<unsigned char>(c));
        }))
      retry_ms_ = std::stoll(std::string(value));
  } else if (field == "error") {
    // Older llama.cpp servers sent failures as an `error:` field, which the
    // standard says to ignore; carrying it as data of an "error" event keeps
    // such a failure from passing for a quietly truncated stream.
    data_.append(value).push_back('\n');
    has_data_ = true;
    error_field_ = true;
  }
}

void SseParser::Dispatch() {
  if (has_data_ || !event_.empty()) {
    SseEvent ev;
    ev.event = error_field_ ? "error" : event_;
    if (!data_.empty()) data_.pop_back();
    ev.data = std::move(data_);
    ev.id = last_id_;
    on_event_(ev);
  }
  event_.clear();
  data_.clear();
  has_data_ = false;
  error_field_ = false;
}

}  // namespace llmctl
