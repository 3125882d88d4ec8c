#include "storage/sqlite/sqlite_write_behind.h"

#include <sqlite3.h>

#include <cstddef>
#include <cstring>
#include <mutex>
#include <new>
#include <string>
#include <unordered_map>
#include <vector>

#include "storage/sqlite/sqlite_log_writer.h"

namespace databus {
namespace {

constexpr char kVfsName[] = "databus-write-behind";
// wal.c's lock slots in the database file's shared memory: slot 0 is the
// write lock.
constexpr int kWalWriteLock = 0;

// A log or database file as SQLite sees it: `base` first, then the default
// VFS's own file object, at kRealOffset.
struct BehindFile {
  sqlite3_file base;
  sqlite3_file* real;
  LogWriter* writer;     // A log's; nullptr for a database file.
  std::string database;  // The database file's name (a log's database's).
};
constexpr std::size_t kRealOffset = (sizeof(BehindFile) + 15) & ~std::size_t{15};

sqlite3_vfs* real_vfs(sqlite3_vfs* vfs) { return static_cast<sqlite3_vfs*>(vfs->pAppData); }
BehindFile* behind(sqlite3_file* file) { return reinterpret_cast<BehindFile*>(file); }

// The open logs of each database, in this process.
//
// Queued writes must be made before their connection gives up the write
// lock: after a rollback they are frames past the log's end, and another
// connection (another process) that takes the lock next writes its own
// frames there; a queued write landing after those would destroy them.
// Commits drain their log already (their sync), so only the end of a
// transaction rolled back (by the application, or by SQLite after an
// error) ever waits here.
class LogRegistry {
 public:
  static LogRegistry& instance() {
    static LogRegistry* const registry = new LogRegistry;  // Never destroyed: used at exit.
    return *registry;
  }
  void add(const std::string& database, LogWriter* writer) {
    std::lock_guard<std::mutex> guard(mutex_);
    logs_[database].push_back(writer);
  }
  void remove(const std::string& database, LogWriter* writer) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = logs_.find(database);
    if (it == logs_.end()) return;
    std::vector<LogWriter*>& writers = it->second;
    for (std::size_t i = 0; i < writers.size(); ++i) {
      if (writers[i] == writer) {
        writers.erase(writers.begin() + static_cast<std::ptrdiff_t>(i));
        break;
      }
    }
    if (writers.empty()) logs_.erase(it);
  }
  // Makes every queued write to the logs of `database`. What failed is
  // dropped: those were frames of a transaction that did not commit.
  // Held under mutex_, so that no log closes meanwhile; the writers'
  // threads never take it.
  void drain(const std::string& database) {
    std::lock_guard<std::mutex> guard(mutex_);
    auto it = logs_.find(database);
    if (it == logs_.end()) return;
    for (LogWriter* writer : it->second) writer->drain();
  }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::vector<LogWriter*>> logs_;
};

// Waits for the queued writes, then runs `call` on the default VFS's file.
template <class Call>
int after_writes(sqlite3_file* file, Call call) {
  BehindFile* f = behind(file);
  const int rc = f->writer->drain();
  if (rc != SQLITE_OK) return rc;
  return call(f->real, f->real->pMethods);
}

int behind_close(sqlite3_file* file) {
  BehindFile* f = behind(file);
  const int drained = f->writer->drain();
  LogRegistry::instance().remove(f->database, f->writer);
  delete f->writer;  // Joins the thread.
  f->writer = nullptr;
  const int closed = f->real->pMethods->xClose(f->real);
  f->~BehindFile();
  return drained != SQLITE_OK ? drained : closed;
}

int behind_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  return behind(file)->writer->read(out, amount, offset);
}

int behind_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  return behind(file)->writer->write(data, amount, offset);
}

int behind_truncate(sqlite3_file* file, sqlite3_int64 size) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xTruncate(real, size);
  });
}

// Set by LogSyncsSkipped on its thread.
thread_local bool skip_log_syncs = false;

int behind_sync(sqlite3_file* file, int flags) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return skip_log_syncs ? SQLITE_OK : m->xSync(real, flags);
  });
}

int behind_file_size(sqlite3_file* file, sqlite3_int64* size) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xFileSize(real, size);
  });
}

int behind_lock(sqlite3_file* file, int level) {
  return after_writes(
      file, [&](sqlite3_file* real, const sqlite3_io_methods* m) { return m->xLock(real, level); });
}

int behind_unlock(sqlite3_file* file, int level) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xUnlock(real, level);
  });
}

int behind_check_reserved_lock(sqlite3_file* file, int* out) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xCheckReservedLock(real, out);
  });
}

int behind_file_control(sqlite3_file* file, int op, void* argument) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->xFileControl(real, op, argument);
  });
}

// The two below report properties, not errors: they wait all the same,
// which keeps the default VFS's file object on one thread at a time.
int behind_sector_size(sqlite3_file* file) {
  BehindFile* f = behind(file);
  f->writer->wait();
  return f->real->pMethods->xSectorSize(f->real);
}

int behind_device_characteristics(sqlite3_file* file) {
  BehindFile* f = behind(file);
  f->writer->wait();
  return f->real->pMethods->xDeviceCharacteristics(f->real);
}

// A log file has no shared memory or memory map of its own (those of the
// database file serve); these forward for completeness.
int behind_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmMap(real, page, page_size, extend, out) : SQLITE_IOERR;
  });
}

int behind_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmLock(real, offset, n, flags) : SQLITE_IOERR;
  });
}

void behind_shm_barrier(sqlite3_file* file) {
  after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    if (m->iVersion >= 2) m->xShmBarrier(real);
    return SQLITE_OK;
  });
}

int behind_shm_unmap(sqlite3_file* file, int delete_flag) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 2 ? m->xShmUnmap(real, delete_flag) : SQLITE_OK;
  });
}

int behind_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  *out = nullptr;  // No memory map: SQLite reads instead.
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 3 ? m->xFetch(real, offset, amount, out) : SQLITE_OK;
  });
}

int behind_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  return after_writes(file, [&](sqlite3_file* real, const sqlite3_io_methods* m) {
    return m->iVersion >= 3 ? m->xUnfetch(real, offset, p) : SQLITE_OK;
  });
}

const sqlite3_io_methods kBehindMethods = {
    3,
    behind_close,
    behind_read,
    behind_write,
    behind_truncate,
    behind_sync,
    behind_file_size,
    behind_lock,
    behind_unlock,
    behind_check_reserved_lock,
    behind_file_control,
    behind_sector_size,
    behind_device_characteristics,
    behind_shm_map,
    behind_shm_lock,
    behind_shm_barrier,
    behind_shm_unmap,
    behind_fetch,
    behind_unfetch,
};

// --- Database files: the default VFS's, but for the write lock. ---

int database_close(sqlite3_file* file) {
  BehindFile* f = behind(file);
  const int closed = f->real->pMethods->xClose(f->real);
  f->~BehindFile();
  return closed;
}
int database_read(sqlite3_file* file, void* out, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xRead(real, out, amount, offset);
}
int database_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xWrite(real, data, amount, offset);
}
int database_truncate(sqlite3_file* file, sqlite3_int64 size) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xTruncate(real, size);
}
int database_sync(sqlite3_file* file, int flags) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xSync(real, flags);
}
int database_file_size(sqlite3_file* file, sqlite3_int64* size) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xFileSize(real, size);
}
int database_lock(sqlite3_file* file, int level) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xLock(real, level);
}
int database_unlock(sqlite3_file* file, int level) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xUnlock(real, level);
}
int database_check_reserved_lock(sqlite3_file* file, int* out) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xCheckReservedLock(real, out);
}
int database_file_control(sqlite3_file* file, int op, void* argument) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xFileControl(real, op, argument);
}
int database_sector_size(sqlite3_file* file) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xSectorSize(real);
}
int database_device_characteristics(sqlite3_file* file) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xDeviceCharacteristics(real);
}
int database_shm_map(sqlite3_file* file, int page, int page_size, int extend, void volatile** out) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xShmMap(real, page, page_size, extend, out);
}
int database_shm_lock(sqlite3_file* file, int offset, int n, int flags) {
  BehindFile* f = behind(file);
  constexpr int kReleaseExclusive = SQLITE_SHM_UNLOCK | SQLITE_SHM_EXCLUSIVE;
  if (offset == kWalWriteLock && (flags & kReleaseExclusive) == kReleaseExclusive) {
    LogRegistry::instance().drain(f->database);  // See LogRegistry.
  }
  return f->real->pMethods->xShmLock(f->real, offset, n, flags);
}
void database_shm_barrier(sqlite3_file* file) {
  sqlite3_file* real = behind(file)->real;
  real->pMethods->xShmBarrier(real);
}
int database_shm_unmap(sqlite3_file* file, int delete_flag) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xShmUnmap(real, delete_flag);
}
int database_fetch(sqlite3_file* file, sqlite3_int64 offset, int amount, void** out) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xFetch(real, offset, amount, out);
}
int database_unfetch(sqlite3_file* file, sqlite3_int64 offset, void* p) {
  sqlite3_file* real = behind(file)->real;
  return real->pMethods->xUnfetch(real, offset, p);
}

const sqlite3_io_methods kDatabaseMethods = {
    3,
    database_close,
    database_read,
    database_write,
    database_truncate,
    database_sync,
    database_file_size,
    database_lock,
    database_unlock,
    database_check_reserved_lock,
    database_file_control,
    database_sector_size,
    database_device_characteristics,
    database_shm_map,
    database_shm_lock,
    database_shm_barrier,
    database_shm_unmap,
    database_fetch,
    database_unfetch,
};

int behind_open(sqlite3_vfs* vfs, sqlite3_filename name, sqlite3_file* file, int flags,
                int* out_flags) {
  sqlite3_vfs* real = real_vfs(vfs);
  const bool log = (flags & SQLITE_OPEN_WAL) != 0;
  const bool database = (flags & SQLITE_OPEN_MAIN_DB) != 0;
  // Any other file (temporary files, rollback journals) is the default
  // VFS's own object, at the same address.
  if (!log && !database) return real->xOpen(real, name, file, flags, out_flags);
  if (name == nullptr) return real->xOpen(real, name, file, flags, out_flags);  // Temporary.
  file->pMethods = nullptr;  // SQLite closes nothing if the open fails.
  sqlite3_file* inner =
      reinterpret_cast<sqlite3_file*>(reinterpret_cast<char*>(file) + kRealOffset);
  const int rc = real->xOpen(real, name, inner, flags, out_flags);
  if (rc != SQLITE_OK) return rc;
  // Database files must carry methods of version 3 and logs at least 1:
  // this VFS forwards what it offers.
  if (inner->pMethods == nullptr || (database && inner->pMethods->iVersion < 3)) {
    if (inner->pMethods != nullptr) inner->pMethods->xClose(inner);
    return SQLITE_CANTOPEN;
  }
  BehindFile* f = nullptr;
  try {
    f = new (file)
        BehindFile{{nullptr}, inner, nullptr, log ? sqlite3_filename_database(name) : name};
    if (log) f->writer = new LogWriter(inner, name);
  } catch (const std::bad_alloc&) {
    if (f != nullptr) f->~BehindFile();
    inner->pMethods->xClose(inner);
    return SQLITE_NOMEM;
  }
  if (log) LogRegistry::instance().add(f->database, f->writer);
  f->base.pMethods = log ? &kBehindMethods : &kDatabaseMethods;
  return SQLITE_OK;
}

// The rest is the default VFS's, called with its own object.
int forward_delete(sqlite3_vfs* vfs, const char* name, int sync_dir) {
  return real_vfs(vfs)->xDelete(real_vfs(vfs), name, sync_dir);
}
int forward_access(sqlite3_vfs* vfs, const char* name, int flags, int* out) {
  return real_vfs(vfs)->xAccess(real_vfs(vfs), name, flags, out);
}
int forward_full_pathname(sqlite3_vfs* vfs, const char* name, int size, char* out) {
  return real_vfs(vfs)->xFullPathname(real_vfs(vfs), name, size, out);
}
void* forward_dl_open(sqlite3_vfs* vfs, const char* name) {
  return real_vfs(vfs)->xDlOpen(real_vfs(vfs), name);
}
void forward_dl_error(sqlite3_vfs* vfs, int size, char* out) {
  real_vfs(vfs)->xDlError(real_vfs(vfs), size, out);
}
void (*forward_dl_sym(sqlite3_vfs* vfs, void* handle, const char* symbol))(void) {
  return real_vfs(vfs)->xDlSym(real_vfs(vfs), handle, symbol);
}
void forward_dl_close(sqlite3_vfs* vfs, void* handle) {
  real_vfs(vfs)->xDlClose(real_vfs(vfs), handle);
}
int forward_randomness(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xRandomness(real_vfs(vfs), size, out);
}
int forward_sleep(sqlite3_vfs* vfs, int microseconds) {
  return real_vfs(vfs)->xSleep(real_vfs(vfs), microseconds);
}
int forward_current_time(sqlite3_vfs* vfs, double* out) {
  return real_vfs(vfs)->xCurrentTime(real_vfs(vfs), out);
}
int forward_get_last_error(sqlite3_vfs* vfs, int size, char* out) {
  return real_vfs(vfs)->xGetLastError(real_vfs(vfs), size, out);
}
int forward_current_time_int64(sqlite3_vfs* vfs, sqlite3_int64* out) {
  return real_vfs(vfs)->xCurrentTimeInt64(real_vfs(vfs), out);
}

sqlite3_vfs* make_vfs() {
  sqlite3_vfs* real = sqlite3_vfs_find(nullptr);
  if (real == nullptr || real->iVersion < 2) return nullptr;
  static sqlite3_vfs vfs;
  std::memset(&vfs, 0, sizeof vfs);
  vfs.iVersion = 2;  // No system call overrides (version 3) through this one.
  vfs.szOsFile = static_cast<int>(kRealOffset) + real->szOsFile;
  vfs.mxPathname = real->mxPathname;
  vfs.zName = kVfsName;
  vfs.pAppData = real;
  vfs.xOpen = behind_open;
  vfs.xDelete = forward_delete;
  vfs.xAccess = forward_access;
  vfs.xFullPathname = forward_full_pathname;
  vfs.xDlOpen = forward_dl_open;
  vfs.xDlError = forward_dl_error;
  vfs.xDlSym = forward_dl_sym;
  vfs.xDlClose = forward_dl_close;
  vfs.xRandomness = forward_randomness;
  vfs.xSleep = forward_sleep;
  vfs.xCurrentTime = forward_current_time;
  vfs.xGetLastError = forward_get_last_error;
  vfs.xCurrentTimeInt64 = forward_current_time_int64;
  if (sqlite3_vfs_register(&vfs, 0) != SQLITE_OK) return nullptr;
  return &vfs;
}

}  // namespace

const char* sqlite_write_behind_vfs() {
  static sqlite3_vfs* const vfs = make_vfs();
  return vfs == nullptr ? nullptr : vfs->zName;
}

LogSyncsSkipped::LogSyncsSkipped() { skip_log_syncs = true; }
LogSyncsSkipped::~LogSyncsSkipped() { skip_log_syncs = false; }

}  // namespace databus
