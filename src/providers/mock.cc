#include "providers/mock.h"

#include <chrono>
#include <sstream>

#include "util/hash.h"

namespace llmctl {
namespace {

// The answer echoes a short, fixed-size digest of the prompt so different
// prompts give different answers and the same prompt always the same one.
std::vector<std::string> AnswerWords(const ChatRequest& r) {
  std::string last_user;
  for (const Message& m : r.messages)
    if (m.role == "user") last_user = m.content;
  std::string digest = Sha256Hex(r.system + "\n" + last_user).substr(0, 8);
  std::vector<std::string> words = {
      "This", "is",      "a",  "mock",     "answer", "(" + digest + ")",
      "from", "llmctl.", "No", "provider", "was",    "contacted."};
  return words;
}

// The mock's own token count: one per whitespace-separated word, as its
// answer counts them. Cost is zero whatever the count.
int64_t CountWords(const ChatRequest& r) {
  int64_t words = 0;
  auto count = [&](const std::string& text) {
    std::istringstream in(text);
    for (std::string w; in >> w;) ++words;
  };
  count(r.system);
  for (const Message& m : r.messages) count(m.content);
  return words;
}

class MockProvider : public Provider {
 public:
  explicit MockProvider(ProviderConfig cfg) : cfg_(std::move(cfg)) {}

  const ProviderConfig& config() const override { return cfg_; }

  bool Complete(const ChatRequest& r, const AttemptOptions& options, ChatResult* result,
                ProviderFailure* failure) override {
    if (options.cancelled && options.cancelled->load()) {
      failure->error_type = ErrorType::kInterrupted;
      failure->message = "interrupted";
      return false;
    }
    auto start = std::chrono::steady_clock::now();
    std::vector<std::string> words = AnswerWords(r);
    bool truncated = static_cast<int64_t>(words.size()) > r.max_tokens;
    if (truncated) words.resize(static_cast<size_t>(r.max_tokens));
    std::string text;
    for (size_t i = 0; i < words.size(); ++i) {
      std::string piece = (i ? " " : "") + words[i];
      text += piece;
      if (r.stream) {
        if (i == 0)
          result->ttft_ms =
              std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                  .count();
        if (options.on_text) options.on_text(piece);
      }
    }
    if (!r.stream && options.on_text) options.on_text(text);
    result->text = text;
    result->finish_reason = truncated ? FinishReason::kLength : FinishReason::kStop;
    result->provider_finish_reason = truncated ? "length" : "stop";
    result->usage.input_tokens = CountWords(r);
    result->usage.output_tokens = static_cast<int64_t>(words.size());
    result->http_status = 200;
    return true;
  }

  nlohmann::json DescribeRequest(const ChatRequest& r) const override {
    nlohmann::json messages = nlohmann::json::array();
    if (!r.system.empty()) messages.push_back({{"role", "system"}, {"content", r.system}});
    for (const Message& m : r.messages)
      messages.push_back({{"role", m.role}, {"content", m.content}});
    return {{"method", "none"},
            {"url", "mock: (offline, nothing is sent)"},
            {"headers", nlohmann::json::object()},
            {"body",
             {{"model", r.model},
              {"messages", messages},
              {"max_tokens", r.max_tokens},
              {"temperature", r.temperature},
              {"stream", r.stream}}}};
  }

  bool Ping(double, std::string* detail) override {
    *detail = "offline provider, always available";
    return true;
  }

 private:
  ProviderConfig cfg_;
};

}  // namespace

std::unique_ptr<Provider> MakeMockProvider(const ProviderConfig& cfg) {
  return std::make_unique<MockProvider>(cfg);
}

}  // namespace llmctl
