#include "providers/stream_reader.h"

#include <utility>

namespace llmctl {

StreamReader::StreamReader(StreamDecoder* decoder)
    : decoder_(decoder), parser_([this](const SseEvent& event) {
        if (step_ == StreamStep::kMore) step_ = decoder_->OnEvent(event, &failure_);
      }) {}

bool StreamReader::Feed(std::string_view bytes) {
  if (step_ == StreamStep::kMore) parser_.Feed(bytes);
  return step_ == StreamStep::kMore;
}

bool StreamReader::Finish(ChatResult* result, ProviderFailure* failure) {
  if (step_ == StreamStep::kMore) parser_.Finish();
  if (step_ == StreamStep::kFailed) {
    *failure = std::move(failure_);
    return false;
  }
  return decoder_->Finish(result, failure);
}

}  // namespace llmctl
