// Whether a file could be written as an output (a log, a report) without
// writing or creating anything, so a bad path is found before any work is
// done (and before any provider is paid) rather than after.
#pragma once

#include <string>

namespace llmctl {

struct OutputPathOptions {
  // State files refuse a symbolic link: it could point them anywhere.
  bool refuse_symlink = false;
};

// Empty when path can be written: an existing writable file, or a missing
// one whose directory exists and is writable (missing directories are not
// created). Otherwise the reason, e.g. "directory /x does not exist".
std::string WhyNotWritable(const std::string& path, const OutputPathOptions& options = {});

}  // namespace llmctl
