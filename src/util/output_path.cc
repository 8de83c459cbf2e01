#include "util/output_path.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace llmctl {

std::string WhyNotWritable(const std::string& path, const OutputPathOptions& options) {
  if (path.empty()) return "the path is empty";
  struct stat st;
  if (lstat(path.c_str(), &st) == 0) {
    if (S_ISLNK(st.st_mode)) {
      if (options.refuse_symlink) return "it is a symbolic link (give the real file)";
      if (stat(path.c_str(), &st) != 0)
        return std::string("it is a dangling symbolic link (") + std::strerror(errno) + ")";
    }
    if (S_ISDIR(st.st_mode)) return "it is a directory";
    if (faccessat(AT_FDCWD, path.c_str(), W_OK, AT_EACCESS) != 0)
      return std::string("it is not writable (") + std::strerror(errno) + ")";
    return "";
  }
  if (errno != ENOENT) return std::strerror(errno);
  const auto slash = path.find_last_of('/');
  const std::string dir = slash == std::string::npos ? "."
                          : slash == 0               ? "/"
                                                     : path.substr(0, slash);
  if (stat(dir.c_str(), &st) != 0) {
    if (errno == ENOENT || errno == ENOTDIR) return "directory " + dir + " does not exist";
    return "directory " + dir + ": " + std::strerror(errno);
  }
  if (!S_ISDIR(st.st_mode)) return dir + " is not a directory";
  if (faccessat(AT_FDCWD, dir.c_str(), W_OK | X_OK, AT_EACCESS) != 0)
    return "directory " + dir + " is not writable (" + std::strerror(errno) + ")";
  return "";
}

}  // namespace llmctl
