#include "storage/json_db/state_store.h"

#include <fstream>
#include <sstream>

#include "databus/error.h"
#include "fs/atomic_file.h"

namespace databus {
namespace {

namespace stdfs = std::filesystem;

// The whole file, or nullopt when it does not exist.
std::optional<std::string> read_whole(const stdfs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!stdfs::exists(path, ec) && !ec) return std::nullopt;
    throw StorageError("cannot read " + path.string());
  }
  std::ostringstream out;
  out << in.rdbuf();
  if (in.bad()) throw StorageError("cannot read " + path.string());
  return std::move(out).str();
}

}  // namespace

std::optional<std::string> StateStore::read(const std::string& passenger,
                                            const std::string& name) const {
  return read_whole(path_of(passenger, name));
}

void StateStore::write(const std::string& passenger, const std::string& name,
                       const std::optional<std::string>& text, bool synced) {
  std::lock_guard lock(write_mutex_);
  const stdfs::path path = path_of(passenger, name);
  if (!text) {
    std::error_code ec;
    if (!stdfs::exists(path, ec)) return;
    if (synced) {
      durable::remove_durably(path);
    } else if (!stdfs::remove(path, ec) && ec) {
      throw StorageError("cannot remove " + path.string() + ": " + ec.message());
    }
    return;
  }
  durable::create_directories_durably(path.parent_path());
  if (synced) {
    durable::write_file_atomically(path, *text);
  } else {
    durable::replace_file_unsynced(path, *text);
  }
}

std::map<std::string, std::string> StateStore::list(const std::string& passenger) const {
  std::map<std::string, std::string> out;
  std::error_code ec;
  const stdfs::path dir = dir_ / passenger;
  if (!stdfs::is_directory(dir, ec)) return out;
  for (const auto& item : stdfs::directory_iterator(dir)) {
    const stdfs::path& p = item.path();
    // Only finished documents: a write in progress has another extension.
    if (p.extension() != ".json" || !item.is_regular_file(ec)) continue;
    if (std::optional<std::string> text = read_whole(p)) out.emplace(p.stem().string(), *text);
  }
  return out;
}

}  // namespace databus
