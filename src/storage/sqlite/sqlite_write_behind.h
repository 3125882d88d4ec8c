// A SQLite VFS for the engine's connections: the operating system's default
// VFS, except that writes to a write-ahead log are copied into memory and
// handed to the operating system by a thread of that log file's own. The
// connection writing a large transaction goes on while its pages are
// written out (a seat of 10,000 passengers spends ~15 % of its time in the
// write calls; docs/performance.md, "SQLite: the log written behind").
//
// Every other call on the log file first waits for the writes queued before
// it: a read sees them, a sync makes them durable, a truncation or a size
// sees the file as written. A queued write that failed makes the next such
// call fail with its error (at the latest the commit's sync), so a commit
// never reports success for frames that were not written. Other files
// (temporary files, rollback journals) are the default VFS's, untouched; a
// database file's calls are forwarded, and when a connection gives up the
// write lock (in the database file's shared memory), the queued writes of
// that database's logs are made first: after a rollback those are frames
// past the log's end, where the next writer (another process, perhaps)
// puts its own.
//
// REQUIRES: connections opened with it commit with synchronous=FULL (the
// engine's setting): SQLite then syncs the log, and so waits for its
// writes, before it shows a commit's frames to other connections.
#pragma once

namespace databus {

// The VFS's name for sqlite3_open_v2(), registering it on the first call
// (thread-safe); nullptr when it could not be registered, and the default
// VFS serves instead.
const char* sqlite_write_behind_vfs();

// While one lives on a thread, a sync of a log by that thread waits for the
// log's queued writes but does not reach the disk: a commit made meanwhile
// survives the process ending, not a power loss, and the next synced commit
// makes it durable (SqliteConnection::commit_unsynced(), which keeps
// checkpoints out of it). Not nested.
class LogSyncsSkipped {
 public:
  LogSyncsSkipped();
  ~LogSyncsSkipped();
  LogSyncsSkipped(const LogSyncsSkipped&) = delete;
  LogSyncsSkipped& operator=(const LogSyncsSkipped&) = delete;
};

}  // namespace databus
