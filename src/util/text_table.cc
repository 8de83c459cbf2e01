#include "util/text_table.h"

#include <algorithm>

#include "util/utf8.h"

namespace llmctl {
namespace {

constexpr const char* kBold = "\x1b[1m";
constexpr const char* kReset = "\x1b[0m";

// Display width: code points, so a user name with accents still aligns.
size_t Width(const std::string& s) { return CountCodePoints(s); }

}  // namespace

void TextTable::AddRow(std::vector<std::string> cells, bool emphasized) {
  cells.resize(columns_.size());
  rows_.push_back({std::move(cells), emphasized});
}

void TextTable::Print(std::ostream& out, bool color) const {
  std::vector<size_t> widths;
  for (const TableColumn& c : columns_) widths.push_back(Width(c.header));
  for (const Row& r : rows_)
    for (size_t i = 0; i < r.cells.size(); ++i) widths[i] = std::max(widths[i], Width(r.cells[i]));

  auto print_row = [&](const std::vector<std::string>& cells, bool bold) {
    std::string line;
    for (size_t i = 0; i < cells.size(); ++i) {
      std::string pad(widths[i] - Width(cells[i]), ' ');
      if (i > 0) line += "  ";
      if (columns_[i].right_align) line += pad + cells[i];
      else if (i + 1 < cells.size()) line += cells[i] + pad;
      else line += cells[i];  // no trailing blanks
    }
    if (bold && color) out << kBold << line << kReset << '\n';
    else out << line << '\n';
  };
  std::vector<std::string> headers;
  for (const TableColumn& c : columns_) headers.push_back(c.header);
  print_row(headers, true);
  for (const Row& r : rows_) print_row(r.cells, r.emphasized);
}

std::string CsvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string out = "\"";
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace llmctl
