// What `databus run` does for a service manager (docs/operations.md, "The
// unit"): readiness and stopping notifications for systemd's Type=notify
// (sd_notify of libsystemd; a no-op without NOTIFY_SOCKET), and the log file
// that SIGHUP reopens.
#pragma once

#include <string>

namespace databus::cli {

// Sends `state` (e.g. "READY=1\nSTATUS=...") to the service manager when
// NOTIFY_SOCKET names one; does nothing otherwise. Never throws: a manager
// that does not listen must not stop Databus.
void notify_service_manager(const std::string& state);

// Points stdout and stderr (file descriptors 1 and 2) at `path`, opened for
// appending and created with mode 0640 when missing. Called again after
// logrotate moved the file, it opens a new one at `path`. Throws Error
// naming the file when it cannot be opened; stdout and stderr are then left
// as they were.
void open_log_file(const std::string& path);

}  // namespace databus::cli
