#include "records/percentiles.h"

#include <algorithm>

#include <doctest/doctest.h>

namespace llmctl {

TEST_CASE("percentile: one sample is every percentile") {
  std::vector<double> v = {42};
  Distribution d = Summarize(&v);
  CHECK(d.count == 1);
  CHECK(d.p50 == 42);
  CHECK(d.p95 == 42);
  CHECK(d.p99 == 42);
  CHECK(d.max == 42);
}

TEST_CASE("percentile: two samples, nearest rank") {
  std::vector<double> v = {200, 100};
  Distribution d = Summarize(&v);
  CHECK(d.p50 == 100);  // rank ceil(0.5 × 2) = 1
  CHECK(d.p95 == 200);  // rank ceil(1.9) = 2
  CHECK(d.p99 == 200);
  CHECK(d.max == 200);
  CHECK(d.sum == 300);
}

TEST_CASE("percentile: 1..100 gives the rank itself") {
  std::vector<double> v;
  for (int i = 100; i >= 1; --i) v.push_back(i);
  Distribution d = Summarize(&v);
  CHECK(d.p50 == 50);
  CHECK(d.p95 == 95);  // exact rank, no floating 94.999… rounding
  CHECK(d.p99 == 99);
  CHECK(d.max == 100);
}

TEST_CASE("percentile: known small set (Wikipedia nearest-rank example)") {
  std::vector<double> v = {15, 20, 35, 40, 50};
  std::sort(v.begin(), v.end());
  CHECK(NearestRankPercentile(v, 50) == 15);   // p5: rank 1
  CHECK(NearestRankPercentile(v, 300) == 20);  // p30: rank 2
  CHECK(NearestRankPercentile(v, 400) == 20);  // p40: rank 2
  CHECK(NearestRankPercentile(v, 500) == 35);  // p50: rank 3
  CHECK(NearestRankPercentile(v, 1000) == 50);
}

TEST_CASE("percentile: ten samples") {
  std::vector<double> v = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10};
  Distribution d = Summarize(&v);
  CHECK(d.p50 == 5);   // rank 5
  CHECK(d.p95 == 10);  // rank ceil(9.5) = 10
  CHECK(d.p99 == 10);
}

TEST_CASE("percentile: empty is all zero") {
  std::vector<double> v;
  Distribution d = Summarize(&v);
  CHECK(d.count == 0);
  CHECK(d.max == 0);
}

}  // namespace llmctl
