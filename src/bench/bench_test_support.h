// For the bench's tests: a private TMPDIR, where the workloads make their
// stores, to see what a run leaves behind.
#pragma once

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>

namespace databus::bench {

// Points TMPDIR (where the workload makes its store) at a private empty
// directory for one test, so a test can see what is left behind without
// racing other processes that use the system's temporary directory.
class PrivateTmpdir {
 public:
  PrivateTmpdir() {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "workload_test_XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    dir_ = pattern;
    const char* old = std::getenv("TMPDIR");
    if (old != nullptr) old_ = old;
    setenv("TMPDIR", dir_.c_str(), 1);
  }
  ~PrivateTmpdir() {
    if (old_) {
      setenv("TMPDIR", old_->c_str(), 1);
    } else {
      unsetenv("TMPDIR");
    }
    std::filesystem::remove_all(dir_);
  }
  bool empty() const { return std::filesystem::is_empty(dir_); }

 private:
  std::filesystem::path dir_;
  std::optional<std::string> old_;
};

}  // namespace databus::bench
