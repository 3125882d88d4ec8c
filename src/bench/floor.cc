#include "bench/floor.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>
#include <stdexcept>
#include <vector>

#include "bench/bench_client.h"
#include "bench/floor_engines.h"
#include "bench/fresh_store.h"
#include "bench/synthetic_components.h"
#include "databus/builtins.h"

namespace databus::bench {

std::string FloorResult::line() const {
  char numbers[96];
  std::snprintf(numbers, sizeof numbers, "seconds=%.3f rate=%.0f/s", seconds, rate());
  return "engine=" + engine + " workload=floor passengers=" + std::to_string(passengers) + " " +
         numbers + " complete=" + std::to_string(complete);
}

FloorStatuses FloorStatuses::of(const QueueEntry& seated_entry) {
  QueueEntry done = seated_entry;
  done.complete_all_steps();
  return FloorStatuses{sql::EntryFlags::of(seated_entry), sql::encode_steps(seated_entry),
                       sql::encode_steps(done), sql::encode_log_guids(seated_entry.passenger)};
}

bool has_floor(const std::string& database) {
  return database == "json_db" || database == "sqlite" || database == "postgresql";
}

void require_floor(const std::string& database) {
  if (!has_floor(database)) {
    throw std::invalid_argument("--floor: the " + database +
                                " engine has no storage floor (json_db, sqlite and postgresql "
                                "have)");
  }
}

FloorResult run_floor(const FloorOptions& options) {
  require_floor(options.database);
  if (options.passengers == 0) throw std::invalid_argument("--passengers must be at least 1");
  if (options.processors < 0 || options.pushers < 0) {
    throw std::invalid_argument("--processors and --pushers must not be negative");
  }
  const FreshStore fresh(options.database, options.database_arguments);
  const FloorStore store{fresh.data_dir(), fresh.arguments(), fresh_name("bench-")};
  const std::shared_ptr<Registry> registry = builtin_registry();
  const ClientPassenger passenger = bench_client_passenger(options.processors, options.pushers);
  const DatabaseEnv env = fresh.env();
  // The engine makes its own store (schema, tables, indexes), then lets go
  // of it (and of its process lock) for the floor.
  registry->make_database(options.database, env)
      ->write_client_config_text(store.client_id, client_config_text(store.client_id, passenger));

  const TimePoint now = std::chrono::time_point_cast<std::chrono::microseconds>(Clock::now());
  std::vector<QueueEntry> entries;
  entries.reserve(options.passengers);
  for (std::size_t i = 0; i < options.passengers; ++i) {
    entries.push_back(synthetic_entry(passenger, kPulledPrefix + std::to_string(i), i,
                                      options.attachment_bytes, now));
  }
  ::sync();  // As before a workload's drive: nothing else for the disk to write.

  FloorResult result;
  result.engine = options.database;
  result.passengers = options.passengers;
  if (options.database == "sqlite") {
    result.seconds = sqlite_floor(store, entries);
  } else if (options.database == "postgresql") {
    result.seconds = postgresql_floor(store, entries);
  } else {
    result.seconds = json_db_floor(store, entries);
  }
  entries.clear();

  EntryQuery complete;
  complete.passenger_module = passenger.name;
  complete.filter = EntryFilter::complete;
  result.complete =
      registry->make_database(options.database, env)->count_entries(store.client_id, complete);
  return result;
}

}  // namespace databus::bench
