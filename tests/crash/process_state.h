// The state of a child process as /proc shows it, for the tests that stop
// `databus` at a failpoint and kill it there (src/model/failpoint.h).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <fstream>
#include <iterator>
#include <string>
#include <thread>

namespace databus::testing_support {

// The state letter of process `pid` (/proc/<pid>/stat: 'R', 'S', 'T' when
// stopped, 'Z' once ended and not yet reaped), or '\0' when it is gone.
inline char process_state(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::size_t paren = text.rfind(')');  // The name may hold spaces.
  if (paren == std::string::npos || paren + 2 >= text.size()) return '\0';
  return text[paren + 2];
}

// True once process `pid` is stopped, waiting at most `patience`; false
// at once when it ended instead.
inline bool await_stopped(pid_t pid, std::chrono::milliseconds patience) {
  const auto deadline = std::chrono::steady_clock::now() + patience;
  while (std::chrono::steady_clock::now() < deadline) {
    const char state = process_state(pid);
    if (state == 'T') return true;
    if (state == 'Z' || state == '\0') return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));  // Polls the process state.
  }
  return false;
}

}  // namespace databus::testing_support
