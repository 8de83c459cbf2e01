#include "records/cost_report_format.h"

#include <nlohmann/json.hpp>

#include "records/money.h"
#include "util/ascii.h"
#include "util/text_table.h"

namespace llmctl {
namespace {

std::vector<std::string> FigureCells(const CostTotals& t, bool exact) {
  auto money = [exact](int64_t n) { return exact ? FormatNanosExact(n) : FormatNanosFixed(n, 6); };
  return {std::to_string(t.calls),      std::to_string(t.input_tokens),
          std::to_string(t.output_tokens), std::to_string(t.cache_hits),
          std::to_string(t.errors),     money(t.cost_nanos),
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
  for (const char* h : {"CALLS", "INPUT TOKENS", "OUTPUT TOKENS", "CACHE HITS", "ERRORS",
                        "COST USD", "SAVED USD"})
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
}

void WriteCsv(const CostReport& r, std::ostream& out) {
  std::string header;
  for (GroupBy g : r.by) header += std::string(GroupByName(g)) + ",";
  out << header << "calls,input_tokens,output_tokens,cache_hits,errors,cost_usd,saved_cost_usd\n";
  auto line = [&out](const std::vector<std::string>& keys, const CostTotals& t) {
    std::string s;
    for (const std::string& k : keys) s += CsvField(k) + ",";
    std::vector<std::string> figures = FigureCells(t, true);
    for (size_t i = 0; i < figures.size(); ++i) s += (i ? "," : "") + figures[i];
    out << s << '\n';
  };
  for (const CostRow& row : r.rows) line(row.keys, row.totals);
  line(TotalKeyCells(r.by.size()), r.total);
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
         ", \"saved_cost_usd\": " + FormatNanosExact(t.saved_nanos);
}

std::string JsonString(const std::string& s) {
  return nlohmann::json(s).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void WriteJson(const CostReport& r, std::ostream& out) {
  out << "{\n  \"by\": [";
  for (size_t i = 0; i < r.by.size(); ++i) out << (i ? ", " : "") << JsonString(GroupByName(r.by[i]));
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
