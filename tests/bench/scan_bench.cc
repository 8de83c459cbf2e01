// Scanner timing for tests/bench/bench_guard.sh: throughput over a file and
// the cost of one scan of a short prompt, in-process so process start-up
// does not hide the figure. Not a test; built only on request.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "guardrails/injection_scanner.h"

using namespace llmctl;
using Clock = std::chrono::steady_clock;

static double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

int main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr, "usage: scan_bench throughput FILE [RUNS] | prompt FILE [RUNS]\n");
    return 2;
  }
  const std::string mode = argv[1];
  std::ifstream in(argv[2], std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  const std::string text = ss.str();
  const int runs = argc > 3 ? std::atoi(argv[3]) : 5;

  const auto c0 = Clock::now();
  std::unique_ptr<InjectionScanner> scanner;
  Status st = InjectionScanner::Create({}, &scanner);
  const auto c1 = Clock::now();
  if (!st.ok()) {
    std::fprintf(stderr, "%s\n", st.message().c_str());
    return 1;
  }
  std::vector<double> times;
  size_t findings = 0;
  for (int i = 0; i < runs; ++i) {
    const auto t0 = Clock::now();
    findings = scanner->Scan(text, "data 1").size();
    times.push_back(Ms(t0, Clock::now()));
  }
  const double first = times.front();
  std::sort(times.begin(), times.end());
  const double median = times[times.size() / 2];
  if (mode == "throughput") {
    std::printf("patterns=%zu bytes=%zu findings=%zu build_ms=%.3f median_ms=%.3f mb_per_s=%.1f\n",
                scanner->pattern_count(), text.size(), findings, Ms(c0, c1), median,
                text.size() / 1e6 / (median / 1000));
  } else {
    // The first scan builds the automaton's states; later ones reuse them.
    std::printf("patterns=%zu bytes=%zu build_ms=%.3f first_scan_ms=%.4f median_scan_ms=%.4f\n",
                scanner->pattern_count(), text.size(), Ms(c0, c1), first, median);
  }
  return 0;
}
