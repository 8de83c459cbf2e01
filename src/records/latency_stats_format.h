// Prints a LatencyReport as a table (ending in "status: ok|degraded|no_data"), JSON,
// or the Prometheus text exposition format for node-exporter's textfile
// collector. Prometheus metric names (all gauges/summaries over the records
// in scope; labels provider/model appear for the --by dimensions):
//   llmctl_latency_ms{quantile="0.5|0.95|0.99"}  summary, with _sum, _count
//   llmctl_latency_max_ms                         gauge
//   llmctl_ttft_ms{quantile=…}                    summary of time to first token
//   llmctl_ttft_max_ms                            gauge
//   llmctl_calls_total                            counter: records in scope
//   llmctl_errors_total                           counter: records with an error
//   llmctl_error_rate                             gauge: provider failures / calls that reached one
//   llmctl_error_rate_threshold                   gauge: LLM_ERROR_RATE_ALERT
//   llmctl_latency_threshold_ms                   gauge: the p95 threshold
//   llmctl_latency_degraded                       gauge: 1 when p95 or error rate > threshold
// Ungrouped, series have no provider/model labels; grouped, there is one
// series per group and no unlabelled one (sum() would count twice), so the
// whole report is degraded when max(llmctl_latency_degraded) is 1. With no
// successful calls the quantiles and maxima are NaN.
#pragma once

#include <ostream>
#include <string>

#include "records/latency_stats.h"

namespace llmctl {

// format: "table", "json" or "prometheus" (validated by the command).
// histogram: append a text bar chart of the overall latencies (table only).
void WriteLatencyReport(const LatencyReport& report, const std::string& format, bool histogram,
                        std::ostream& out, bool color);

}  // namespace llmctl
