#include "util/log_setup.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <nlohmann/json.hpp>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include "util/time_format.h"

namespace llmctl {
namespace {

// Writes each message as {"time","level","message"}, JSON-escaped properly
// (a pattern string cannot escape quotes inside the message).
class JsonStderrSink : public spdlog::sinks::base_sink<std::mutex> {
 protected:
  void sink_it_(const spdlog::details::log_msg& msg) override {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(msg.time.time_since_epoch()).count();
    nlohmann::json j = {{"time", FormatIsoUtcMs(ms)},
                        {"level", std::string(spdlog::level::to_string_view(msg.level).data(),
                                              spdlog::level::to_string_view(msg.level).size())},
                        {"message", std::string(msg.payload.data(), msg.payload.size())}};
    std::string line = j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    std::fwrite(line.data(), 1, line.size(), stderr);
  }
  void flush_() override { std::fflush(stderr); }
};

}  // namespace

void SetupLogging(const LogOptions& o) {
  std::shared_ptr<spdlog::logger> logger;
  if (o.json) {
    logger = std::make_shared<spdlog::logger>("llmctl", std::make_shared<JsonStderrSink>());
  } else {
    const char* no_color = std::getenv("NO_COLOR");
    bool color = isatty(STDERR_FILENO) && !(no_color && *no_color);
    auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>(
        color ? spdlog::color_mode::always : spdlog::color_mode::never);
    logger = std::make_shared<spdlog::logger>("llmctl", sink);
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
