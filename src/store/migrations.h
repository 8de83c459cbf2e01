// The schema as a list of small numbered migrations, applied in order and
// never edited once released: a new change is a new entry at the end.
#pragma once

#include <span>

namespace llmctl {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

std::span<const Migration> AllMigrations();

}  // namespace llmctl
