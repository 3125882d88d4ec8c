// The fixture of the cluster tests (docs/cluster.md): several `databus run`
// processes on one PostgreSQL schema (the ctest fixture databus_postgresql),
// killed (SIGKILL), frozen (SIGSTOP) and restarted, with a witness of every
// drive (DATABUS_DRIVE_PROBE, src/dispatcher/drive_probe.h) and an exec
// pusher that records every push with the pid of the node that made it.
#pragma once

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
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <nlohmann/json.hpp>

#include "cli/child_process.h"
#include "databus/database.h"
#include "databus/uuid.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_test_server.h"
#include "test_paths.h"

namespace databus::cluster_testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cli::ChildProcess;
using Steady = std::chrono::steady_clock;

inline const std::vector<std::string> kPassengers = {"databus.passenger.generic.alpha",
                                                     "databus.passenger.generic.beta"};

inline std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

inline std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

inline std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The pid in a node id "<host>-<pid>-<random>".
inline long pid_of_node(const std::string& node) {
  const std::size_t last = node.rfind('-');
  if (last == std::string::npos || last == 0) return -1;
  const std::size_t before = node.rfind('-', last - 1);
  const std::size_t from = before == std::string::npos ? 0 : before + 1;
  return std::atol(node.substr(from, last - from).c_str());
}

class ClusterTest : public testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = testing_support::pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    conninfo_ = *conninfo;
    schema_ = "cluster_" + new_uuid().substr(24);
    std::string pattern = (fs::temp_directory_path() / "databus_cluster_test_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    root_ = pattern;
    probe_ = root_ / "probe";
    fs::create_directories(probe_);
    pushes_ = root_ / "pushes.txt";
    record_ = root_ / "record.sh";
    // The exec pusher's command: appends "<internal id> <external id> <pid
    // of the node>" (one write: lines of several processes never mix),
    // after an optional pause per push.
    std::ofstream(record_) << "#!/bin/sh\n"
                              "body=$(cat)\n"
                              "id=$(printf '%s' \"$body\" | sed -n "
                              "'s/.*\"internal_id\": *\"\\([^\"]*\\)\".*/\\1/p' | head -n 1)\n"
                              "ext=$(printf '%s' \"$body\" | sed -n "
                              "'s/.*\"external_id\": *\"\\([^\"]*\\)\".*/\\1/p' | head -n 1)\n"
                              "[ -n \"$2\" ] && sleep \"$2\"\n"
                              "printf '%s %s %s\\n' \"$id\" \"$ext\" \"$PPID\" >> \"$1\"\n";
    fs::permissions(record_, fs::perms::owner_all);
    database_ = open_postgresql_database({"", arguments()});
  }

  void TearDown() override {
    nodes_.clear();  // SIGKILL and reap.
    if (root_.empty()) return;
    if (!HasFailure()) {
      fs::remove_all(root_);
    } else {
      std::cout << "cluster test data kept in " << root_ << std::endl;
    }
  }

  DatabaseArguments arguments() const {
    return testing_support::pg_test_arguments(conninfo_, schema_);
  }

  // A client with the two passenger types, each pulling `files` files from
  // a folder of its own and pushing them to the recording command.
  void add_client(const std::string& client, int files, int interval_seconds,
                  const std::string& push_pause = "",
                  const std::vector<std::string>& types = kPassengers) {
    nlohmann::json passengers = nlohmann::json::array();
    for (const std::string& passenger : types) {
      const fs::path inbox = root_ / client / passenger / "inbox";
      const fs::path done = root_ / client / passenger / "done";
      fs::create_directories(inbox);
      for (int i = 0; i < files; ++i) {
        std::ofstream(inbox / ("f" + std::to_string(i) + ".txt")) << client << " " << i << "\n";
      }
      nlohmann::json command = {record_.string(), pushes_.string()};
      if (!push_pause.empty()) command.push_back(push_pause);
      passengers.push_back(
          {{"name", passenger},
           {"pullers",
            {{{"module", "databus.puller.directory"},
              {"path", inbox.string()},
              {"done_path", done.string()},
              {"source_system", "FILES"}}}},
           {"pushers", {{{"module", "databus.pusher.exec"}, {"command", command}}}},
           {"sync_interval_seconds", interval_seconds}});
    }
    const nlohmann::json config = {
        {"log_life_span", 1},
        {"passengers", passengers},
        {"users", nlohmann::json::array()},
        {"host_access", {{"commands", {record_.string()}}, {"directories", {root_.string()}}}}};
    database_->write_client_config_text(client, config.dump(2));
  }

  // Starts node `n` (a fresh process; a node of that number killed before
  // is replaced).
  void start_node(int n, int lease_seconds) {
    const fs::path dir = root_ / ("node" + std::to_string(n));
    fs::create_directories(dir);
    std::vector<std::string> argv = {DATABUS_CLI_PATH,
                                     "run",
                                     "--no-web",
                                     "--data-dir",
                                     dir.string(),
                                     "--database",
                                     "postgresql",
                                     "--workers",
                                     "2",
                                     "--cycle-ms",
                                     "200",
                                     "--lease-seconds",
                                     std::to_string(lease_seconds)};
    for (const auto& [key, value] : arguments()) {
      argv.push_back("--database-arg");
      argv.push_back(key + "=" + value);
    }
    setenv("DATABUS_DRIVE_PROBE", probe_.string().c_str(), 1);
    nodes_[n] = std::make_unique<ChildProcess>(argv, dir / "out.txt", dir / "err.txt");
    unsetenv("DATABUS_DRIVE_PROBE");
  }

  // Kills node `n` and reaps it; returns its pid.
  pid_t kill_node(int n) {
    const pid_t pid = nodes_[n]->pid();
    nodes_[n]->signal(SIGKILL);
    EXPECT_TRUE(nodes_[n]->wait_for(10s).has_value()) << "node " << n << " not reaped";
    nodes_.erase(n);
    return pid;
  }

  struct Push {
    std::string internal_id;
    std::string external_id;
    long pid = 0;
  };
  std::vector<Push> pushes() const {
    std::vector<Push> out;
    for (const std::string& line : lines_of(pushes_)) {
      const std::vector<std::string> w = words_of(line);
      if (w.size() == 3) out.push_back({w[0], w[1], std::atol(w[2].c_str())});
    }
    return out;
  }

  // The entries of a client passenger as stored.
  std::vector<QueueEntry> entries(const std::string& client, const std::string& passenger) {
    EntryQuery query;
    query.passenger_module = passenger;
    query.with_attachments = false;
    return database_->query_entries(client, query);
  }

  // Lease rows: (client, passenger) -> (holder, token).
  std::map<std::pair<std::string, std::string>, std::pair<std::string, std::int64_t>> leases() {
    std::map<std::pair<std::string, std::string>, std::pair<std::string, std::int64_t>> out;
    for (const LeaseInfo& l : database_->coordination()->leases()) {
      out[{l.client_id, l.passenger}] = {l.holder, l.token};
    }
    return out;
  }

  // Probe lines of a client passenger: {word, token, node}.
  std::vector<std::vector<std::string>> probe_lines(const std::string& client,
                                                    const std::string& passenger) const {
    std::vector<std::vector<std::string>> out;
    for (const std::string& line : lines_of(probe_ / (client + "." + passenger + ".log"))) {
      out.push_back(words_of(line));
    }
    return out;
  }

  // Waits until every client passenger of `clients` has `files` complete
  // entries, at most `patience`.
  bool await_complete(const std::vector<std::string>& clients, int files,
                      std::chrono::seconds patience,
                      const std::vector<std::string>& types = kPassengers) {
    const auto until = Steady::now() + patience;
    while (Steady::now() < until) {
      bool all = true;
      for (const std::string& c : clients) {
        for (const std::string& p : types) {
          const std::vector<QueueEntry> e = entries(c, p);
          const auto complete =
              std::count_if(e.begin(), e.end(), [](const QueueEntry& q) { return q.complete(); });
          all = all && complete >= files;
        }
      }
      if (all) return true;
      std::this_thread::sleep_for(250ms);  // Polls the database.
    }
    return false;
  }

  std::string conninfo_, schema_;
  fs::path root_, probe_, pushes_, record_;
  std::unique_ptr<Database> database_;
  std::map<int, std::unique_ptr<ChildProcess>> nodes_;
};

}  // namespace databus::cluster_testing
