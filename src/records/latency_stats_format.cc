#include "records/latency_stats_format.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "util/ascii.h"
#include "util/text_table.h"

namespace llmctl {
namespace {

constexpr const char* kRed = "\x1b[31m";
constexpr const char* kGreen = "\x1b[32m";
constexpr const char* kReset = "\x1b[0m";

const char* StatusWord(bool degraded) { return degraded ? "degraded" : "ok"; }

std::string Rate(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", 100 * v);
  return buf;
}

std::string Ms(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

// ---- table ----

std::vector<std::string> FigureCells(const LatencyGroup& g) {
  auto pct = [](const Distribution& d, double v) { return d.count ? Ms(v) : std::string("-"); };
  return {
      std::to_string(g.calls),       std::to_string(g.errors),      Rate(g.error_rate()),
      pct(g.latency, g.latency.p50), pct(g.latency, g.latency.p95), pct(g.latency, g.latency.p99),
      pct(g.latency, g.latency.max), std::to_string(g.ttft.count),  pct(g.ttft, g.ttft.p50),
      pct(g.ttft, g.ttft.p95),       pct(g.ttft, g.ttft.p99),       StatusWord(g.degraded)};
}

void WriteHistogram(const LatencyReport& r, std::ostream& out) {
  constexpr int kBarWidth = 40;
  out << "\nlatency histogram (ms, " << r.total.latency.count << " successful calls)\n";
  int64_t peak = 0;
  for (const HistogramBucket& b : r.histogram) peak = std::max(peak, b.count);
  TextTable table({{"BUCKET MS", true}, {"", false}, {"CALLS", true}, {"SHARE", true}});
  for (const HistogramBucket& b : r.histogram) {
    char range[64], share[16];
    std::snprintf(range, sizeof range, "%g-%g", b.lower_ms, b.upper_ms);
    std::snprintf(
        share, sizeof share, "%.1f%%",
        100.0 * static_cast<double>(b.count) / static_cast<double>(r.total.latency.count));
    int bar = peak ? static_cast<int>((b.count * kBarWidth + peak - 1) / peak) : 0;
    table.AddRow(
        {range, std::string(static_cast<size_t>(bar), '#'), std::to_string(b.count), share});
  }
  table.Print(out, false);
}

void WriteTable(const LatencyReport& r, bool histogram, std::ostream& out, bool color) {
  std::vector<TableColumn> columns;
  for (GroupBy g : r.by) columns.push_back({AsciiUpper(GroupByName(g)), false});
  if (r.by.empty()) columns.push_back({"", false});
  for (const char* h : {"CALLS", "ERRORS", "ERR RATE", "P50 MS", "P95 MS", "P99 MS", "MAX MS",
                        "STREAMED", "TTFT P50", "TTFT P95", "TTFT P99", "STATUS"})
    columns.push_back({h, std::string_view(h) != "STATUS"});
  TextTable table(columns);
  for (const LatencyGroup& g : r.groups) {
    std::vector<std::string> cells = g.keys;
    for (std::string& c : FigureCells(g)) cells.push_back(std::move(c));
    table.AddRow(std::move(cells));
  }
  std::vector<std::string> total(std::max<size_t>(r.by.size(), 1));
  total[0] = "TOTAL";
  for (std::string& c : FigureCells(r.total)) total.push_back(std::move(c));
  table.AddRow(std::move(total), true);
  table.Print(out, color);
  if (histogram && !r.histogram.empty()) WriteHistogram(r, out);
  out << "\nthreshold: p95 <= " << r.threshold_ms
      << " ms, provider error rate <= " << Rate(r.error_rate_threshold) << "\nstatus: ";
  const char* word = LatencyStatusName(r.status);
  if (color && r.status != LatencyStatus::kNoData)
    out << (r.degraded ? kRed : kGreen) << word << kReset << '\n';
  else out << word << '\n';
}

// ---- json ----

nlohmann::json DistributionJson(const Distribution& d) {
  auto v = [&d](double x) { return d.count ? nlohmann::json(x) : nlohmann::json(); };
  return {{"count", d.count},
          {"p50", v(d.p50)},
          {"p95", v(d.p95)},
          {"p99", v(d.p99)},
          {"max", v(d.max)}};
}

nlohmann::json GroupJson(const LatencyReport& r, const LatencyGroup& g) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t i = 0; i < g.keys.size(); ++i) j[GroupByName(r.by[i])] = g.keys[i];
  j["calls"] = g.calls;
  j["errors"] = g.errors;
  j["provider_calls"] = g.provider_calls;
  j["provider_failures"] = g.provider_failures;
  j["error_rate"] = g.error_rate();
  j["latency_ms"] = DistributionJson(g.latency);
  j["ttft_ms"] = DistributionJson(g.ttft);
  j["status"] = StatusWord(g.degraded);
  return j;
}

void WriteJson(const LatencyReport& r, std::ostream& out) {
  nlohmann::json j = {{"status", LatencyStatusName(r.status)},
                      {"threshold_ms", r.threshold_ms},
                      {"error_rate_threshold", r.error_rate_threshold}};
  j["by"] = nlohmann::json::array();
  for (GroupBy g : r.by) j["by"].push_back(GroupByName(g));
  j["total"] = GroupJson(r, r.total);
  j["groups"] = nlohmann::json::array();
  for (const LatencyGroup& g : r.groups) j["groups"].push_back(GroupJson(r, g));
  out << j.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

// ---- prometheus ----

std::string PromNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string PromLabelValue(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

class PromWriter {
 public:
  PromWriter(const LatencyReport& r, std::ostream& out) : r_(r), out_(out) {}

  void Family(const char* name, const char* type, const char* help) {
    out_ << "# HELP " << name << ' ' << help << "\n# TYPE " << name << ' ' << type << '\n';
  }
  // One sample for `g`: its group labels plus an optional extra label.
  void Sample(const std::string& name, const LatencyGroup& g, double value,
              const std::string& extra_label = "") {
    std::string labels = extra_label;
    for (size_t i = 0; i < g.keys.size(); ++i) {
      if (!labels.empty()) labels += ',';
      labels += std::string(GroupByName(r_.by[i])) + "=\"" + PromLabelValue(g.keys[i]) + '"';
    }
    out_ << name;
    if (!labels.empty()) out_ << '{' << labels << '}';
    out_ << ' ' << PromNumber(value) << '\n';
  }
  // Every group of the report (or the ungrouped total).
  template <typename F>
  void EachGroup(F f) {
    if (r_.by.empty()) f(r_.total);
    else
      for (const LatencyGroup& g : r_.groups) f(g);
  }
  void Summary(const std::string& name, const char* help, const Distribution LatencyGroup::*field) {
    Family(name.c_str(), "summary", help);
    EachGroup([&](const LatencyGroup& g) {
      const Distribution& d = g.*field;
      const double nan = std::nan("");
      Sample(name, g, d.count ? d.p50 : nan, "quantile=\"0.5\"");
      Sample(name, g, d.count ? d.p95 : nan, "quantile=\"0.95\"");
      Sample(name, g, d.count ? d.p99 : nan, "quantile=\"0.99\"");
      Sample(name + "_sum", g, d.sum);
      Sample(name + "_count", g, static_cast<double>(d.count));
    });
  }
  void Max(const char* name, const char* help, const Distribution LatencyGroup::*field) {
    Family(name, "gauge", help);
    EachGroup([&](const LatencyGroup& g) {
      const Distribution& d = g.*field;
      Sample(name, g, d.count ? d.max : std::nan(""));
    });
  }

 private:
  const LatencyReport& r_;
  std::ostream& out_;
};

void WritePrometheus(const LatencyReport& r, std::ostream& out) {
  PromWriter w(r, out);
  w.Summary("llmctl_latency_ms",
            "Whole-call latency of successful LLM calls in milliseconds (nearest-rank quantiles).",
            &LatencyGroup::latency);
  w.Max("llmctl_latency_max_ms", "Slowest successful LLM call in milliseconds.",
        &LatencyGroup::latency);
  w.Summary("llmctl_ttft_ms",
            "Time to first token of successful streamed LLM calls in milliseconds.",
            &LatencyGroup::ttft);
  w.Max("llmctl_ttft_max_ms", "Slowest time to first token in milliseconds.", &LatencyGroup::ttft);
  w.Family("llmctl_calls_total", "counter", "LLM call records in scope, errors included.");
  w.EachGroup([&](const LatencyGroup& g) {
    w.Sample("llmctl_calls_total", g, static_cast<double>(g.calls));
  });
  w.Family("llmctl_errors_total", "counter", "LLM call records that ended in an error.");
  w.EachGroup([&](const LatencyGroup& g) {
    w.Sample("llmctl_errors_total", g, static_cast<double>(g.errors));
  });
  w.Family(
      "llmctl_error_rate", "gauge",
      "Fraction of the calls that reached a provider which failed there (provider error, timeout, network, auth).");
  w.EachGroup([&](const LatencyGroup& g) { w.Sample("llmctl_error_rate", g, g.error_rate()); });
  w.Family("llmctl_error_rate_threshold", "gauge",
           "Provider error rate above which the status is degraded.");
  out << "llmctl_error_rate_threshold " << PromNumber(r.error_rate_threshold) << '\n';
  w.Family("llmctl_latency_threshold_ms", "gauge",
           "p95 latency above which the status is degraded.");
  out << "llmctl_latency_threshold_ms " << PromNumber(r.threshold_ms) << '\n';
  w.Family("llmctl_latency_degraded", "gauge",
           "1 when p95 latency or the provider error rate is above its threshold, else 0.");
  w.EachGroup(
      [&](const LatencyGroup& g) { w.Sample("llmctl_latency_degraded", g, g.degraded ? 1 : 0); });
}

}  // namespace

void WriteLatencyReport(const LatencyReport& report, const std::string& format, bool histogram,
                        std::ostream& out, bool color) {
  if (format == "json") WriteJson(report, out);
  else if (format == "prometheus") WritePrometheus(report, out);
  else WriteTable(report, histogram, out, color);
}

}  // namespace llmctl
