// Test helpers shared by the JSON DB's tests (not part of the library): a
// demo queue entry, a child process that dies after its writes, and a
// fixture holding a JSON DB in a directory of its own per test.
#pragma once

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <functional>
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

// Runs `work` in a forked child that then exits at once, closing nothing
// (as if killed right after `work` returned): what it opened is left as a
// crash leaves it. Fails the test unless `work` returned without throwing.
inline void die_after(const std::function<void()>& work) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    int status = 0;
    try {
      work();
    } catch (...) {
      status = 1;
    }
    ::_exit(status);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_EQ(WEXITSTATUS(status), 0);
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

  // Closes the fixture's engine, then runs `writes` on the directory in a
  // child process that dies without closing its engine: its journal is left
  // for the next open.
  void crash_after(const std::function<void(Database&)>& writes) {
    db_.reset();
    die_after([&] {
      auto db = open_json_database({dir_, {}});
      writes(*db);
      db.release();  // Never closed: as if killed.
    });
  }

  std::filesystem::path dir_;
  std::unique_ptr<Database> db_;
};

}  // namespace databus::testing_support
