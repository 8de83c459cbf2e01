// libFuzzer target: the TOML config file. Settings are read from a path, so
// the input is written to one temporary file, rewritten every run and
// removed at exit; the environment is empty, so nothing else is read.
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>
#include <vector>

#include "config/settings.h"

namespace {

struct TempFile {
  TempFile() {
    const char* dir = std::getenv("TMPDIR");
    path = std::string(dir && *dir ? dir : "/tmp") + "/llmctl-fuzz-config-XXXXXX";
    int fd = mkstemp(path.data());
    if (fd < 0) std::abort();
    close(fd);
  }
  ~TempFile() { std::remove(path.c_str()); }
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static TempFile file;
  {
    std::ofstream out(file.path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  llmctl::Settings settings;
  std::vector<llmctl::Status> problems;
  (void)llmctl::LoadSettings(llmctl::Environment(), file.path, &settings, &problems);
  llmctl::Settings strict;
  (void)llmctl::LoadSettings(llmctl::Environment(), file.path, &strict);
  return 0;
}
