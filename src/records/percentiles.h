// Percentiles by the nearest-rank method: the p-th percentile of n samples
// is the value at 1-based rank ceil(p/100 × n) of the ascending order. It
// always returns an observed value (never an interpolation), so "p95 =
// 812 ms" means a real call took 812 ms, and a single sample is every
// percentile.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

namespace llmctl {

// p in per-mille (950 = p95, 999 = p99.9) so the rank is exact integer
// arithmetic; floating p × n could round 95 × 100 / 100 to 94.999…
// `sorted` must be ascending and non-empty.
double NearestRankPercentile(std::span<const double> sorted, int per_mille);

struct Distribution {
  size_t count = 0;
  double p50 = 0;
  double p95 = 0;
  double p99 = 0;
  double max = 0;
  double sum = 0;
};

// Sorts the samples in place and summarises them; all zero when empty.
Distribution Summarize(std::vector<double>* samples);

}  // namespace llmctl
