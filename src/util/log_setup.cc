#include "util/log_setup.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <string_view>
#include <utility>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/secret_scrubber.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

// Writes each message as {"time","level","message"}, JSON-escaped properly
// (a pattern string cannot escape quotes inside the message).
class JsonStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j = {{"time", FormatIsoUtcMs(ms)},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"message", std::string(msg.payload.data(), msg.payload.size())}};
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

// Masks registered secrets in every message before the real sink formats it,
// so no diagnostic (a provider's words, a status, a debug line) can print one.
class ScrubbingSink final : public spdlog::sinks::sink {
 public:
  explicit ScrubbingSink(std::shared_ptr<spdlog::sinks::sink> inner) : inner_(std::move(inner)) {}
  void log(const spdlog::details::log_msg& msg) override {
    const std::string clean =
        ScrubSecrets(std::string_view(msg.payload.data(), msg.payload.size()));
    spdlog::details::log_msg copy = msg;
    copy.payload = spdlog::string_view_t(clean.data(), clean.size());
    inner_->log(copy);
  }
  void flush() override { inner_->flush(); }
  void set_pattern(const std::string& pattern) override { inner_->set_pattern(pattern); }
  void set_formatter(std::unique_ptr<spdlog::formatter> formatter) override {
    inner_->set_formatter(std::move(formatter));
  }

 private:
  std::shared_ptr<spdlog::sinks::sink> inner_;
};

}  // namespace

void SetupLogging(const LogOptions& o) {
  std::shared_ptr<spdlog::logger> logger;
  if (o.json) {
    logger = std::make_shared<spdlog::logger>(
        "llmctl", std::make_shared<ScrubbingSink>(std::make_shared<JsonStderrSink>()));
  } else {
    const char* no_color = std::getenv("NO_COLOR");
    bool color = isatty(STDERR_FILENO) && !(no_color && *no_color);
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        color ? spdlog::color_mode::always : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("llmctl", std::make_shared<ScrubbingSink>(sink));
    logger->set_pattern("llmctl: %^%l%$: %v");
  }
  spdlog::level::level_enum level = spdlog::level::warn;
  if (o.quiet) level = spdlog::level::err;
  else if (o.verbosity == 1) level = spdlog::level::info;
  else if (o.verbosity >= 2) level = spdlog::level::debug;
  logger->set_level(level);
  logger->flush_on(spdlog::level::trace);
  spdlog::set_default_logger(logger);
}

}  // namespace llmctl
