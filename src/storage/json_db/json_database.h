// The JSON DB: the default storage engine (docs/configuration.md), files under one data
// directory, readable and writable by the original Python Databus:
//
//   clients/<client_id>/config.json                      ClientStore
//   clients/<client_id>/backup/<uuid>-<node>.json        ClientStore
//   clients/<client_id>/pqueue/<internal_id>/...         EntryStore
//   clients/<client_id>/log/<time>_<guid>.txt            LogStore
//
// Opening takes the directory for this process alone (DirectoryLock on
// <root>/.lock) and replays the queue journal (clients/<id>/pqueue.journal,
// EntryStore) that a crash left behind for any client. Per-client stores are
// made on first use and keep in-memory indexes, so queries never rescan the
// queue. Every write is durable and atomic on return: queue writes through
// the journal, configuration, backups and logs through fs/atomic_file.h.
// Closing checkpoints and removes the journals.
//
// Queue, log and backup methods accept any valid client id, whether or not
// the client has a config.json; client_ids() lists only clients that have one.
//
// Thread-safety: as Database.
#pragma once

#include <memory>

#include "databus/database.h"
#include "databus/registry.h"

namespace databus {

// name "json_db", alias "databus.database.json_db.json_database".
ComponentSpec json_database_spec();

// Opens (creating when missing) the JSON DB at env.arguments["path"] if given,
// else at env.data_dir. Throws ConfigError naming the key for any other
// argument, StorageError when the directory is in use by another process or
// cannot be created.
std::unique_ptr<Database> open_json_database(const DatabaseEnv& env);

}  // namespace databus
