#include "export/client_export.h"

#include <algorithm>
#include <set>
#include <vector>

#include "databus/error.h"

namespace databus {
namespace {

// Splits `batch` into entries `to` holds already (same internal id,
// rewritten) and new ones, with one lookup for the batch.
void copy_batch(Database& to, const std::string& client_id, std::vector<QueueEntry>& batch) {
  std::vector<std::string> ids;
  ids.reserve(batch.size());
  for (const QueueEntry& e : batch) ids.push_back(e.passenger.internal_id);
  const std::set<std::string> present = to.stored_ids(client_id, ids);
  std::vector<QueueEntry> fresh;
  std::vector<QueueEntry> stored;
  for (QueueEntry& e : batch) {
    (present.count(e.passenger.internal_id) > 0 ? stored : fresh).push_back(std::move(e));
  }
  if (!fresh.empty()) to.insert_entries(client_id, fresh);
  if (!stored.empty()) to.update_entries(client_id, stored, SaveScope::everything);
}

// Copies the client passenger state documents (database.h) of every
// passenger `config` names; returns how many.
std::size_t copy_passenger_state(Database& from, Database& to, const std::string& client_id,
                                 const ClientConfig& config) {
  std::size_t copied = 0;
  for (const ClientPassenger& passenger : config.passengers) {
    for (const auto& [name, text] : from.list_passenger_state(client_id, passenger.name)) {
      to.write_passenger_state(client_id, passenger.name, name, text);
      ++copied;
    }
  }
  return copied;
}

}  // namespace

ExportReport export_client(Database& from, Database& to, const std::string& client_id,
                           const ExportOptions& options) {
  ExportReport report;
  std::optional<std::string> config;
  try {
    config = from.read_client_config_text(client_id);
  } catch (const NotFoundError&) {
    // Queue and logs may exist without a configuration; copy them anyway.
  }
  EntryQuery all;
  const std::size_t entry_count = from.count_entries(client_id, all);
  const std::vector<LogSummary> logs = from.list_logs(client_id);
  const std::vector<BackupInfo> backups = from.list_backups(client_id);
  if (!config && entry_count == 0 && logs.empty() && backups.empty()) {
    throw NotFoundError("export: client '" + client_id + "' has no data in " + from.describe());
  }

  ExportProgress progress{"configuration", 0, 1 + backups.size() + entry_count + logs.size()};
  auto tell = [&](const char* phase, std::size_t done) {
    progress.phase = phase;
    progress.done = done;
    if (options.progress) options.progress(progress);
  };

  if (config) {
    to.write_client_config_text(client_id, *config);
    report.configuration = true;
    report.passenger_states =
        copy_passenger_state(from, to, client_id, from.load_client(client_id));
  }
  tell("configuration", 1);

  // Backups keep their id, node and time, so the target's purge by age and
  // the customizing history behave as in the source.
  for (const BackupInfo& info : backups) {
    const std::optional<std::string> text = from.read_backup(client_id, info.id);
    if (!text) continue;  // Purged since it was listed.
    to.restore_backup(client_id, info, *text);
    ++report.backups;
  }
  if (!backups.empty()) tell("backups", 1 + report.backups);
  const std::size_t before_queue = 1 + report.backups;

  // Oldest first in pages; the source does not change meanwhile (paused).
  const std::size_t batch_size = std::max<std::size_t>(options.batch_size, 1);
  all.limit = batch_size;
  for (all.offset = 0; all.offset < entry_count; all.offset += batch_size) {
    std::vector<QueueEntry> batch = from.query_entries(client_id, all);
    if (batch.empty()) break;
    report.entries += batch.size();
    copy_batch(to, client_id, batch);
    tell("queue", before_queue + report.entries);
  }

  for (const LogSummary& summary : logs) {
    const std::optional<Log> log = from.read_log(client_id, summary.guid);
    if (!log) continue;  // Deleted since it was listed.
    to.write_log(client_id, *log);
    ++report.logs;
    if (report.logs % 100 == 0 || report.logs == logs.size()) {
      tell("logs", before_queue + report.entries + report.logs);
    }
  }
  return report;
}

ExportReport export_client(Dispatcher& dispatcher, Database& to, const std::string& client_id,
                           const ExportOptions& options) {
  dispatcher.begin_export(client_id);
  try {
    ExportReport report = export_client(dispatcher.database(), to, client_id, options);
    dispatcher.end_export(client_id, true, "");
    return report;
  } catch (const std::exception& e) {
    dispatcher.end_export(client_id, false, e.what());
    throw;
  }
}

std::future<ExportReport> start_export(Dispatcher& dispatcher, std::unique_ptr<Database> to,
                                       const std::string& client_id, ExportOptions options) {
  return std::async(std::launch::async,
                    [&dispatcher, to = std::move(to), client_id, options = std::move(options)] {
                      return export_client(dispatcher, *to, client_id, options);
                    });
}

}  // namespace databus
