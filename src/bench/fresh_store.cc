#include "bench/fresh_store.h"

#include <cstdio>
#include <exception>

#include "bench/floor_engines.h"

namespace databus::bench {

FreshStore::FreshStore(const std::string& database, const DatabaseArguments& arguments)
    : database_(database), data_dir_(temp_.path() / fresh_name("store-")) {
  for (const auto& [key, value] : arguments) {
    if ((database == "postgresql" && key == "schema") || (database == "sqlite" && key == "path")) {
      continue;
    }
    arguments_[key] = value;
  }
  if (database == "postgresql") arguments_["schema"] = fresh_name("bench_");
}

FreshStore::~FreshStore() {
  if (database_ != "postgresql") return;
  try {
    drop_postgresql_schema(arguments_);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "databus bench: the bench's schema is left behind: %s\n", e.what());
  }
}

}  // namespace databus::bench
