// The cluster under failure (docs/cluster.md): nodes killed with SIGKILL at
// random instants lose, repeat and overlap nothing; a frozen lease holder
// commits nothing after losing its lease.
//
// The seed of the kill test is printed; DATABUS_CLUSTER_SEED=<n> repeats a
// run's choices of node and instant.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "cluster_fixture.h"

namespace databus::cluster_testing {
namespace {

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

}  // namespace
}  // namespace databus::cluster_testing
