// Crash safety of the whole program (docs/architecture.md "Durability and
// crash safety", at-least-once): `databus run` moves files from an inbox to an
// outbox through the directory connectors and a processor and is killed with
// SIGKILL many times while new files keep arriving. Then it runs to the end
// and stops on SIGTERM. Nothing a puller was told was seated may be lost,
// every entry must end complete and every stored file must still parse.
//
// The kills are chosen so that every run kills in each phase of a drive:
// most rounds set a failpoint (src/model/failpoint.h) at which the process
// stops itself in pull, seat, process, push or complete (the N-th time it
// gets there, N random for the steps of an entry), and the test kills it there; the other rounds
// kill at a random instant. The test asserts that every phase was killed in.
//
// Run on the JSON DB (whose files are also checked one by one: every
// passenger.json must parse) and on SQLite (whose log is written behind its
// transactions, src/storage/sqlite/sqlite_write_behind.h).
//
// The seed is printed; DATABUS_CRASH_SEED=<n> reuses a run's kill delays.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/child_process.h"
#include "crash/process_state.h"
#include "databus/builtins.h"
#include "databus/database.h"
#include "databus/factories.h"
#include "driver/drive.h"
#include "test_paths.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using cli::ChildProcess;

constexpr char kClient[] = "crash";
constexpr char kPassenger[] = "databus.passenger.demo.demo_passenger_1";
constexpr int kFiles = 300;
constexpr int kInitialFiles = 20;
constexpr int kKills = 50;
constexpr int kFilesPerRound = 5;  // The rest arrives before the last run.

// The failpoints of the primal driver, one per phase of a drive.
const std::vector<std::string> kPhases = {"drive.pull", "drive.seat", "drive.process", "drive.push",
                                          "drive.complete"};

std::string file_name(int i) {
  char name[32];
  std::snprintf(name, sizeof name, "f%04d.txt", i);
  return name;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Regular files of `dir` that are not temporaries of an atomic writer.
std::set<std::string> file_names(const fs::path& dir) {
  std::set<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const fs::directory_entry& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (e.is_regular_file() && name.front() != '.' && name.find(".tmp-") == std::string::npos) {
      names.insert(name);
    }
  }
  return names;
}

class CrashTest : public ::testing::TestWithParam<std::string> {
 protected:
  const std::string& engine() const { return GetParam(); }
  bool json_db() const { return engine() == "json_db"; }

  void SetUp() override {
    std::string pattern = (fs::temp_directory_path() / "databus_crash_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    data_ = root_ / "data";
    inbox_ = root_ / "inbox";
    done_ = root_ / "done";
    outbox_ = root_ / "outbox";
    fs::create_directories(inbox_);
    write_config();
  }
  void TearDown() override {
    if (!HasFailure())
      fs::remove_all(root_);
    else
      std::cout << "crash test data kept in " << root_ << std::endl;
  }

  void write_config() {
    const nlohmann::json config = {
        {"log_life_span", 1},
        {"passengers",
         {{{"name", kPassenger},
           {"pullers",
            {{{"module", "databus.puller.directory"},
              {"path", inbox_.string()},
              {"done_path", done_.string()},
              {"source_system", "CRASH"}}}},
           {"processors",
            {{{"module", "databus.processor.filter_attachments"}, {"extensions", {".txt"}}}}},
           {"pushers", {{{"module", "databus.pusher.directory"}, {"path", outbox_.string()}}}},
           {"queue", "databus.pqueue.primal_queue"},
           {"queue_life_span", 1},
           {"sync_frequency", 1},
           {"sync_interval_seconds", 0},
           // A step a kill interrupted counts an attempt: retried at once and
           // never quarantined, so that every file goes through.
           {"retry", {{"initial_delay_seconds", 0}, {"max_attempts", 0}}}}}},
        {"users", nlohmann::json::array()}};
    // Through the engine: SQLite keeps client configurations in its file.
    const Factories factories = Factories::primal(builtin_registry());
    factories.database(engine(), DatabaseEnv{data_, {}})
        ->write_client_config_text(kClient, config.dump(2));
  }

  // Adds inbox files [next_file_, next_file_ + n), each written under a
  // temporary name and renamed, so the puller never sees half a file.
  void add_files(int n) {
    for (int end = std::min(files_, next_file_ + n); next_file_ < end; ++next_file_) {
      const std::string name = file_name(next_file_);
      const fs::path temporary = inbox_ / ("." + name + ".tmp-writing");
      std::ofstream(temporary, std::ios::binary) << "passenger " << next_file_ << "\n";
      fs::rename(temporary, inbox_ / name);
    }
  }

  // Starts `databus run`; its output is appended to <name>.out and <name>.err.
  // `failpoints`: its DATABUS_FAILPOINTS (none when empty).
  std::unique_ptr<ChildProcess> start_databus(const std::string& name,
                                              const std::string& failpoints = "") {
    // The child inherits the environment; the test runs on one thread here.
    if (failpoints.empty()) {
      unsetenv("DATABUS_FAILPOINTS");
    } else {
      setenv("DATABUS_FAILPOINTS", failpoints.c_str(), 1);
    }
    auto child = std::make_unique<ChildProcess>(
        std::vector<std::string>{DATABUS_CLI_PATH, "run", "--no-web", "--data-dir", data_.string(),
                                 "--database", engine(), "--workers", "1", "--cycle-ms", "50"},
        root_ / (name + ".out"), root_ / (name + ".err"));
    unsetenv("DATABUS_FAILPOINTS");
    return child;
  }

  // Every passenger.json as parsed JSON; a file that does not parse fails
  // the test (when `must_parse`) or is skipped.
  std::vector<nlohmann::json> stored_passengers(bool must_parse) {
    std::vector<nlohmann::json> result;
    const fs::path queue = data_ / "clients" / kClient / "pqueue";
    if (!fs::exists(queue)) return result;
    for (const fs::directory_entry& e : fs::directory_iterator(queue)) {
      // Staging folders ("<id>.tmp-*") are not entries yet: a crash may
      // leave them half written, and the engine ignores them.
      const fs::path file = e.path() / "passenger.json";
      const bool staging = e.path().filename().string().find(".tmp-") != std::string::npos;
      if (staging || !e.is_directory() || !fs::exists(file)) continue;
      try {
        result.push_back(nlohmann::json::parse(read_text(file)));
      } catch (const nlohmann::json::exception& error) {
        if (must_parse) ADD_FAILURE() << file << " does not parse: " << error.what();
      }
    }
    return result;
  }

  // The client's entries through the engine, read while no `databus run`
  // runs (every engine takes its store for one process).
  std::vector<QueueEntry> stored_entries() {
    const Factories factories = Factories::primal(builtin_registry());
    std::unique_ptr<Database> database = factories.database(engine(), DatabaseEnv{data_, {}});
    for (const StorageProblem& problem : database->problems(kClient)) {
      ADD_FAILURE() << "storage problem " << problem.path << ": " << problem.message;
    }
    return database->query_entries(kClient, EntryQuery{});
  }

  static bool complete(const nlohmann::json& passenger) {
    if (!passenger.value("puller_notified", false)) return false;
    for (const char* key : {"processor_statuses", "pusher_statuses"}) {
      for (const nlohmann::json& status : passenger.value(key, nlohmann::json::array())) {
        if (status.value("status", "") != "complete") return false;
      }
    }
    return true;
  }

  // Every file in the done folder has a stored entry (external id
  // "<name>:<size>:<mtime>").
  void expect_every_retired_file_seated(const std::string& when) {
    std::set<std::string> seated;
    auto add = [&](const std::string& id) { seated.insert(id.substr(0, id.find(':'))); };
    if (json_db()) {
      for (const nlohmann::json& p : stored_passengers(true)) add(p.value("external_id", ""));
    } else {
      for (const QueueEntry& e : stored_entries()) add(e.passenger.external_id);
    }
    for (const std::string& name : file_names(done_)) {
      EXPECT_TRUE(seated.contains(name)) << when << ": " << name << " was retired but not seated";
    }
  }

  // The names of the files in the outbox's passenger folders.
  std::set<std::string> delivered_names() {
    std::set<std::string> delivered;
    if (!fs::exists(outbox_)) return delivered;
    for (const fs::directory_entry& folder : fs::directory_iterator(outbox_)) {
      if (!folder.is_directory()) continue;
      for (const std::string& name : file_names(folder.path())) delivered.insert(name);
    }
    return delivered;
  }

  // True when every file went through while `databus run` runs: inbox
  // empty, every file in the done folder and the outbox, and (JSON DB, whose
  // files can be read beside it) one complete entry each. SQLite's entries
  // are checked once it has stopped: a drive finishes on SIGTERM.
  bool everything_done() {
    const std::size_t files = static_cast<std::size_t>(files_);
    if (!file_names(inbox_).empty() || file_names(done_).size() != files) return false;
    if (delivered_names().size() != files) return false;
    if (!json_db()) return true;
    const std::vector<nlohmann::json> passengers = stored_passengers(false);
    if (passengers.size() != files) return false;
    for (const nlohmann::json& p : passengers) {
      if (!complete(p)) return false;
    }
    return true;
  }

  // The last run and the checks after it: see finish_and_check() below.
  void finish_and_check();

  fs::path root_, data_, inbox_, done_, outbox_;
  int files_ = kFiles;  // How many files the test moves.
  int next_file_ = 0;
};

TEST_P(CrashTest, KilledAtRandomInstantsLosesNoPassenger) {
  unsigned seed = std::random_device{}();
  if (const char* text = std::getenv("DATABUS_CRASH_SEED")) seed = std::stoul(text);
  std::cout << "DATABUS_CRASH_SEED=" << seed << std::endl;
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> delay_ms(50, 400);
  std::uniform_int_distribution<int> nth_entry(1, 3);
  std::map<std::string, int> killed_in;  // Phase -> kills made there.

  add_files(kInitialFiles);
  for (int kill = 0; kill < kKills; ++kill) {
    add_files(kFilesPerRound);
    // Five rounds of six kill in the phases in turn, the sixth at random.
    const std::size_t slot = static_cast<std::size_t>(kill) % (kPhases.size() + 1);
    if (slot < kPhases.size()) {
      const std::string& phase = kPhases[slot];
      // Pull, seat and complete are reached once a drive, at the first drive
      // that has work; process and push once an entry.
      const bool per_entry = phase == "drive.process" || phase == "drive.push";
      const int n = per_entry ? nth_entry(random) : 1;
      std::unique_ptr<ChildProcess> databus =
          start_databus("killed", phase + "@" + std::to_string(n));
      // Work of every phase arrives with each round; a phase not reached in
      // time (its N-th time did not come) is killed wherever it is.
      if (testing_support::await_stopped(databus->pid(), std::chrono::seconds(5)))
        ++killed_in[phase];
      databus->signal(SIGKILL);
      const std::optional<int> status = databus->wait_for(std::chrono::seconds(10));
      ASSERT_TRUE(status.has_value()) << "kill " << kill << ": not reaped";
      ASSERT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL)
          << "kill " << kill << " (" << phase << "): databus ended by itself; stderr:\n"
          << read_text(root_ / "killed.err");
      expect_every_retired_file_seated("after kill " + std::to_string(kill) + " in " + phase);
      continue;
    }
    std::unique_ptr<ChildProcess> databus = start_databus("killed");
    // The kill instant is the point of the test, not a synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    databus->signal(SIGKILL);
    const std::optional<int> status = databus->wait_for(std::chrono::seconds(10));
    ASSERT_TRUE(status.has_value()) << "kill " << kill << ": not reaped";
    // It must have died of the kill: an early exit of its own (e.g. the data
    // directory still locked) would make this test meaningless.
    ASSERT_TRUE(WIFSIGNALED(*status) && WTERMSIG(*status) == SIGKILL)
        << "kill " << kill << ": databus ended by itself; stderr:\n"
        << read_text(root_ / "killed.err");
    // Seat before notify: a file the puller moved to the done folder (it
    // was notified) has a stored entry, at every instant.
    expect_every_retired_file_seated("after kill " + std::to_string(kill));
  }
  add_files(kFiles);  // Whatever the rounds did not add.
  {
    // How far the killed runs got, to show the kills hit work in progress.
    const std::vector<QueueEntry> seated = stored_entries();
    const auto complete_count = std::count_if(seated.begin(), seated.end(),
                                              [](const QueueEntry& e) { return e.complete(); });
    std::cout << "after " << kKills << " kills: " << file_names(done_).size() << " files retired, "
              << seated.size() << " entries, " << complete_count << " complete" << std::endl;
  }
  // Every phase of a drive was killed in.
  for (const std::string& phase : kPhases) {
    std::cout << "killed in " << phase << ": " << killed_in[phase] << " time(s)" << std::endl;
    EXPECT_GE(killed_in[phase], 1) << "no kill in " << phase;
  }

  finish_and_check();
}

// The last run: once it has started (it handles SIGTERM from then on) and
// every file went through (bounded), SIGTERM; then every file must be in the
// done folder and the outbox, with one complete entry each.
void CrashTest::finish_and_check() {
  const int deadline_seconds = 60 + files_ / 50;
  std::unique_ptr<ChildProcess> databus = start_databus("final");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(deadline_seconds);
  const auto started = [&] {
    return read_text(root_ / "final.out").find("running") != std::string::npos;
  };
  bool done = false;
  while (!(started() && (done = everything_done())) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(started()) << "databus did not start; stderr:\n" << read_text(root_ / "final.err");
  databus->signal(SIGTERM);
  const std::optional<int> status = databus->wait_for(std::chrono::seconds(60));
  ASSERT_TRUE(status.has_value()) << "databus did not stop within 60 s of SIGTERM";
  EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0) << "stderr:\n"
                                                               << read_text(root_ / "final.err");
  EXPECT_TRUE(done) << "not every file went through within 60 s";

  // Every passenger.json parses.
  if (json_db()) {
    const std::vector<nlohmann::json> raw = stored_passengers(true);
    EXPECT_EQ(raw.size(), static_cast<std::size_t>(files_));
  }

  // Through the engine: no problems, one complete entry per file.
  std::map<std::string, int> entries_per_file;
  for (const QueueEntry& entry : stored_entries()) {
    EXPECT_TRUE(entry.complete()) << entry.passenger.describe();
    ASSERT_EQ(entry.passenger.attachments.size(), 1u) << entry.passenger.describe();
    const std::string& name = entry.passenger.attachments[0].name;
    EXPECT_EQ(entry.passenger.external_id.rfind(name + ":", 0), 0u) << entry.passenger.describe();
    ++entries_per_file[name];
  }
  EXPECT_EQ(entries_per_file.size(), static_cast<std::size_t>(files_));

  // Every file whose puller was notified (it is in the done folder) has
  // exactly one entry: seated before notify, never seated twice.
  const std::set<std::string> retired = file_names(done_);
  EXPECT_EQ(retired.size(), static_cast<std::size_t>(files_));
  for (const std::string& name : retired) {
    EXPECT_EQ(entries_per_file[name], 1) << name << " in the done folder";
  }

  // No passenger lost: every inbox file reached the outbox, whole, and no
  // half-written delivery is left behind.
  EXPECT_TRUE(file_names(inbox_).empty());
  std::set<std::string> delivered;
  for (const fs::directory_entry& folder : fs::directory_iterator(outbox_)) {
    const std::string folder_name = folder.path().filename().string();
    EXPECT_EQ(folder_name.find(".tmp-"), std::string::npos) << "leftover " << folder_name;
    if (!folder.is_directory()) continue;
    for (const std::string& name : file_names(folder.path())) {
      delivered.insert(name);
      const int number = std::stoi(name.substr(1, 4));
      EXPECT_EQ(read_text(folder.path() / name), "passenger " + std::to_string(number) + "\n");
    }
  }
  for (int i = 0; i < files_; ++i) {
    EXPECT_TRUE(delivered.contains(file_name(i))) << file_name(i) << " never reached the outbox";
  }
}

// A drive of several batches (docs/architecture.md "Streaming drives")
// killed in its middle: the first batch went through, the second is seated
// and its puller not yet notified. Every file the puller was told about is
// seated, and the next run completes every file, once each.
TEST_P(CrashTest, KilledInTheMiddleOfAStreamingDriveLosesNothing) {
  files_ = 2 * static_cast<int>(Drive::kBatch) + 300;
  add_files(files_);
  std::unique_ptr<ChildProcess> databus = start_databus("killed", "drive.seat@2");
  ASSERT_TRUE(testing_support::await_stopped(databus->pid(), std::chrono::seconds(120)))
      << "the second batch was never seated; stderr:\n"
      << read_text(root_ / "killed.err");
  databus->signal(SIGKILL);
  ASSERT_TRUE(databus->wait_for(std::chrono::seconds(10)).has_value());
  EXPECT_EQ(file_names(done_).size(), Drive::kBatch);
  EXPECT_EQ(stored_entries().size(), 2 * Drive::kBatch);
  expect_every_retired_file_seated("after the kill in the second batch");

  finish_and_check();
}

INSTANTIATE_TEST_SUITE_P(Engines, CrashTest, ::testing::Values("json_db", "sqlite"),
                         [](const ::testing::TestParamInfo<std::string>& info) {
                           return info.param;
                         });

}  // namespace
}  // namespace databus
