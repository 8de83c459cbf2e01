// StreamReader turns the raw bytes of a streamed response body into a
// decoder's answer: SSE framing, stopping at the terminal event or the first
// failure, and the end-of-stream check. Kept apart from the transport so
// whole streams (split anywhere, cut anywhere) can be replayed in tests.
#pragma once

#include "providers/codec.h"
#include "providers/sse_parser.h"

namespace llmctl {

class StreamReader {
 public:
  // decoder must outlive the reader.
  explicit StreamReader(StreamDecoder* decoder);
  StreamReader(const StreamReader&) = delete;
  StreamReader& operator=(const StreamReader&) = delete;

  // Consumes the next body bytes. Returns false once nothing more is wanted:
  // the terminal event arrived or the stream failed.
  bool Feed(std::string_view bytes);

  // Whether the protocol's terminal event arrived (the answer is whole
  // whatever happens to the connection afterwards).
  bool done() const { return step_ == StreamStep::kDone; }

  // The body ended (or Feed said stop). Returns true with the answer, or
  // false with why the stream is not one.
  bool Finish(ChatResult* result, ProviderFailure* failure);

 private:
  StreamDecoder* decoder_;
  StreamStep step_ = StreamStep::kMore;
  ProviderFailure failure_;
  SseParser parser_;
};

}  // namespace llmctl
