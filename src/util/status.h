// Status: the error value passed between layers instead of exceptions.
// Each code is the process exit code (the numbers are part of the command
// line contract scripts rely on), so the command layer can turn any failure
// into the right exit without re-classifying it. [[nodiscard]]: a Status
// dropped on the floor is a failure nobody hears of; ignore one only
// deliberately, with a (void) cast and the reason beside it.
#pragma once

#include <string>
#include <utility>

namespace llmctl {

enum class StatusCode {
  kOk = 0,
  kInternal = 1,
  kUsage = 2,
  kConfig = 3,
  kRateLimited = 4,
  kBudget = 5,
  kContextWindow = 6,
  kTruncated = 7,
  kProvider = 8,
  kCheckFailed = 9,
  kGuardRefused = 10,
  kInterrupted = 130,
};

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }
  static Status Usage(std::string m) { return {StatusCode::kUsage, std::move(m)}; }
  static Status Config(std::string m) { return {StatusCode::kConfig, std::move(m)}; }
  static Status RateLimited(std::string m) { return {StatusCode::kRateLimited, std::move(m)}; }
  static Status Budget(std::string m) { return {StatusCode::kBudget, std::move(m)}; }
  static Status ContextWindow(std::string m) { return {StatusCode::kContextWindow, std::move(m)}; }
  static Status Truncated(std::string m) { return {StatusCode::kTruncated, std::move(m)}; }
  static Status Provider(std::string m) { return {StatusCode::kProvider, std::move(m)}; }
  static Status CheckFailed(std::string m) { return {StatusCode::kCheckFailed, std::move(m)}; }
  static Status GuardRefused(std::string m) { return {StatusCode::kGuardRefused, std::move(m)}; }
  static Status Interrupted(std::string m) { return {StatusCode::kInterrupted, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  int exit_code() const { return static_cast<int>(code_); }
  const std::string& message() const { return message_; }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

}  // namespace llmctl
