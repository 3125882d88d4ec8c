// A fresh, empty store of any engine for one bench run, gone afterwards:
// its data directory under a new temporary directory (json_db, sqlite:
// their files), and for postgresql a schema of its own in the database the
// arguments name, dropped when the run ends on any path.
#pragma once

#include <filesystem>
#include <string>

#include "bench/temporary_directory.h"
#include "databus/database.h"

namespace databus::bench {

class FreshStore {
 public:
  // `database`: the engine's registry name; `arguments`: the engine
  // arguments the user gave. postgresql's `schema` and sqlite's `path` are
  // replaced (by a fresh schema, by the data directory's file).
  FreshStore(const std::string& database, const DatabaseArguments& arguments);
  // Drops the postgresql schema; a failure is reported on stderr.
  ~FreshStore();
  FreshStore(const FreshStore&) = delete;
  FreshStore& operator=(const FreshStore&) = delete;

  // What the engine is opened with (Dispatcher ticket, Registry::make_database).
  const std::filesystem::path& data_dir() const { return data_dir_; }
  const DatabaseArguments& arguments() const { return arguments_; }
  DatabaseEnv env() const { return DatabaseEnv{data_dir_, arguments_}; }

 private:
  TemporaryDirectory temp_;
  std::string database_;
  std::filesystem::path data_dir_;
  DatabaseArguments arguments_;
};

}  // namespace databus::bench
