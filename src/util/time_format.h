// Wall-clock helpers shared by records and reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace llmctl {

int64_t NowUnixMs();

// 2026-11-28T10:15:03.123Z
std::string FormatIsoUtcMs(int64_t unix_ms);

// Parses "2026-11-28", "2026-11-28T10:15", "2026-11-28T10:15:03[.123][Z]"
// (always UTC) into unix milliseconds.
std::optional<int64_t> ParseIsoUtc(std::string_view text);

// Parses a duration such as "90s", "15m", "24h", "7d", "2w" into milliseconds.
std::optional<int64_t> ParseDurationMs(std::string_view text);

}  // namespace llmctl
