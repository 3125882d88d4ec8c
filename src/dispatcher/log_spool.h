// Drive logs the store could not take (docs/architecture.md, "Durability and
// crash safety"): when Database::write_log() fails (the store is down, the
// disk fails), the log is kept, in memory and as a file under the spool
// folder, and written at a later drive. A kept log is dropped only once it
// is stored, or when its client no longer exists.
//
// Thread-safety: thread-safe; drives on several workers call it at once.
#pragma once

#include <cstddef>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "databus/database.h"
#include "databus/log.h"

namespace databus::dispatch {

// The spool folder of a dispatcher, inside its data directory (beside the
// JSON DB's clients/, which it never looks into).
inline constexpr char kLogSpoolFolder[] = ".log-spool";

class LogSpool {
 public:
  // Keeps its files in `folder` (created when a log must first be kept;
  // empty: memory only), and takes over the logs an earlier process left
  // there. A spool file that cannot be read is reported in the process log and
  // left where it is.
  explicit LogSpool(std::filesystem::path folder);

  LogSpool(const LogSpool&) = delete;
  LogSpool& operator=(const LogSpool&) = delete;

  // Writes the logs kept earlier (oldest first, any client), then `log` of
  // `client_id`. A log that cannot be written is kept (its spool file is
  // durable on return when the folder is writable) and reported in
  // the process log. Never throws.
  void store(Database& database, const std::string& client_id, const Log& log);

  // Writes the logs kept earlier; returns how many are still kept.
  std::size_t retry(Database& database);

  // How many logs wait to be written.
  std::size_t waiting() const;

 private:
  struct Kept {
    std::string client_id;
    Log log;
    std::filesystem::path file;  // Empty when it could not be written.
  };
  void keep(Kept kept, const std::string& why);

  const std::filesystem::path folder_;
  mutable std::mutex mu_;
  std::vector<Kept> kept_;  // GUARDED_BY(mu_)
};

}  // namespace databus::dispatch
