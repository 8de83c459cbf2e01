#include "records/latency_stats.h"

#include <regex>
#include <set>
#include <sstream>

#include <doctest/doctest.h>

#include "records/latency_stats_format.h"
#include "records/test_records.h"

namespace llmctl {
namespace {

using testing::Insert;
using testing::MakeRecord;
using testing::ScratchDir;

CallRecord At(int second, const std::string& provider, double latency_ms) {
  char iso[40];
  std::snprintf(iso, sizeof iso, "2026-11-01T00:%02d:%02d.000Z", second / 60, second % 60);
  return MakeRecord(iso, "u", provider, provider == "openai" ? "gpt" : "claude", 0, latency_ms);
}

// Checks text against the Prometheus text exposition grammar: comments are
// "# HELP name text" or "# TYPE name type" (TYPE before the family's
// samples), every other line is `name{label="value",…} value`.
void CheckPrometheusGrammar(const std::string& text) {
  static const std::regex kHelp(R"(# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*)");
  static const std::regex kType(
      R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|summary|histogram|untyped))");
  static const std::regex kSample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")"
      R"((?:,[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*")*\})? )"
      R"((NaN|[+-]Inf|[+-]?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?))");
  std::set<std::string> typed;
  std::istringstream lines(text);
  std::string line;
  int samples = 0;
  while (std::getline(lines, line)) {
    CAPTURE(line);
    std::smatch m;
    if (line.rfind("# HELP ", 0) == 0) {
      CHECK(std::regex_match(line, kHelp));
    } else if (line.rfind("# TYPE ", 0) == 0) {
      REQUIRE(std::regex_match(line, m, kType));
      CHECK(typed.insert(m[1]).second);  // one TYPE per family
    } else {
      REQUIRE(std::regex_match(line, m, kSample));
      std::string name = m[1];
      for (const char* suffix : {"_sum", "_count"})
        if (!typed.count(name) && name.ends_with(suffix))
          name = name.substr(0, name.size() - std::string(suffix).size());
      CHECK(typed.count(name) == 1);
      ++samples;
    }
  }
  CHECK(samples > 0);
  CHECK(text.back() == '\n');
}

}  // namespace

TEST_CASE("latency stats: percentiles, errors apart, cache hits excluded") {
  LatencyAggregator agg({});
  for (int i = 1; i <= 100; ++i) agg.Add(At(i, "openai", i * 10));
  CallRecord error = At(101, "openai", 99'999);
  error.error_type = "timeout";
  agg.Add(error);
  CallRecord hit = At(102, "openai", 0.5);
  hit.cache_hit = true;
  agg.Add(hit);
  CallRecord streamed = At(103, "openai", 1000);
  streamed.ttft_ms = 250;
  agg.Add(streamed);
  LatencyReport r = agg.Finish(5000, 1);
  CHECK(r.total.calls == 102);
  CHECK(r.total.errors == 1);
  CHECK(r.total.latency.count == 101);
  CHECK(r.total.latency.p50 == 510);  // rank 51 of 10..1000 plus a second 1000
  CHECK(r.total.latency.p95 == 960);
  CHECK(r.total.latency.max == 1000);
  CHECK(r.total.ttft.count == 1);
  CHECK(r.total.ttft.p99 == 250);
  CHECK_FALSE(r.degraded);
}

TEST_CASE("latency stats: include cache hits on request") {
  LatencyOptions o;
  o.include_cache_hits = true;
  LatencyAggregator agg(o);
  CallRecord hit = At(1, "openai", 1);
  hit.cache_hit = true;
  agg.Add(hit);
  CHECK(agg.Finish(10, 1).total.latency.count == 1);
}

TEST_CASE("latency stats: degraded above the threshold, per group") {
  LatencyOptions o;
  o.by = {GroupBy::kProvider};
  LatencyAggregator agg(o);
  for (int i = 0; i < 20; ++i) agg.Add(At(i, "openai", 100));
  for (int i = 0; i < 20; ++i) agg.Add(At(i, "anthropic", i == 19 ? 9000 : 100));
  LatencyReport r = agg.Finish(5000, 1);
  REQUIRE(r.groups.size() == 2);
  CHECK(r.groups[0].keys[0] == "anthropic");
  CHECK(r.groups[0].latency.p95 == 100);  // rank 19 of 20
  CHECK_FALSE(r.degraded);

  LatencyAggregator slow(o);
  for (int i = 0; i < 20; ++i) slow.Add(At(i, "openai", 100));
  for (int i = 0; i < 20; ++i) slow.Add(At(i, "anthropic", i >= 18 ? 9000 : 100));
  LatencyReport d = slow.Finish(5000, 1);
  CHECK(d.groups[0].degraded);
  CHECK_FALSE(d.groups[1].degraded);
  CHECK(d.degraded);
}

TEST_CASE("latency stats: provider failures above the error-rate threshold degrade") {
  LatencyAggregator agg({});
  for (int i = 0; i < 6; ++i) agg.Add(At(i, "openai", 100));
  for (const char* type : {"timeout", "provider_error"}) {
    CallRecord failed = At(10, "openai", 50);
    failed.error_type = type;
    agg.Add(failed);
  }
  // A local refusal never reached the provider: in neither count.
  CallRecord refused = At(11, "openai", 1);
  refused.error_type = "rate_limited";
  agg.Add(refused);
  LatencyReport r = agg.Finish(5000, 0.2);
  CHECK(r.total.provider_calls == 8);
  CHECK(r.total.provider_failures == 2);
  CHECK(r.total.error_rate() == doctest::Approx(0.25));
  CHECK(r.degraded);
  CHECK(r.status == LatencyStatus::kDegraded);
  CHECK_FALSE(r.total.slow);
  std::ostringstream prom;
  WriteLatencyReport(r, "prometheus", false, prom, false);
  CheckPrometheusGrammar(prom.str());
  CHECK(prom.str().find("llmctl_error_rate 0.25\n") != std::string::npos);
}

TEST_CASE("latency stats: no records is no_data with count 0") {
  LatencyAggregator agg({});
  LatencyReport r = agg.Finish(5000, 1);
  CHECK(r.total.calls == 0);
  CHECK_FALSE(r.degraded);
  CHECK(r.status == LatencyStatus::kNoData);
  std::ostringstream json;
  WriteLatencyReport(r, "json", false, json, false);
  auto j = nlohmann::json::parse(json.str());
  CHECK(j["status"] == "no_data");
  CHECK(j["total"]["latency_ms"]["count"] == 0);
  CHECK(j["total"]["latency_ms"]["p95"].is_null());
  std::ostringstream prom;
  WriteLatencyReport(r, "prometheus", false, prom, false);
  CheckPrometheusGrammar(prom.str());
}

TEST_CASE("latency stats: --last keeps the N most recent records") {
  LatencyOptions o;
  o.last_n = 3;
  LatencyAggregator agg(o);
  // Out of order on purpose: recency is by timestamp, not by input order.
  for (int s : {5, 1, 4, 2, 3, 6}) agg.Add(At(s, "openai", s * 100));
  LatencyReport r = agg.Finish(5000, 1);
  CHECK(r.total.latency.count == 3);
  CHECK(r.total.latency.p50 == 500);
  CHECK(r.total.latency.max == 600);
}

TEST_CASE("latency stats: database and --last in SQL agree with memory") {
  ScratchDir dir;
  Database db;
  REQUIRE(db.Open(dir.File("llmctl.db")).ok());
  LatencyOptions o;
  o.by = {GroupBy::kProvider, GroupBy::kModel};
  o.last_n = 4;
  LatencyAggregator mem(o);
  for (int s = 1; s <= 10; ++s) {
    CallRecord r = At(s, s % 2 ? "openai" : "anthropic", s * 10);
    if (s == 9) r.error_type = "network";
    if (s == 10) r.cache_hit = true;
    Insert(db, r);
    mem.Add(r);
  }
  LatencyAggregator sql(o);
  REQUIRE(CollectLatencyFromDatabase(db, {}, o, &sql).ok());
  LatencyReport a = mem.Finish(50, 1), b = sql.Finish(50, 1);
  CHECK(a.total.calls == 4);  // records 6..9; the cache hit is out of scope
  CHECK(b.total.calls == 4);
  CHECK(a.total.errors == 1);
  CHECK(b.total.errors == 1);
  CHECK(a.total.latency.max == b.total.latency.max);
  CHECK(b.total.latency.p50 == 70);
  REQUIRE(b.groups.size() == 2);
  CHECK(b.groups[0].keys == std::vector<std::string>{"anthropic", "claude"});
  CHECK(b.degraded);  // openai: 70 > 50
}

TEST_CASE("latency stats: prometheus output follows the text format grammar") {
  LatencyOptions o;
  o.by = {GroupBy::kProvider, GroupBy::kModel};
  LatencyAggregator agg(o);
  CallRecord odd = At(1, "openai", 12.25);
  odd.model = "we\"ird\\mo\ndel";
  odd.ttft_ms = 3;
  agg.Add(odd);
  agg.Add(At(2, "anthropic", 1e6));
  LatencyReport r = agg.Finish(5000, 1);
  std::ostringstream out;
  WriteLatencyReport(r, "prometheus", false, out, false);
  const std::string text = out.str();
  CheckPrometheusGrammar(text);
  CHECK(
      text.find(
          R"(llmctl_latency_ms{quantile="0.95",provider="openai",model="we\"ird\\mo\ndel"} 12.25)") !=
      std::string::npos);
  CHECK(text.find(R"(llmctl_latency_degraded{provider="anthropic",model="claude"} 1)") !=
        std::string::npos);
  CHECK(text.find("llmctl_calls_total{") != std::string::npos);
  CHECK(text.find("llmctl_errors_total{") != std::string::npos);
}

TEST_CASE("latency stats: table ends with the status and draws a histogram") {
  LatencyAggregator agg({});
  for (int i = 1; i <= 10; ++i) agg.Add(At(i, "openai", i * 100));
  LatencyReport r = agg.Finish(500, 1);
  std::ostringstream out;
  WriteLatencyReport(r, "table", true, out, false);
  const std::string text = out.str();
  CHECK(text.ends_with("status: degraded\n"));
  CHECK(text.find("latency histogram") != std::string::npos);
  CHECK(text.find("#") != std::string::npos);
  int64_t in_buckets = 0;
  for (const HistogramBucket& b : r.histogram) in_buckets += b.count;
  CHECK(in_buckets == 10);
  CHECK(r.histogram.front().lower_ms < 100);
  CHECK(r.histogram.back().upper_ms >= 1000);
}

}  // namespace llmctl
