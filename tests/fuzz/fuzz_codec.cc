// libFuzzer target for one protocol codec, chosen at compile time:
// LLMCTL_FUZZ_CODEC names the codec's factory, and LLMCTL_FUZZ_STREAM picks
// the stream decoder (input = an event stream replayed whole and in small
// pieces) instead of the reader of a non-streamed body (input = the body).
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "providers/anthropic.h"
#include "providers/codec_testing.h"
#include "providers/gemini.h"
#include "providers/openai.h"

namespace {

using llmctl::ProviderKind;

// OpenAI's own endpoint and compatible servers are read with different
// strictness, so the OpenAI targets exercise both.
std::vector<ProviderKind> KindsOf(decltype(&llmctl::MakeOpenAICodec) factory) {
  if (factory == &llmctl::MakeOpenAICodec)
    return {ProviderKind::kOpenAI, ProviderKind::kOpenAICompatible};
  if (factory == &llmctl::MakeAnthropicCodec) return {ProviderKind::kAnthropic};
  return {ProviderKind::kGemini};
}

const std::vector<std::unique_ptr<llmctl::ProtocolCodec>>& Codecs() {
  static const auto codecs = [] {
    std::vector<std::unique_ptr<llmctl::ProtocolCodec>> made;
    for (ProviderKind kind : KindsOf(&LLMCTL_FUZZ_CODEC)) {
      llmctl::ProviderConfig cfg;
      cfg.name = "fuzz";
      cfg.kind = kind;
      cfg.api_key = "sk-fuzz-0123456789abcdef";
      made.push_back(LLMCTL_FUZZ_CODEC(cfg));
    }
    return made;
  }();
  return codecs;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  for (const auto& codec : Codecs()) {
#if LLMCTL_FUZZ_STREAM
    llmctl::ReplayStream(*codec, bytes);
    llmctl::ReplayStream(*codec, bytes, 1 + size % 11);
#else
    llmctl::ChatResult result;
    llmctl::ProviderFailure failure;
    (void)codec->ParseChat(bytes, &result, &failure);
#endif
  }
  return 0;
}
