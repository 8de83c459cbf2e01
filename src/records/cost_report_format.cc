#include "records/cost_report_format.h"

#include <nlohmann/json.hpp>

#include "records/money.h"
#include "util/ascii.h"
#include "util/text_table.h"

namespace llmctl {
namespace {

std::vector<std::string> FigureCells(const CostTotals& t, bool exact) {
  auto money = [exact](int64_t n) { return exact ? FormatNanosExact(n) : FormatNanosFixed(n, 6); };
  return {
      std::to_string(t.calls),      std::to_string(t.input_tokens), std::to_string(t.output_tokens),
      std::to_string(t.cache_hits), std::to_string(t.errors),       money(t.cost_nanos),
      money(t.saved_nanos)};
}

std::vector<std::string> TotalKeyCells(size_t n) {
  std::vector<std::string> cells(n);
  if (n > 0) cells[0] = "TOTAL";
  return cells;
}

void WriteTable(const CostReport& r, std::ostream& out, bool color) {
  std::vector<TableColumn> columns;
  for (GroupBy g : r.by) columns.push_back({AsciiUpper(GroupByName(g)), false});
  if (r.by.empty()) columns.push_back({"", false});
  for (const char* h :
       {"CALLS", "INPUT TOKENS", "OUTPUT TOKENS", "CACHE HITS", "ERRORS", "COST USD", "SAVED USD"})
    columns.push_back({h, true});
  TextTable table(columns);
  for (const CostRow& row : r.rows) {
    std::vector<std::string> cells = row.keys;
    for (std::string& c : FigureCells(row.totals, false)) cells.push_back(std::move(c));
    table.AddRow(std::move(cells));
  }
  std::vector<std::string> total = TotalKeyCells(std::max<size_t>(r.by.size(), 1));
  for (std::string& c : FigureCells(r.total, false)) total.push_back(std::move(c));
  table.AddRow(std::move(total), true);
  table.Print(out, color);
  if (r.total.unknown_price_calls > 0)
    out << "\nnote: " << r.total.unknown_price_calls << " of " << r.total.calls
        << " calls used models with no known price and are costed at the conservative placeholder of "
           "$15 / $75 per million input / output tokens: "
        << FormatNanosFixed(r.total.unknown_price_nanos, 6) << " of the "
        << FormatNanosFixed(r.total.cost_nanos, 6)
        << " USD total (add their prices with LLMCTL_PRICING_FILE)\n";
}

// The first column says whether a row is a group or the total, so that a
// spreadsheet or awk summing a column over the group rows does not count
// everything twice.
void WriteCsv(const CostReport& r, std::ostream& out) {
  std::string header = "row_type,";
  for (GroupBy g : r.by) header += std::string(GroupByName(g)) + ",";
  out << header
      << "calls,input_tokens,output_tokens,cache_hits,errors,cost_usd,saved_cost_usd,"
         "unknown_price_calls,unknown_price_cost_usd\n";
  auto line = [&out](const char* type, const std::vector<std::string>& keys, const CostTotals& t) {
    std::string s = std::string(type) + ",";
    for (const std::string& k : keys) s += CsvField(k) + ",";
    std::vector<std::string> figures = FigureCells(t, true);
    figures.push_back(std::to_string(t.unknown_price_calls));
    figures.push_back(FormatNanosExact(t.unknown_price_nanos));
    for (size_t i = 0; i < figures.size(); ++i) s += (i ? "," : "") + figures[i];
    out << s << '\n';
  };
  for (const CostRow& row : r.rows) line("group", row.keys, row.totals);
  line("total", std::vector<std::string>(r.by.size()), r.total);
}

// Written by hand rather than through nlohmann::json so that cost_usd is
// the exact decimal of the integer, not a double's rendering.
std::string JsonFigures(const CostTotals& t) {
  return "\"calls\": " + std::to_string(t.calls) +
         ", \"input_tokens\": " + std::to_string(t.input_tokens) +
         ", \"output_tokens\": " + std::to_string(t.output_tokens) +
         ", \"cache_hits\": " + std::to_string(t.cache_hits) +
         ", \"errors\": " + std::to_string(t.errors) +
         ", \"cost_usd\": " + FormatNanosExact(t.cost_nanos) +
         ", \"saved_cost_usd\": " + FormatNanosExact(t.saved_nanos) +
         ", \"unknown_price_calls\": " + std::to_string(t.unknown_price_calls) +
         ", \"unknown_price_cost_usd\": " + FormatNanosExact(t.unknown_price_nanos);
}

std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void WriteJson(const CostReport& r, std::ostream& out) {
  out << "{\n  \"by\": [";
  for (size_t i = 0; i < r.by.size(); ++i)
    out << (i ? ", " : "") << JsonString(GroupByName(r.by[i]));
  out << "],\n  \"groups\": [";
  for (size_t i = 0; i < r.rows.size(); ++i) {
    out << (i ? ",\n    {" : "\n    {");
    for (size_t k = 0; k < r.by.size(); ++k)
      out << JsonString(GroupByName(r.by[k])) << ": " << JsonString(r.rows[i].keys[k]) << ", ";
    out << JsonFigures(r.rows[i].totals) << "}";
  }
  out << (r.rows.empty() ? "],\n" : "\n  ],\n");
  out << "  \"total\": {" << JsonFigures(r.total) << "}\n}\n";
}

}  // namespace

void WriteCostReport(const CostReport& report, const std::string& format, std::ostream& out,
                     bool color) {
  if (format == "json") WriteJson(report, out);
  else if (format == "csv") WriteCsv(report, out);
  else WriteTable(report, out, color);
}

}  // namespace llmctl
