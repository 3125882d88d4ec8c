// The cluster of the whole program (docs/cluster.md) against a real
// PostgreSQL server (the ctest fixture databus_postgresql): several
// `databus run` processes on one schema, killed (SIGKILL), frozen (SIGSTOP)
// and restarted, with a witness of every drive (DATABUS_DRIVE_PROBE,
// src/dispatcher/drive_probe.h) and an exec pusher that records every push
// with the pid of the node that made it.
//
// The seed of the kill test is printed; DATABUS_CLUSTER_SEED=<n> repeats a
// run's choices of node and instant.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>

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
#include "databus/database.h"
#include "databus/uuid.h"
#include "storage/postgresql/pg_database.h"
#include "storage/postgresql/pg_test_server.h"
#include "test_paths.h"

namespace databus {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using cli::ChildProcess;
using Steady = std::chrono::steady_clock;

const std::vector<std::string> kPassengers = {"databus.passenger.generic.alpha",
                                              "databus.passenger.generic.beta"};

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> lines_of(const fs::path& path) {
  std::vector<std::string> lines;
  std::istringstream in(read_text(path));
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) lines.push_back(line);
  }
  return lines;
}

std::vector<std::string> words_of(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> words;
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

// The pid in a node id "<host>-<pid>-<random>".
long pid_of_node(const std::string& node) {
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

// 3 nodes, 3 clients x 2 passenger types, 600 files, 20 SIGKILLs of a random
// node at random instants, each node restarted after 1 s.
TEST_F(ClusterTest, KillingNodesLosesNothingSeatsOnceAndNeverOverlaps) {
  constexpr int kNodes = 3;
  constexpr int kFilesPer = 100;
  constexpr int kKills = 20;
  constexpr int kLeaseSeconds = 2;
  const std::vector<std::string> clients = {"c1", "c2", "c3"};
  for (const std::string& c : clients) add_client(c, kFilesPer, 1, "0.02");

  unsigned seed = std::random_device{}();
  if (const char* text = std::getenv("DATABUS_CLUSTER_SEED")) seed = std::stoul(text);
  std::cout << "DATABUS_CLUSTER_SEED=" << seed << std::endl;
  std::mt19937 random(seed);
  std::uniform_int_distribution<int> which(0, kNodes - 1);
  std::uniform_int_distribution<int> delay_ms(200, 2500);

  for (int n = 0; n < kNodes; ++n) start_node(n, kLeaseSeconds);
  std::set<long> killed_pids;
  int takeovers_checked = 0;
  for (int kill = 0; kill < kKills; ++kill) {
    // The instant is the point of the test, not a synchronisation.
    std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms(random)));
    const int victim = which(random);
    const long pid = nodes_[victim]->pid();
    // What the victim holds at the kill, by the database.
    std::map<std::pair<std::string, std::string>, std::int64_t> held;
    for (const auto& [key, lease] : leases()) {
      if (!lease.first.empty() && pid_of_node(lease.first) == pid) held[key] = lease.second;
    }
    const auto killed_at = Steady::now();
    kill_node(victim);
    killed_pids.insert(pid);
    std::this_thread::sleep_for(1s);
    start_node(victim, kLeaseSeconds);
    // Each of its passengers is claimed again (a greater token) within two
    // lease periods of the kill.
    for (const auto& [key, token] : held) {
      bool taken = false;
      while (!taken && Steady::now() < killed_at + 2 * std::chrono::seconds(kLeaseSeconds)) {
        const auto now = leases();
        taken = now.count(key) > 0 && now.at(key).second > token;
        if (!taken) std::this_thread::sleep_for(50ms);  // Polls the database.
      }
      EXPECT_TRUE(taken) << "kill " << kill << ": " << key.first << "/" << key.second << " (token "
                         << token << ") not taken over within 2 lease periods";
      ++takeovers_checked;
    }
  }
  std::cout << kKills << " kills; " << takeovers_checked << " held leases taken over" << std::endl;
  ASSERT_TRUE(await_complete(clients, kFilesPer, 120s)) << "the files did not all go through";
  for (auto& [n, node] : nodes_) node->signal(SIGTERM);
  for (auto& [n, node] : nodes_) EXPECT_TRUE(node->wait_for(60s).has_value());
  nodes_.clear();

  // Every file seated exactly once.
  std::map<std::string, std::string> id_to_key;  // internal id -> client/passenger/file
  for (const std::string& c : clients) {
    for (const std::string& p : kPassengers) {
      const std::vector<QueueEntry> e = entries(c, p);
      std::set<std::string> files;
      for (const QueueEntry& q : e) {
        files.insert(q.passenger.external_id.substr(0, q.passenger.external_id.find(':')));
        id_to_key[q.passenger.internal_id] = c + "/" + p + "/" + q.passenger.external_id;
      }
      EXPECT_EQ(e.size(), static_cast<std::size_t>(kFilesPer)) << c << "/" << p;
      EXPECT_EQ(files.size(), static_cast<std::size_t>(kFilesPer)) << c << "/" << p;
    }
  }
  // Every entry pushed at least once; a push repeated only after a push by
  // a node that was killed.
  std::map<std::string, std::vector<long>> pushed_by;
  for (const Push& push : pushes()) pushed_by[push.internal_id].push_back(push.pid);
  int repeated = 0;
  for (const auto& [id, key] : id_to_key) {
    const auto it = pushed_by.find(id);
    ASSERT_NE(it, pushed_by.end()) << key << " was never pushed";
    const std::vector<long>& pids = it->second;
    for (std::size_t i = 0; i + 1 < pids.size(); ++i) {
      ++repeated;
      EXPECT_TRUE(killed_pids.count(pids[i]) > 0)
          << key << " pushed again after a push by node pid " << pids[i] << ", never killed";
    }
  }
  std::cout << repeated << " repeated pushes (each after a killed drive)" << std::endl;
  // No two drives of a client passenger overlapped; tokens only grow.
  for (const std::string& c : clients) {
    for (const std::string& p : kPassengers) {
      std::int64_t last = 0;
      int begins = 0;
      for (const std::vector<std::string>& line : probe_lines(c, p)) {
        ASSERT_EQ(line.size(), 3u);
        EXPECT_NE(line[0], "overlap") << c << "/" << p << ": token " << line[1];
        if (line[0] != "begin") continue;
        ++begins;
        const std::int64_t token = std::stoll(line[1]);
        EXPECT_GT(token, last) << c << "/" << p;
        last = token;
      }
      EXPECT_GT(begins, 0) << c << "/" << p;
    }
  }
}

// A lease holder frozen past its lease (SIGSTOP) and resumed: another node
// takes over meanwhile, and the old holder commits nothing after it lost
// the lease; its drive says so in its log.
TEST_F(ClusterTest, AFrozenHolderCommitsNothingAfterLosingItsLease) {
  constexpr int kLeaseSeconds = 2;
  constexpr int kFiles = 40;
  // One passenger type, driven at start and then not for an hour, unless
  // its holder's lease expires: every push after the takeover is the new
  // holder's, or one the frozen node was making when it froze. 0.3 s a
  // push: the drive lasts.
  const std::string passenger = kPassengers[0];
  add_client("c1", kFiles, 3600, "0.3", {passenger});
  const std::pair<std::string, std::string> key{"c1", passenger};
  start_node(0, kLeaseSeconds);
  // Node 0 alone drives until it is pushing c1's first passenger type.
  const auto until = Steady::now() + 30s;
  while (Steady::now() < until && pushes().size() < 3) std::this_thread::sleep_for(50ms);
  ASSERT_GE(pushes().size(), 3u) << "node 0 never pushed";
  const long frozen_pid = nodes_[0]->pid();
  auto now = leases();
  ASSERT_EQ(pid_of_node(now[key].first), frozen_pid) << "node 0 does not hold " << passenger;
  const std::int64_t frozen_token = now[key].second;
  nodes_[0]->signal(SIGSTOP);
  start_node(1, kLeaseSeconds);
  // Node 1 takes the lease over once it expired.
  const auto takeover_until = Steady::now() + 4 * std::chrono::seconds(kLeaseSeconds);
  bool taken = false;
  while (!taken && Steady::now() < takeover_until) {
    now = leases();
    taken = now[key].second > frozen_token;
    if (!taken) std::this_thread::sleep_for(50ms);
  }
  ASSERT_TRUE(taken) << "no takeover of the frozen node's lease";
  const std::size_t pushes_before_resume = pushes().size();
  nodes_[0]->signal(SIGCONT);
  ASSERT_TRUE(await_complete({"c1"}, kFiles, 120s, {passenger}));
  for (auto& [n, node] : nodes_) node->signal(SIGTERM);
  for (auto& [n, node] : nodes_) EXPECT_TRUE(node->wait_for(60s).has_value());
  nodes_.clear();

  // After it woke, the frozen node pushed at most the push it was in (its
  // deadline had passed: no new step).
  int late_pushes = 0;
  const std::vector<Push> all = pushes();
  for (std::size_t i = pushes_before_resume; i < all.size(); ++i) {
    if (all[i].pid == frozen_pid) ++late_pushes;
  }
  EXPECT_LE(late_pushes, 1) << "the frozen node went on pushing after it lost its lease";
  // Its drive's log says the lease was lost.
  bool told = false;
  for (const LogSummary& summary : database_->list_logs("c1")) {
    const std::optional<Log> log = database_->read_log("c1", summary.guid);
    if (log && log->to_text().find("lost its lease") != std::string::npos) told = true;
  }
  EXPECT_TRUE(told) << "no drive log says the lease was lost";
  // Each entry seated once, and every one complete.
  const std::vector<QueueEntry> stored = entries("c1", passenger);
  EXPECT_EQ(stored.size(), static_cast<std::size_t>(kFiles));
}

// Expedite from any node: some node drives the passenger within 2 s. A
// configuration saved through any node is used by the next drive on every
// node: here the pusher's record file changes, and the next drive's pushes
// land in the new one.
TEST_F(ClusterTest, ExpediteAndSavedConfigurationsReachEveryNode) {
  const std::string passenger = kPassengers[0];
  add_client("c1", 3, 3600, "", {passenger});  // Driven at start, then not for an hour.
  for (int n = 0; n < 2; ++n) start_node(n, 15);
  ASSERT_TRUE(await_complete({"c1"}, 3, 60s, {passenger}));
  auto begins = [&] {
    int n = 0;
    for (const auto& line : probe_lines("c1", passenger))
      n += line.size() == 3 && line[0] == "begin";
    return n;
  };
  // Wait until the first drive has ended (its lease released).
  const auto settle = Steady::now() + 30s;
  while (Steady::now() < settle && !leases()[{"c1", passenger}].first.empty())
    std::this_thread::sleep_for(50ms);
  const int before = begins();
  ASSERT_GE(before, 1);

  // A new configuration, saved as any node saves it (into the database):
  // the pusher records into another file; two new files wait in the inbox.
  const fs::path moved = root_ / "pushes-after-save.txt";
  nlohmann::json config = nlohmann::json::parse(database_->read_client_config_text("c1"));
  config["passengers"][0]["pushers"][0]["command"] = {record_.string(), moved.string()};
  database_->write_client_config_text("c1", config.dump(2));
  const fs::path inbox = root_ / "c1" / passenger / "inbox";
  for (int i = 10; i < 12; ++i) std::ofstream(inbox / ("g" + std::to_string(i) + ".txt")) << i;

  const auto expedited_at = Steady::now();
  database_->coordination()->expedite("c1", passenger);
  while (begins() == before && Steady::now() < expedited_at + 10s)
    std::this_thread::sleep_for(20ms);  // Polls the probe.
  const auto waited = Steady::now() - expedited_at;
  EXPECT_GT(begins(), before) << "the expedited passenger was not driven";
  EXPECT_LT(waited, 2s) << "driven "
                        << std::chrono::duration_cast<std::chrono::milliseconds>(waited).count()
                        << " ms after expedite";
  ASSERT_TRUE(await_complete({"c1"}, 5, 60s, {passenger}));
  EXPECT_EQ(lines_of(moved).size(), 2u) << "the next drive did not use the saved configuration";
}

// 3 nodes, one passenger type on a 10-second schedule, 60 s: the schedule is
// shared, so about 6 drives in total, not 18.
TEST_F(ClusterTest, ThreeNodesShareOneSchedule) {
  nlohmann::json config = {{"log_life_span", 1},
                           {"passengers",
                            {{{"name", kPassengers[0]},
                              {"sync_interval_seconds", 10},
                              {"pullers", nlohmann::json::array()}}}},
                           {"users", nlohmann::json::array()}};
  database_->write_client_config_text("c1", config.dump(2));
  for (int n = 0; n < 3; ++n) start_node(n, 15);
  std::this_thread::sleep_for(60s);  // The length of the measurement.
  for (auto& [n, node] : nodes_) node->signal(SIGTERM);
  for (auto& [n, node] : nodes_) EXPECT_TRUE(node->wait_for(60s).has_value());
  nodes_.clear();
  int begins = 0;
  std::set<std::string> drivers;
  for (const std::vector<std::string>& line : probe_lines("c1", kPassengers[0])) {
    if (line.size() == 3 && line[0] == "begin") {
      ++begins;
      drivers.insert(line[2]);
    }
  }
  std::cout << begins << " drives by " << drivers.size() << " node(s) in 60 s" << std::endl;
  EXPECT_GE(begins, 5);
  EXPECT_LE(begins, 7);
}

}  // namespace
}  // namespace databus
