// Prints a CostReport as an aligned table (for people), JSON or CSV (for
// programs). JSON and CSV carry money exactly, formatted from the integer
// nano-dollars; the table rounds to micro-dollars for reading.
#pragma once

#include <ostream>
#include <string>

#include "records/cost_report.h"

namespace llmctl {

// format: "table", "json" or "csv" (validated by the command). The total
// row comes last: key cells "TOTAL" then blanks in table and CSV, a
// separate "total" object in JSON.
void WriteCostReport(const CostReport& report, const std::string& format, std::ostream& out,
                     bool color);

}  // namespace llmctl
