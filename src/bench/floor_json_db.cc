// The JSON DB's floor (floor.h): the format's folders and files
// (docs/configuration.md, clients/<id>/pqueue/<internal_id>/), written as
// the engine's file workers write them, one thread per core, and made
// durable by one syncfs(), as the engine's checkpoint does.
#include <algorithm>
#include <chrono>
#include <exception>
#include <filesystem>
#include <system_error>
#include <thread>
#include <vector>

#include "bench/floor_engines.h"
#include "databus/error.h"
#include "fs/atomic_file.h"
#include "storage/json_db/entry_files.h"
#include "storage/json_db/passenger_codec.h"

namespace databus::bench {
namespace {

namespace stdfs = std::filesystem;

void make_directory(const stdfs::path& dir) {
  std::error_code ec;
  if (!stdfs::create_directory(dir, ec) || ec) {
    throw StorageError("cannot create directory " + dir.string() + ": " +
                       (ec ? ec.message() : "it exists"));
  }
}

}  // namespace

double json_db_floor(const FloorStore& store, std::span<QueueEntry> entries) {
  std::vector<std::string> passenger_json;
  passenger_json.reserve(entries.size());
  for (QueueEntry& e : entries) {
    e.complete_all_steps();
    passenger_json.push_back(encode_passenger_json(e));
  }
  const stdfs::path pqueue = store.data_dir / "clients" / store.client_id / "pqueue";
  std::error_code ec;
  stdfs::create_directories(pqueue, ec);

  const auto start = std::chrono::steady_clock::now();
  const std::size_t threads =
      std::max<std::size_t>(1, std::min<std::size_t>(std::thread::hardware_concurrency(), 16));
  std::vector<std::exception_ptr> failures(threads);
  std::vector<std::thread> writers;
  for (std::size_t t = 0; t < threads; ++t) {
    writers.emplace_back([&, t] {
      try {
        for (std::size_t i = t; i < entries.size(); i += threads) {
          const stdfs::path dir = pqueue / entries[i].passenger.internal_id;
          make_directory(dir);
          make_directory(dir / entry_files::kAttachmentsDir);
          for (const Attachment& a : entries[i].passenger.attachments) {
            durable::write_file(dir / entry_files::kAttachmentsDir / a.name, a.content);
          }
          durable::write_file(dir / entry_files::kPassengerFile, passenger_json[i]);
        }
      } catch (...) {
        failures[t] = std::current_exception();
      }
    });
  }
  for (std::thread& w : writers) w.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  durable::sync_file_system(pqueue);
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace databus::bench
