#include "guardrails/model_encoding.h"

#include <array>
#include <utility>

namespace llmctl {
namespace {

constexpr Encoding kO200k = Encoding::kO200kBase;
constexpr Encoding kCl100k = Encoding::kCl100kBase;

// tiktoken's MODEL_TO_ENCODING (exact names).
constexpr std::array<std::pair<std::string_view, Encoding>, 15> kExact = {{
    {"o1", kO200k},
    {"o3", kO200k},
    {"o4-mini", kO200k},
    {"gpt-5", kO200k},
    {"gpt-4.1", kO200k},
    {"gpt-4o", kO200k},
    {"gpt-4", kCl100k},
    {"gpt-3.5-turbo", kCl100k},
    {"gpt-3.5", kCl100k},
    {"gpt-35-turbo", kCl100k},
    {"davinci-002", kCl100k},
    {"babbage-002", kCl100k},
    {"text-embedding-ada-002", kCl100k},
    {"text-embedding-3-small", kCl100k},
    {"text-embedding-3-large", kCl100k},
}};

// tiktoken's MODEL_PREFIX_TO_ENCODING, in its order: the first match wins,
// so gpt-4o- must come before gpt-4-. gpt-oss uses o200k_harmony, whose
// ordinary text encodes exactly as o200k_base.
constexpr std::array<std::pair<std::string_view, Encoding>, 17> kPrefixes = {{
    {"o1-", kO200k},
    {"o3-", kO200k},
    {"o4-mini-", kO200k},
    {"gpt-5", kO200k},
    {"gpt-4.5-", kO200k},
    {"gpt-4.1-", kO200k},
    {"chatgpt-4o-", kO200k},
    {"gpt-4o-", kO200k},
    {"gpt-oss-", kO200k},
    {"ft:gpt-4o", kO200k},
    {"gpt-4-", kCl100k},
    {"gpt-3.5-turbo-", kCl100k},
    {"gpt-35-turbo-", kCl100k},
    {"ft:gpt-4", kCl100k},
    {"ft:gpt-3.5-turbo", kCl100k},
    {"ft:davinci-002", kCl100k},
    {"ft:babbage-002", kCl100k},
}};

}  // namespace

std::optional<Encoding> EncodingForModel(std::string_view model) {
  if (size_t slash = model.rfind('/'); slash != std::string_view::npos)
    model.remove_prefix(slash + 1);
  for (const auto& [name, enc] : kExact)
    if (model == name) return enc;
  for (const auto& [prefix, enc] : kPrefixes)
    if (model.starts_with(prefix)) return enc;
  return std::nullopt;
}

}  // namespace llmctl
