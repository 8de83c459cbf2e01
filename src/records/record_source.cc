#include "records/record_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string_view>
#include <thread>
#include <utility>

#include <spdlog/spdlog.h>

#include "records/record_line_parser.h"
#include "util/unique_fd.h"

namespace llmctl {
namespace {

// Below this a file is parsed on the calling thread: starting threads costs
// more than it saves.
constexpr off_t kParallelBytes = 32 << 20;
// Records handed from a parsing thread to the sink at a time; the queue of
// full batches is bounded so memory stays flat when the sink is slower.
constexpr size_t kBatchRecords = 512;
constexpr size_t kMaxQueuedBatches = 8;

std::string_view WithoutCr(std::string_view s) {
  if (!s.empty() && s.back() == '\r') s.remove_suffix(1);
  return s;
}

bool IsBlank(std::string_view line) {
  return line.find_first_not_of(" \t") == std::string_view::npos;
}

// A line that is not a record: its position and why.
struct BadLine {
  size_t line_no;
  std::string why;
};

// Reports a bad line; true when reading goes on.
bool Report(const std::string& name, const BadLine& bad, bool strict, Status* result) {
  std::string where = name + ":" + std::to_string(bad.line_no) + ": " + bad.why;
  if (strict) {
    *result = Status::Usage(where + " (--strict stops at the first bad line)");
    return false;
  }
  spdlog::warn("{} (line skipped)", where);
  return true;
}

// Hands out one line at a time (without its newline or a trailing CR) from
// large blocks read from a file descriptor: with read() for a stream such
// as stdin, or with pread() over a byte range of a regular file, so that
// several threads can read one file without sharing a file offset. Reading
// into one reused buffer keeps memory flat, where mapping the file would
// fault in (and count as resident) every page of it.
class LineReader {
 public:
  static LineReader Stream(int fd) { return LineReader(fd, 0, -1, false); }
  static LineReader Range(int fd, off_t begin, off_t end) {
    return LineReader(fd, begin, end, true);
  }

  // false at end of input or on a read error (then error() is set).
  bool Next(std::string_view* line) {
    for (;;) {
      const char* nl =
          static_cast<const char*>(std::memchr(buf_.data() + start_, '\n', end_ - start_));
      if (nl) {
        size_t len = nl - (buf_.data() + start_);
        *line = WithoutCr(std::string_view(buf_.data() + start_, len));
        start_ += len + 1;
        return true;
      }
      if (eof_) {
        if (start_ == end_) return false;
        *line = WithoutCr(std::string_view(buf_.data() + start_, end_ - start_));
        start_ = end_;
        return true;
      }
      Fill();
    }
  }
  const std::string& error() const { return error_; }

 private:
  LineReader(int fd, off_t begin, off_t end, bool positional)
      : fd_(fd), offset_(begin), end_offset_(end), positional_(positional), buf_(1 << 20) {}

  void Fill() {
    // Move the partial line to the front; grow only for a line longer than the buffer.
    std::memmove(buf_.data(), buf_.data() + start_, end_ - start_);
    end_ -= start_;
    start_ = 0;
    if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
    size_t want = buf_.size() - end_;
    if (positional_) want = std::min(want, static_cast<size_t>(end_offset_ - offset_));
    ssize_t n = 0;
    if (want > 0) {
      do
        n = positional_ ? ::pread(fd_, buf_.data() + end_, want, offset_)
                        : ::read(fd_, buf_.data() + end_, want);
      while (n < 0 && errno == EINTR);
    }
    if (n < 0) error_ = std::strerror(errno);
    if (n <= 0) {
      eof_ = true;
      return;
    }
    end_ += static_cast<size_t>(n);
    offset_ += n;
  }

  int fd_;
  off_t offset_;
  off_t end_offset_;
  bool positional_;
  std::vector<char> buf_;
  size_t start_ = 0;
  size_t end_ = 0;
  bool eof_ = false;
  std::string error_;
};

// What reading one stream or byte range found besides its records.
struct LinesResult {
  size_t lines = 0;          // lines read, so a later range can number its own
  std::vector<BadLine> bad;  // numbered from the first line read
  std::string read_error;
};

// Parses every line of reader into the slot next_slot() gives, calling
// commit() after each record, so records can be parsed straight into
// reused storage.
template <typename NextSlot, typename Commit>
void ParseLines(LineReader& reader, bool strict, LinesResult* result, const NextSlot& next_slot,
                const Commit& commit) {
  std::string_view line;
  CallRecord* slot = next_slot();
  while (reader.Next(&line)) {
    ++result->lines;
    if (IsBlank(line)) continue;
    Status st = ParseRecordLine(line, slot);
    if (st.ok()) {
      commit();
      slot = next_slot();
      continue;
    }
    result->bad.push_back({result->lines, st.message()});
    if (strict) return;
  }
  result->read_error = reader.error();
}

// Reports the bad lines of consecutive parts of one input in order, each
// numbered after the lines of the parts before it.
Status ReportBadLines(const std::string& name, bool strict, const std::vector<LinesResult>& parts) {
  Status result;
  size_t lines_before = 0;
  for (const LinesResult& part : parts) {
    for (const BadLine& bad : part.bad)
      if (!Report(name, {lines_before + bad.line_no, bad.why}, strict, &result)) return result;
    if (!part.read_error.empty())
      return Status::Usage("cannot read " + name + ": " + part.read_error);
    lines_before += part.lines;
  }
  return result;
}

// Stdin or a pipe: one record at a time, warnings as they come.
Status ReadStream(int fd, const std::string& name, bool strict,
                  const std::function<void(const CallRecord&)>& sink) {
  LineReader reader = LineReader::Stream(fd);
  CallRecord record;
  std::string_view line;
  Status result;
  for (size_t line_no = 1; reader.Next(&line); ++line_no) {
    if (IsBlank(line)) continue;
    Status st = ParseRecordLine(line, &record);
    if (st.ok()) sink(record);
    else if (!Report(name, {line_no, st.message()}, strict, &result)) break;
  }
  if (result.ok() && !reader.error().empty())
    result = Status::Usage("cannot read " + name + ": " + reader.error());
  return result;
}

// Records parsed by a worker thread, handed over together. Batches are
// recycled with the records in them, so their strings keep their buffers
// and a worker parses into memory that is already allocated.
struct Batch {
  std::vector<CallRecord> records = std::vector<CallRecord>(kBatchRecords);
  size_t size = 0;
};

// Full batches from the worker threads to the calling thread, and empty
// ones back.
class BatchQueue {
 public:
  void Push(std::unique_ptr<Batch> batch) {
    std::unique_lock lock(mu_);
    room_.wait(lock, [&] { return full_.size() < kMaxQueuedBatches; });
    full_.push_back(std::move(batch));
    ready_.notify_one();
  }
  void ProducerDone() {
    std::lock_guard lock(mu_);
    ++done_;
    ready_.notify_one();
  }
  // Null once every producer is done and the queue is drained.
  std::unique_ptr<Batch> Pop(size_t producers) {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return !full_.empty() || done_ == producers; });
    if (full_.empty()) return nullptr;
    std::unique_ptr<Batch> batch = std::move(full_.front());
    full_.pop_front();
    room_.notify_one();
    return batch;
  }
  void Recycle(std::unique_ptr<Batch> batch) {
    batch->size = 0;
    std::lock_guard lock(mu_);
    empty_.push_back(std::move(batch));
  }
  std::unique_ptr<Batch> Empty() {
    {
      std::lock_guard lock(mu_);
      if (!empty_.empty()) {
        std::unique_ptr<Batch> batch = std::move(empty_.back());
        empty_.pop_back();
        return batch;
      }
    }
    return std::make_unique<Batch>();
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, room_;
  std::deque<std::unique_ptr<Batch>> full_;
  std::vector<std::unique_ptr<Batch>> empty_;
  size_t done_ = 0;
};

// Offsets that cut [0, size) into about `parts` ranges, each cut just after
// a newline so that every range holds whole lines.
std::vector<off_t> LineBoundaries(int fd, off_t size, size_t parts) {
  std::vector<off_t> cuts{0};
  std::vector<char> window(1 << 16);
  for (size_t i = 1; i < parts; ++i) {
    off_t at = std::max(cuts.back(), size / static_cast<off_t>(parts) * static_cast<off_t>(i));
    off_t cut = size;
    while (at < size) {
      ssize_t n = ::pread(fd, window.data(), window.size(), at);
      if (n <= 0) break;
      if (const void* nl = std::memchr(window.data(), '\n', static_cast<size_t>(n))) {
        cut = at + (static_cast<const char*>(nl) - window.data()) + 1;
        break;
      }
      at += n;
    }
    if (cut >= size) break;
    cuts.push_back(cut);
  }
  cuts.push_back(size);
  return cuts;
}

// A regular file: large ones are cut into one range per core, parsed by
// worker threads and handed to sink on this thread in batches.
Status ReadFile(int fd, off_t size, const std::string& name, bool strict,
                const std::function<void(const CallRecord&)>& sink) {
  const unsigned cores = std::clamp(std::thread::hardware_concurrency(), 1u, 8u);
  const std::vector<off_t> cuts = LineBoundaries(fd, size, size < kParallelBytes ? 1 : cores);
  const size_t ranges = cuts.size() - 1;
  std::vector<LinesResult> results(ranges);
  if (ranges == 1) {
    LineReader reader = LineReader::Range(fd, 0, size);
    CallRecord record;
    ParseLines(
        reader, strict, &results[0], [&] { return &record; }, [&] { sink(record); });
    return ReportBadLines(name, strict, results);
  }
  BatchQueue queue;
  std::vector<std::jthread> workers;
  for (size_t i = 0; i < ranges; ++i) {
    workers.emplace_back([&, i] {
      LineReader reader = LineReader::Range(fd, cuts[i], cuts[i + 1]);
      std::unique_ptr<Batch> batch = queue.Empty();
      ParseLines(
          reader, strict, &results[i], [&] { return &batch->records[batch->size]; },
          [&] {
            if (++batch->size == kBatchRecords) {
              queue.Push(std::move(batch));
              batch = queue.Empty();
            }
          });
      if (batch->size > 0) queue.Push(std::move(batch));
      queue.ProducerDone();
    });
  }
  while (std::unique_ptr<Batch> batch = queue.Pop(ranges)) {
    for (size_t i = 0; i < batch->size; ++i) sink(batch->records[i]);
    queue.Recycle(std::move(batch));
  }
  workers.clear();  // joins them
  return ReportBadLines(name, strict, results);
}

Status ReadOne(const std::string& path, bool strict,
               const std::function<void(const CallRecord&)>& sink) {
  if (path == "-") return ReadStream(STDIN_FILENO, "<stdin>", strict, sink);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Status::Usage("cannot read " + path + ": " + std::strerror(errno));
  struct stat st;
  if (::fstat(fd.get(), &st) == 0 && S_ISREG(st.st_mode))
    return ReadFile(fd.get(), st.st_size, path, strict, sink);
  return ReadStream(fd.get(), path, strict, sink);
}

}  // namespace

Status ReadJsonlRecords(const std::vector<std::string>& paths, bool strict,
                        const std::function<void(const CallRecord&)>& sink) {
  for (const std::string& path : paths) {
    Status st = ReadOne(path, strict, sink);
    if (!st.ok()) return st;
  }
  return Status::Ok();
}

}  // namespace llmctl
