// TextTable: rows of cells printed with every column padded to its widest
// cell, so figures line up in a terminal. Right-aligned columns suit numbers.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace llmctl {

struct TableColumn {
  std::string header;
  bool right_align = false;
};

class TextTable {
 public:
  explicit TextTable(std::vector<TableColumn> columns) : columns_(std::move(columns)) {}

  // A row has one cell per column; emphasized rows (totals) print bold on
  // a colour terminal.
  void AddRow(std::vector<std::string> cells, bool emphasized = false);
  void Print(std::ostream& out, bool color) const;

 private:
  struct Row {
    std::vector<std::string> cells;
    bool emphasized;
  };
  std::vector<TableColumn> columns_;
  std::vector<Row> rows_;
};

// One CSV field (RFC 4180): quoted only when it holds a comma, quote or newline.
std::string CsvField(const std::string& value);

}  // namespace llmctl
