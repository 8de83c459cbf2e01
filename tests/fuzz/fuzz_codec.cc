// libFuzzer target for one protocol codec, chosen at compile time:
// LLMCTL_FUZZ_CODEC names the codec's factory, and LLMCTL_FUZZ_STREAM picks
// the stream decoder (input = an event stream replayed whole and in small
// pieces) instead of the reader of a non-streamed body (input = the body).
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "providers/anthropic.h"
#include "providers/codec_testing.h"
#include "providers/gemini.h"
#include "providers/openai.h"

namespace {

const llmctl::ProtocolCodec& Codec() {
  static const auto codec = [] {
    llmctl::ProviderConfig cfg;
    cfg.name = "fuzz";
    cfg.api_key = "sk-fuzz-0123456789abcdef";
    return LLMCTL_FUZZ_CODEC(cfg);
  }();
  return *codec;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
#if LLMCTL_FUZZ_STREAM
  llmctl::ReplayStream(Codec(), bytes);
  llmctl::ReplayStream(Codec(), bytes, 1 + size % 11);
#else
  llmctl::ChatResult result;
  llmctl::ProviderFailure failure;
  Codec().ParseChat(bytes, &result, &failure);
#endif
  return 0;
}
