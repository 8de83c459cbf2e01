#include "records/percentiles.h"

#include <algorithm>

namespace llmctl {

double NearestRankPercentile(std::span<const double> sorted, int per_mille) {
  const size_t n = sorted.size();
  size_t rank = (static_cast<size_t>(per_mille) * n + 999) / 1000;  // ceil
  rank = std::clamp<size_t>(rank, 1, n);
  return sorted[rank - 1];
}

Distribution Summarize(std::vector<double>* samples) {
  Distribution d;
  if (samples->empty()) return d;
  std::sort(samples->begin(), samples->end());
  d.count = samples->size();
  d.p50 = NearestRankPercentile(*samples, 500);
  d.p95 = NearestRankPercentile(*samples, 950);
  d.p99 = NearestRankPercentile(*samples, 990);
  d.max = samples->back();
  for (double v : *samples) d.sum += v;
  return d;
}

}  // namespace llmctl
