#include "providers/curl_library.h"

#include <dlfcn.h>

#include <mutex>

namespace llmctl {
namespace {

// The SONAME of libcurl 7.x/8.x, which the -dev package's headers describe.
constexpr const char* kSoname = "libcurl.so.4";

template <typename F>
bool Bind(void* lib, const char* name, F* out, std::string* missing) {
  *out = reinterpret_cast<F>(dlsym(lib, name));
  if (!*out) *missing += std::string(missing->empty() ? "" : ", ") + name;
  return *out != nullptr;
}

}  // namespace

const CurlLibrary* LoadCurl(std::string* error) {
  static CurlLibrary api;
  static std::string load_error;
  static bool loaded = false;
  static std::once_flag once;
  std::call_once(once, [] {
    void* lib = dlopen(kSoname, RTLD_LAZY | RTLD_LOCAL);
    if (!lib) {
      const char* why = dlerror();
      load_error = std::string("cannot load ") + kSoname + ": " + (why ? why : "unknown error") +
                   " (install libcurl4)";
      return;
    }
    std::string missing;
    Bind(lib, "curl_global_init", &api.global_init, &missing);
    Bind(lib, "curl_easy_init", &api.easy_init, &missing);
    Bind(lib, "curl_easy_setopt", &api.easy_setopt, &missing);
    Bind(lib, "curl_easy_perform", &api.easy_perform, &missing);
    Bind(lib, "curl_easy_getinfo", &api.easy_getinfo, &missing);
    Bind(lib, "curl_easy_strerror", &api.easy_strerror, &missing);
    Bind(lib, "curl_easy_cleanup", &api.easy_cleanup, &missing);
    Bind(lib, "curl_slist_append", &api.slist_append, &missing);
    Bind(lib, "curl_slist_free_all", &api.slist_free_all, &missing);
    Bind(lib, "curl_getdate", &api.getdate, &missing);
    if (!missing.empty()) {
      load_error = std::string(kSoname) + " lacks " + missing;
      dlclose(lib);
      return;
    }
    loaded = true;
  });
  if (!loaded) {
    if (error) *error = load_error;
    return nullptr;
  }
  return &api;
}

}  // namespace llmctl
