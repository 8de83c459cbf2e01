// libFuzzer target: `cache import` of a JSONL cassette into a database in a
// temporary directory (created once, emptied every run, removed at exit).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "guardrails/response_cache.h"
#include "store/database.h"

namespace {

struct TempDatabase {
  TempDatabase() {
    const char* tmp = std::getenv("TMPDIR");
    std::string templ = std::string(tmp && *tmp ? tmp : "/tmp") + "/llmctl-fuzz-cache-XXXXXX";
    if (!mkdtemp(templ.data())) std::abort();
    dir = templ;
    if (!db.Open(dir + "/fuzz.db").ok()) std::abort();
  }
  ~TempDatabase() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  std::string dir;
  llmctl::Database db;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempDatabase state;
  std::istringstream in(std::string(reinterpret_cast<const char*>(data), size));
  llmctl::ResponseCache cache(state.db);
  int64_t imported = 0;
  std::vector<std::string> bad_lines;
  (void)cache.Import(in, "fuzz.jsonl", &imported, &bad_lines);
  int64_t removed = 0;
  (void)cache.Clear(&removed);
  return 0;
}
