// The cluster's shared schedule (docs/cluster.md): expedite and saved
// configurations reach every node, and three nodes share one schedule.
#include <gtest/gtest.h>

#include "cluster_fixture.h"

namespace databus::cluster_testing {
namespace {

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
}  // namespace databus::cluster_testing
