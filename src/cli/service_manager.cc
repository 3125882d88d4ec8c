#include "cli/service_manager.h"

#include <fcntl.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>

#include "databus/error.h"

namespace databus::cli {

void notify_service_manager(const std::string& state) {
  // NOTIFY_SOCKET stays set (unset_environment 0) so that reloads and the
  // shutdown notify too; what a child process (an exec component) might send
  // there is dropped by systemd under the unit's NotifyAccess=main.
  sd_notify(0, state.c_str());
}

void open_log_file(const std::string& path) {
  const int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0) {
    throw Error("--log-file " + path + ": cannot open: " + std::strerror(errno));
  }
  std::cout.flush();
  std::cerr.flush();
  std::fflush(nullptr);
  // dup2 replaces each descriptor atomically: a line written by another
  // thread at this instant lands in the old file or in the new one.
  dup2(fd, STDOUT_FILENO);
  dup2(fd, STDERR_FILENO);
  close(fd);
}

}  // namespace databus::cli
