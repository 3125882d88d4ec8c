// Test helpers shared by the JSON DB's tests (not part of the library): a
// demo queue entry, and a fixture holding a JSON DB in a directory of its
// own per test.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>

#include "databus/uuid.h"
#include "storage/json_db/json_database.h"

namespace databus::testing_support {

inline const std::string kJsonDbModule = "databus.passenger.demo.demo_passenger_1";

// A freshly seated entry of kJsonDbModule with one text attachment, "body.txt".
inline QueueEntry make_json_db_entry(const std::string& external_id) {
  Passenger p;
  p.external_id = external_id;
  p.internal_id = new_uuid();
  p.source_system = "DEMO_SYSTEM";
  p.passenger_module = kJsonDbModule;
  p.puller_module = "databus.puller.demo.demo_puller_1";
  p.pull_datetime = parse_iso("2022-11-06T22:13:01.294628");
  p.add_attachment("body.txt", AttachmentFormat::text, "hello " + external_id);
  return QueueEntry::seat(std::move(p), {"databus.processor.demo.demo_processor_1"},
                          {"databus.pusher.demo.demo_pusher_1"});
}

// A JSON DB in <temp>/databus_json_db_<pid>_<test>, removed afterwards.
class JsonDbTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::path(testing::TempDir()) /
           ("databus_json_db_" + std::to_string(::getpid()) + "_" +
            testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    db_ = open_json_database({dir_, {}});
  }
  void TearDown() override {
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  // Closes the engine and opens the directory again.
  void reopen() {
    db_.reset();
    db_ = open_json_database({dir_, {}});
  }
  std::filesystem::path pqueue() const { return dir_ / "clients/demo/pqueue"; }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace databus::testing_support
