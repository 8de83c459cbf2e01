// The call record's top-level scalar fields, listed once: the JSON name,
// how the value is written and read, when it is left out, and the calls
// table column that indexes it. The JSON form (ToJson), the fast JSONL
// reader and the database insert all walk this table, so a field added
// here appears in all three.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "records/call_record.h"

namespace llmctl {

enum class FieldKind {
  kTimestamp,     // int64 unix ms, written as ISO-8601 UTC text
  kText,          // std::string
  kOptionalText,  // std::optional<std::string>, null when absent
  kCount,         // int64
  kUsd,           // int64 nano-dollars, written as a number of USD
  kMs,            // double milliseconds, rounded to the microsecond
  kOptionalMs,    // std::optional<double> milliseconds, null when absent
  kFlag,          // bool
};

// When a field is absent from the JSON form (and NULL in its column).
enum class Omit {
  kNever,
  kWhenEmpty,       // an empty text or an absent optional
  kUnlessCacheHit,  // only a cache hit saved anything
};

struct RecordField {
  const char* name;
  FieldKind kind;
  const char* column = nullptr;  // in the calls table; null: JSON only
  Omit omit = Omit::kNever;
  // Free text that may echo what a provider sent: secrets are masked when
  // the JSON form is written.
  bool scrub = false;
  // The member holding the value; the one matching kind is set.
  std::string CallRecord::*text = nullptr;
  std::optional<std::string> CallRecord::*optional_text = nullptr;
  int64_t CallRecord::*integer = nullptr;  // kTimestamp, kCount, kUsd
  double CallRecord::*real = nullptr;
  std::optional<double> CallRecord::*optional_real = nullptr;
  bool CallRecord::*flag = nullptr;
};

// Every scalar field; attempts, tags and guard findings are structured
// and written beside them.
const std::vector<RecordField>& RecordFields();

// The field called name, or null.
const RecordField* FindRecordField(std::string_view name);

// True when the field is left out of record r's JSON form.
bool IsOmitted(const RecordField& field, const CallRecord& r);

}  // namespace llmctl
