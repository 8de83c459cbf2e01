// Test helpers for protocol codecs: replay a recorded response body through a
// codec's stream decoder exactly as HttpProvider would, without a network.
#pragma once

#include <algorithm>
#include <string>
#include <string_view>

#include "providers/codec.h"
#include "providers/stream_reader.h"

namespace llmctl {

struct StreamOutcome {
  bool ok = false;
  ChatResult result;
  ProviderFailure failure;
  std::string sunk;  // everything the decoder passed to its sink, in order
  int sink_calls = 0;
};

// Feeds body in pieces of chunk_size bytes (0: all at once).
inline StreamOutcome ReplayStream(const ProtocolCodec& codec, std::string_view body,
                                  size_t chunk_size = 0) {
  StreamOutcome out;
  auto decoder = codec.NewStreamDecoder([&out](std::string_view text) {
    out.sunk += text;
    ++out.sink_calls;
  });
  StreamReader reader(decoder.get());
  size_t step = chunk_size ? chunk_size : std::max<size_t>(body.size(), 1);
  for (size_t at = 0; at < body.size(); at += step)
    if (!reader.Feed(body.substr(at, step))) break;
  out.ok = reader.Finish(&out.result, &out.failure);
  return out;
}

// The value of the first header called name (exact spelling), or "".
inline std::string HeaderOf(const HttpRequest& http, std::string_view name) {
  for (const auto& [n, v] : http.headers)
    if (n == name) return v;
  return "";
}

}  // namespace llmctl
