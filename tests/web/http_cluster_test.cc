// Two nodes of one cluster in one process: two dispatchers on one PostgreSQL
// schema, each with its own web server. GET /api/v1/cluster and the System
// page show both nodes on either; pause, resume and shutdown act on every
// node or on the one named (docs/cluster.md, docs/api.md "System").
//
// Needs the ctest fixture `databus_postgresql` (pg_test_server.h); skipped
// when run outside ctest.

#include <chrono>
#include <functional>
#include <thread>

#include <unistd.h>

#include <gmock/gmock.h>

#include "databus/uuid.h"
#include "storage/postgresql/pg_test_server.h"
#include "web/html.h"
#include "web/web_test_support.h"

namespace databus::web::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using json = nlohmann::json;

// True once `done` holds, polling for at most `limit`.
bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit = 3s) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > until) return false;
    std::this_thread::sleep_for(20ms);
  }
  return true;
}

struct Node {
  std::unique_ptr<Dispatcher> dispatcher;
  std::unique_ptr<WebServer> web;
  std::string id;
  Browser root() {
    Browser b(web->port());
    EXPECT_EQ(b.login("root", "root", "root"), 200);
    return b;
  }
  DispatcherState state() const { return dispatcher->status().state; }
};

class ClusterWebTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::optional<std::string> conninfo = testing_support::pg_test_conninfo();
    if (!conninfo) GTEST_SKIP() << "no PostgreSQL test server (run through ctest)";
    std::string pattern =
        (std::filesystem::temp_directory_path() / "databus_web_cluster_XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    // The random end of a UUID (its start is the time, shared by tests run
    // within a minute).
    arguments_ =
        testing_support::pg_test_arguments(*conninfo, "web_cluster_" + new_uuid().substr(24));
    start_node(a_, "a");
    start_node(b_, "b");
    // Both have reported once they list each other.
    ASSERT_TRUE(eventually([&] { return a_.dispatcher->cluster_status().nodes.size() == 2; }));
  }

  void TearDown() override {
    for (Node* n : {&a_, &b_}) n->web.reset();
    for (Node* n : {&a_, &b_}) n->dispatcher.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void start_node(Node& node, const std::string& name) {
    DispatcherTicket ticket;
    ticket.data_dir = dir_ / name;
    ticket.database_module = "postgresql";
    ticket.database_arguments = arguments_;
    ticket.run_web_server = false;
    ticket.workers = 2;
    ticket.cycle = 100ms;
    ticket.lease_period = 2s;
    node.dispatcher = std::make_unique<Dispatcher>(std::move(ticket));
    WebOptions options;
    options.allow_default_passwords = true;  // The tests log in as root/root, demo/demo.
    options.port = 0;
    options.throttle.slow_after = 1000;
    options.throttle.lock_after = 1000;
    node.web = std::make_unique<WebServer>(*node.dispatcher, options);
    node.web->start();
    node.dispatcher->start();
    node.id = node.dispatcher->cluster_status().node_id;
    ASSERT_FALSE(node.id.empty());
  }

  std::filesystem::path dir_;
  DatabaseArguments arguments_;
  Node a_, b_;
};

json cluster_of(Browser& b) {
  auto res = b.get("/api/v1/cluster");
  if (!res || res->status != 200) {
    ADD_FAILURE() << "GET /api/v1/cluster: " << (res ? res->body : "no answer");
    return json::object();
  }
  return json::parse(res->body);
}

// The node `id` of a GET /api/v1/cluster answer, or null.
json node_in(const json& cluster, const std::string& id) {
  for (const json& n : cluster.value("nodes", json::array())) {
    if (n["id"] == id) return n;
  }
  return json();
}

TEST_F(ClusterWebTest, EitherNodeListsBothNodes) {
  ASSERT_NE(a_.id, b_.id);
  for (Node* self : {&a_, &b_}) {
    Browser root = self->root();
    const json c = cluster_of(root);
    EXPECT_EQ(c["enabled"], true);
    EXPECT_EQ(c["node_id"], self->id);
    EXPECT_EQ(c["lease_period_seconds"], 2.0);
    ASSERT_EQ(c["nodes"].size(), 2u) << c.dump(2);
    for (Node* listed : {&a_, &b_}) {
      const json n = node_in(c, listed->id);
      ASSERT_FALSE(n.is_null()) << listed->id << " missing in " << c.dump(2);
      EXPECT_EQ(n["this_node"], listed == self);
      EXPECT_EQ(n["pid"], static_cast<std::int64_t>(getpid()));
      EXPECT_EQ(n["paused"], false);
      // ISO 8601 UTC as everywhere in the API, from the database's clock
      // (the same machine's here).
      const TimePoint beat = parse_iso(n["last_heartbeat"].get<std::string>());
      EXPECT_LT(std::chrono::abs(Clock::now() - beat), 30s) << n.dump();
      EXPECT_LE(parse_iso(n["started"].get<std::string>()), beat) << n.dump();
    }
  }
  // The demo client's passengers are scheduled in the shared table.
  Browser root = a_.root();
  ASSERT_TRUE(eventually([&] { return !cluster_of(root)["leases"].empty(); }));
  const json lease = cluster_of(root)["leases"][0];
  for (const char* key : {"client_id", "passenger", "holder", "token", "expires", "next_due",
                          "interval_seconds", "last_start", "last_end"}) {
    EXPECT_TRUE(lease.contains(key)) << key;
  }
}

TEST_F(ClusterWebTest, TheSystemPageShowsTheNodesAndLeases) {
  Browser root = a_.root();
  auto page = root.get("/system");
  ASSERT_TRUE(page);
  ASSERT_EQ(page->status, 200);
  EXPECT_THAT(page->body, HasSubstr("id=\"cluster-nodes\""));
  EXPECT_THAT(page->body, HasSubstr("id=\"cluster-leases\""));
  EXPECT_THAT(page->body, HasSubstr("lease period 2 s"));
  EXPECT_THAT(page->body, HasSubstr(escape_html(a_.id) + " <span class=\"muted\">(this node)"));
  // Per-node buttons carry the node's id.
  EXPECT_THAT(page->body, HasSubstr("name=\"node\" value=\"" + escape_html(b_.id) + "\""));
}

TEST_F(ClusterWebTest, PauseWithoutANodePausesEveryNodeAndResumeResumesThem) {
  Browser root = a_.root();
  auto paused = root.post("/api/v1/system/pause");
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->status, 200) << paused->body;
  EXPECT_EQ(json::parse(paused->body)["state"], "paused");
  EXPECT_EQ(a_.state(), DispatcherState::paused);
  EXPECT_TRUE(eventually([&] { return b_.state() == DispatcherState::paused; }))
      << to_string(b_.state());

  auto resumed = root.post("/api/v1/system/resume");
  ASSERT_TRUE(resumed);
  ASSERT_EQ(resumed->status, 200) << resumed->body;
  EXPECT_EQ(a_.state(), DispatcherState::running);
  EXPECT_TRUE(eventually([&] { return b_.state() == DispatcherState::running; }))
      << to_string(b_.state());
}

TEST_F(ClusterWebTest, PauseWithANodePausesThatNodeOnly) {
  Browser root = a_.root();
  auto paused = root.post("/api/v1/system/pause", json{{"node", b_.id}});
  ASSERT_TRUE(paused);
  ASSERT_EQ(paused->status, 200) << paused->body;
  EXPECT_EQ(json::parse(paused->body)["node"], b_.id);
  EXPECT_TRUE(eventually([&] { return b_.state() == DispatcherState::paused; }))
      << to_string(b_.state());
  // B reports itself paused at its next heartbeat; A never was.
  EXPECT_TRUE(eventually([&] { return node_in(cluster_of(root), b_.id)["paused"] == true; }));
  EXPECT_EQ(a_.state(), DispatcherState::running);
  EXPECT_EQ(node_in(cluster_of(root), a_.id)["paused"], false);

  // The page form's per-node Resume, sent to node B itself this time.
  Browser on_b = b_.root();
  auto page = on_b.get("/system");
  ASSERT_TRUE(page);
  auto resumed = on_b.post_form("/system/resume",
                                {{"csrf", hidden_field(page->body, "csrf")}, {"node", b_.id}});
  ASSERT_TRUE(resumed);
  EXPECT_EQ(resumed->status, 303);
  EXPECT_EQ(b_.state(), DispatcherState::running);
}

TEST_F(ClusterWebTest, AnUnknownNodeIs404AndChangesNothing) {
  Browser root = a_.root();
  auto res = root.post("/api/v1/system/pause?node=nowhere-1-abc");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 404);
  EXPECT_THAT(json::parse(res->body)["error"].get<std::string>(),
              HasSubstr("no cluster node 'nowhere-1-abc'"));
  std::this_thread::sleep_for(300ms);  // Three cycles of B.
  EXPECT_EQ(a_.state(), DispatcherState::running);
  EXPECT_EQ(b_.state(), DispatcherState::running);
}

TEST_F(ClusterWebTest, ShutdownWithANodeStopsThatNodeOnly) {
  Browser root = a_.root();
  auto res = root.post("/api/v1/system/shutdown", json{{"node", b_.id}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  // B follows at its next heartbeat (its drives may still be finishing).
  EXPECT_TRUE(eventually([&] {
    const DispatcherState s = b_.state();
    return s == DispatcherState::shutting_down || s == DispatcherState::stopped;
  })) << to_string(b_.state());
  EXPECT_EQ(a_.state(), DispatcherState::running);
}

// A bulk retry sent to one node holds the client passenger's lease (the
// other node's drives wait for it) and makes the quarantined step run again.
TEST_F(ClusterWebTest, ABulkRetryThroughEitherNodeMakesTheQuarantinedStepRunAgain) {
  const std::string pusher = "databus.pusher.demo.demo_pusher_1";
  Passenger p;
  p.external_id = "RETRY-1";
  p.internal_id = new_uuid();
  p.source_system = "test";
  p.passenger_module = kPassenger1;
  p.puller_module = "databus.puller.demo.demo_puller_1";
  p.pull_datetime = Clock::now();
  p.add_attachment("a.txt", AttachmentFormat::text, "retried");
  QueueEntry e = QueueEntry::seat(p, {"databus.processor.demo.demo_processor_1"}, {pusher});
  e.processor_statuses[0].status = StepStatus::complete;
  e.pusher(pusher)->attempts = 20;
  e.pusher(pusher)->last_error = "HTTP 503 Service Unavailable";
  e.pusher(pusher)->quarantined = true;
  e.puller_notified = true;
  Database& db = a_.dispatcher->database();
  db.insert_entries("demo", std::span<const QueueEntry>(&e, 1));
  std::this_thread::sleep_for(300ms);  // Drives of both nodes pass it by.
  EXPECT_TRUE(db.load_entry("demo", p.internal_id)->pusher(pusher)->quarantined);

  Browser root = b_.root();
  auto res =
      root.post("/api/v1/clients/demo/queue/retry-quarantined",
                json{{"passenger", kPassenger1}, {"module", pusher}, {"error_contains", "503"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200) << res->body;
  EXPECT_EQ(json::parse(res->body)["retried_entries"], 1);
  // Run again by whichever node drives it next: complete, or failed anew.
  EXPECT_TRUE(eventually([&] {
    const StepState s = *db.load_entry("demo", p.internal_id)->pusher(pusher);
    return !s.quarantined && (s.status == StepStatus::complete || s.attempts > 0);
  }));
  const std::string guid = json::parse(res->body)["log_guid"];
  const std::optional<Log> log = db.read_log("demo", guid);
  ASSERT_TRUE(log);
  EXPECT_THAT(log->to_text(), HasSubstr("root@root retried pusher " + pusher));
}

}  // namespace
}  // namespace databus::web::testing
