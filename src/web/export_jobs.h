// Export from the web interface (docs/api.md): copies a client's data to
// another storage engine, synchronously or in the background, with the
// dispatcher paused around it (src/export). Built from export_jobs.cc when
// the export module is part of the tree, else from export_jobs_unavailable.cc,
// whose available() is false and whose run() answers 501.
//
// Only root administrators export: it pauses every client's drives and may
// reach other hosts (PostgreSQL connection arguments). A `path` argument must
// be relative and stays under the data root (the parent of the data
// directory), like every file a request may reach.
//
// Thread-safety: every method may be called from any thread. At most one
// export runs at a time (the dispatcher refuses a second one).
#pragma once

#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "databus/database.h"
#include "databus/dispatcher.h"

namespace databus::web {

class ExportJobs {
 public:
  static bool available();

  // `dispatcher` must outlive this object.
  explicit ExportJobs(Dispatcher& dispatcher);
  // Waits for a background export to finish.
  ~ExportJobs();

  // Exports `client_id` into engine `engine` opened with `arguments`. Sync:
  // returns {"entries", "logs", "configuration"} when done. Async: returns
  // {"started": true} at once; status() tells the outcome. Throws HttpError
  // 400 (unknown engine, bad arguments), 409 (an export runs, shutting down),
  // 501 (not built), and 500 with the engine's message when the copy fails.
  nlohmann::json run(const std::string& client_id, const std::string& engine,
                     const DatabaseArguments& arguments, bool async);

  // {"available", "running", "client_id", "engine", "phase", "done", "total",
  //  "result" | "error"} of the latest background export.
  nlohmann::json status();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace databus::web
