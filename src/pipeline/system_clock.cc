#include <algorithm>
#include <thread>

#include "pipeline/pipeline_context.h"
#include "util/time_format.h"

namespace llmctl {
namespace {

class RealClock : public PipelineClock {
 public:
  int64_t NowUnixMs() const override { return llmctl::NowUnixMs(); }
  std::chrono::steady_clock::time_point Now() const override {
    return std::chrono::steady_clock::now();
  }
  // Sleeps in short steps so SIGINT ends a backoff at once.
  bool Sleep(int64_t ms, const std::atomic<bool>* cancelled) const override {
    using Steady = std::chrono::steady_clock;
    const auto until = Steady::now() + std::chrono::milliseconds(ms);
    while (Steady::now() < until) {
      if (cancelled && cancelled->load()) return false;
      std::this_thread::sleep_for(
          std::min<Steady::duration>(std::chrono::milliseconds(20), until - Steady::now()));
    }
    return !(cancelled && cancelled->load());
  }
};

}  // namespace

const PipelineClock& SystemClock() {
  static const RealClock clock{};
  return clock;
}

}  // namespace llmctl
