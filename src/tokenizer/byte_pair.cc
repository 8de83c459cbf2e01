#include "tokenizer/byte_pair.h"

#include <limits>
#include <queue>
#include <stdexcept>

namespace llmctl {
namespace {

constexpr uint32_t kNone = std::numeric_limits<uint32_t>::max();

uint32_t RankOf(const RankTable& t, const unsigned char* p, size_t n) {
  int32_t r = t.Find(p, n);
  return r < 0 ? kNone : static_cast<uint32_t>(r);
}

// Every byte is a token in a byte-level encoding.
uint32_t ByteRank(const RankTable& t, unsigned char b) {
  int32_t r = t.Find(&b, 1);
  if (r < 0) throw std::logic_error("BPE rank table lacks a single byte");
  return static_cast<uint32_t>(r);
}

// Receives a piece's tokens: their ids, or only how many there are.
struct Sink {
  std::vector<uint32_t>* ids;  // null: count only
  size_t n = 0;
  void id(uint32_t v) {
    ++n;
    if (ids) ids->push_back(v);
  }
  void count(size_t k) { n += k; }
};

// tiktoken's algorithm: parts[i].start is where part i begins and
// parts[i].rank the rank of part i merged with part i + 1.
void ScanMerge(const RankTable& t, const unsigned char* p, size_t n, bool need_ids, Sink& sink) {
  struct Part {
    uint32_t start;
    uint32_t rank;
  };
  thread_local std::vector<Part> parts;
  parts.clear();
  for (size_t i = 0; i + 1 < n; ++i)
    parts.push_back({static_cast<uint32_t>(i), RankOf(t, p + i, 2)});
  parts.push_back({static_cast<uint32_t>(n - 1), kNone});
  parts.push_back({static_cast<uint32_t>(n), kNone});
  auto pair_rank = [&](size_t i) {
    return i + 3 < parts.size() ? RankOf(t, p + parts[i].start, parts[i + 3].start - parts[i].start)
                                : kNone;
  };
  for (;;) {
    uint32_t min_rank = kNone;
    size_t min_i = 0;
    for (size_t i = 0; i + 1 < parts.size(); ++i)
      if (parts[i].rank < min_rank) min_rank = parts[i].rank, min_i = i;
    if (min_rank == kNone) break;
    parts[min_i].rank = pair_rank(min_i);
    if (min_i > 0) parts[min_i - 1].rank = pair_rank(min_i - 1);
    parts.erase(parts.begin() + static_cast<ptrdiff_t>(min_i) + 1);
  }
  if (!need_ids) return sink.count(parts.size() - 1);
  for (size_t i = 0; i + 1 < parts.size(); ++i) {
    const uint32_t len = parts[i + 1].start - parts[i].start;
    sink.id(len == 1 ? ByteRank(t, p[parts[i].start]) : RankOf(t, p + parts[i].start, len));
  }
}

// The same merges in the same order, for long pieces: a doubly linked list of
// parts and a min-heap of (pair rank, start) whose stale entries are skipped.
// Ordering by start breaks ties leftmost, as the scan does.
void HeapMerge(const RankTable& t, const unsigned char* p, size_t n, bool need_ids, Sink& sink) {
  std::vector<uint32_t> next(n + 1), prev(n + 1), pair(n + 1, kNone), token(n + 1);
  std::vector<bool> alive(n + 1, true);
  for (uint32_t i = 0; i <= n; ++i) {
    next[i] = i + 1;
    prev[i] = i == 0 ? kNone : i - 1;
  }
  if (need_ids)
    for (size_t i = 0; i < n; ++i) token[i] = ByteRank(t, p[i]);
  using Entry = std::pair<uint32_t, uint32_t>;  // (rank, start)
  std::priority_queue<Entry, std::vector<Entry>, std::greater<>> heap;
  // The rank of part i merged with its successor (parts end at n).
  auto compute = [&](uint32_t i) {
    uint32_t j = next[i];
    if (j >= n) return kNone;
    uint32_t end = next[j];
    return RankOf(t, p + i, end - i);
  };
  for (uint32_t i = 0; i + 1 < n; ++i) {
    pair[i] = compute(i);
    if (pair[i] != kNone) heap.push({pair[i], i});
  }
  while (!heap.empty()) {
    auto [rank, i] = heap.top();
    heap.pop();
    if (!alive[i] || pair[i] != rank) continue;
    uint32_t j = next[i];
    alive[j] = false;
    next[i] = next[j];
    if (next[j] <= n) prev[next[j]] = i;
    token[i] = rank;
    pair[i] = compute(i);
    if (pair[i] != kNone) heap.push({pair[i], i});
    if (prev[i] != kNone) {
      uint32_t h = prev[i];
      pair[h] = compute(h);
      if (pair[h] != kNone) heap.push({pair[h], h});
    }
  }
  for (uint32_t i = 0; i < n; i = next[i]) sink.id(token[i]);
}

void Encode(const RankTable& t, std::string_view piece, bool use_heap, Sink& sink) {
  const auto* p = reinterpret_cast<const unsigned char*>(piece.data());
  const size_t n = piece.size();
  if (n == 0) return;
  if (int32_t whole = t.Find(p, n); whole >= 0) return sink.id(static_cast<uint32_t>(whole));
  if (use_heap) HeapMerge(t, p, n, sink.ids != nullptr, sink);
  else ScanMerge(t, p, n, sink.ids != nullptr, sink);
}

}  // namespace

void BytePairEncode(const RankTable& t, std::string_view piece, std::vector<uint32_t>* out) {
  Sink sink{out};
  Encode(t, piece, piece.size() > kHeapMergeThreshold, sink);
}

size_t BytePairCount(const RankTable& t, std::string_view piece) {
  Sink sink{nullptr};
  Encode(t, piece, piece.size() > kHeapMergeThreshold, sink);
  return sink.n;
}

void BytePairEncodeForTest(const RankTable& t, std::string_view piece, bool use_heap,
                           std::vector<uint32_t>* out) {
  Sink sink{out};
  Encode(t, piece, use_heap, sink);
}

}  // namespace llmctl
