// Reads one call record from a line of JSONL. Reports read millions of
// lines, so the line is validated and its fields picked out in one pass,
// without building a document and without copying strings that have no
// escapes.
#pragma once

#include <string_view>

#include "records/call_record.h"
#include "util/status.h"

namespace llmctl {

// Parses one JSON line into *out (which is reset first). Fills every scalar
// field of the record and its tags; attempts and guard findings are left
// empty, since reports never read them, but are checked to be valid JSON
// like everything else on the line. Fails with a kUsage status on invalid
// JSON (RFC 8259, UTF-8 included), a non-object, a field of the wrong type
// or outside its domain, or a missing/bad timestamp.
Status ParseRecordLine(std::string_view line, CallRecord* out);

}  // namespace llmctl
