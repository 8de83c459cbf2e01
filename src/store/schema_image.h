// The file every new database starts from: built at compile time by
// applying every migration to an empty database. Writing it costs a call
// one write and one flush where building the schema statement by statement
// costs milliseconds of parsing and a flush per journal step.
#pragma once

#include <span>

namespace llmctl {

// The image of a database at the latest schema version, in rollback-journal
// mode (the form an in-memory connection reads), with every migration's
// applied_at left empty for the file's creator to stamp. Offsets 18 and 19
// hold the journal mode: 1 here, 2 for a file that starts in WAL mode.
std::span<const unsigned char> SchemaImage();

// Run by the process that wrote the image to a new file.
inline constexpr const char* kStampSchemaImage =
    "UPDATE schema_migrations SET applied_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') "
    "WHERE applied_at = ''";

}  // namespace llmctl
