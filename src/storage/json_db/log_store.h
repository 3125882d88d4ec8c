// LogStore: the drive logs of one client in the JSON DB,
// clients/<id>/log/<created ISO time, ':' as '_'>_<guid>.txt (Log::to_text()).
//
// Listing must not parse every file on every call, so a summary per log
// (guid, created, worst type, file name) is built by one scan at first use
// and kept current by write and delete. Names with ':' (as the original
// wrote them) are read as well. The `placeholder.txt` the original ships in
// every log/ folder and hidden files (".DS_Store") are ignored; any other
// file whose name does not parse is recorded as a StorageProblem and left
// alone.
//
// Thread-safety: thread-safe (one mutex; log writes are small).
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "databus/database.h"
#include "databus/log.h"

namespace databus {

// The empty file the original Databus ships in its log/ and pqueue/ folders
// so that version control keeps them.
inline constexpr char kPlaceholderFile[] = "placeholder.txt";

class LogStore {
 public:
  LogStore(std::filesystem::path log_dir, std::string client_id);
  LogStore(const LogStore&) = delete;
  LogStore& operator=(const LogStore&) = delete;

  // The Database methods of the same meaning, for this client.
  void write(const Log& log);
  std::vector<LogSummary> list();
  std::optional<Log> read(const std::string& guid);
  std::size_t delete_before(TimePoint before);
  bool remove(const std::string& guid);
  std::vector<StorageProblem> problems();

  // The file name a log is written under.
  static std::string file_name(const Log& log);
  // True for a file of the log folder that is not a log and not a problem:
  // kPlaceholderFile and names starting with '.'.
  static bool is_ignored_name(const std::string& name);

 private:
  struct Cached {
    LogSummary summary;
    std::string file_name;
  };
  // REQUIRES: mutex_ held.
  void ensure_scanned();
  void remove_file(const std::string& name);

  const std::filesystem::path dir_;
  const std::string client_id_;
  std::mutex mutex_;
  bool scanned_ = false;
  std::map<std::string, Cached> logs_;  // By guid.
  std::vector<StorageProblem> problems_;
};

}  // namespace databus
