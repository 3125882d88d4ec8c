// Export (docs/api.md): copies one client's data from one Database to another,
// e.g. from the running JSON DB into a PostgreSQL database before moving
// production there. What is copied: the configuration text (the
// "__databus__" node, users included, byte for byte), the customizing
// backups (with their ids, nodes and times), the client passenger state
// documents of every configured passenger (puller health, a component's
// progress: Database::list_passenger_state()), every queue entry with its
// statuses and attachments, and every log.
//
// The copy is idempotent: entries already in the target (same internal id)
// are rewritten, backups and logs replaced, so an interrupted export can
// simply be run again. Entries travel in batches (one insert_entries() per batch), which
// the SQL engines turn into one transaction each.
//
// Thread-safety: export_client() reads `from` and writes `to` from the
// calling thread; nothing else may write the client in `from` meanwhile,
// which is why the Dispatcher overloads pause the dispatcher around it.
#pragma once

#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <string>

#include "databus/database.h"
#include "databus/dispatcher.h"

namespace databus {

struct ExportProgress {
  std::string phase;      // "configuration", "backups", "queue" or "logs".
  std::size_t done = 0;   // Items copied so far, over all phases.
  std::size_t total = 0;  // Items: 1 (configuration) + backups + entries + logs.
};

struct ExportOptions {
  // Called after each step (the configuration, the backups, each batch of
  // entries, each batch of logs) on the exporting thread. Default: none.
  std::function<void(const ExportProgress&)> progress;
  // Entries per insert_entries() call. Default: 500.
  std::size_t batch_size = 500;
};

// What was copied.
struct ExportReport {
  std::size_t entries = 0;
  std::size_t logs = 0;
  std::size_t backups = 0;
  bool configuration = false;  // False when the client has no configuration.
  // State documents, copied with the configuration (the "configuration"
  // step of the progress): none without a configuration.
  std::size_t passenger_states = 0;
};

// Copies `client_id` from `from` to `to`. Throws ConfigError for an invalid
// client id, NotFoundError when `from` holds nothing of the client (neither
// configuration nor backups nor entries nor logs), and whatever the engines throw
// (StorageError, CorruptDataError for a log that cannot be read); what was
// copied before a failure stays in `to`.
// REQUIRES: `from` and `to` are different databases.
ExportReport export_client(Database& from, Database& to, const std::string& client_id,
                           const ExportOptions& options = {});

// The same from `dispatcher`'s database, with the dispatcher paused around it
// (begin_export / end_export, which resumes also when the export fails and
// tells the observer either way). Throws StateError when shutting down or
// when another export runs.
ExportReport export_client(Dispatcher& dispatcher, Database& to, const std::string& client_id,
                           const ExportOptions& options = {});

// The Dispatcher form on a thread of its own, for callers that must not
// block (the web interface). The future holds the report or the error; the
// dispatcher and `options.progress` must outlive it. `to` is owned by the
// export and closed when it ends.
std::future<ExportReport> start_export(Dispatcher& dispatcher, std::unique_ptr<Database> to,
                                       const std::string& client_id, ExportOptions options = {});

}  // namespace databus
