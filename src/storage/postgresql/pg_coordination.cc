#include "storage/postgresql/pg_coordination.h"

#include <chrono>

#include "databus/database_wrapper.h"
#include "databus/error.h"
#include "storage/postgresql/pg_database_impl.h"
#include "storage/postgresql/pg_text.h"
#include "storage/sql/sql_codec.h"

namespace databus {
namespace {

PgParam text(std::string value) { return {std::move(value), false}; }
PgParam number(std::int64_t value) { return {std::to_string(value), false}; }
PgParam micros(Clock::duration d) {
  return number(std::chrono::duration_cast<std::chrono::microseconds>(d).count());
}
PgParam boolean(bool b) { return text(b ? "true" : "false"); }

// A timestamptz column as integer microseconds since the epoch.
std::string us(const std::string& column) {
  return "floor(extract(epoch from " + column + ") * 1000000)::bigint";
}
// `$n` microseconds as an interval.
std::string span(int n) {
  return "($" + std::to_string(n) + "::bigint * interval '1 microsecond')";
}

TimePoint time_at(const PgResult& r, int row, int column) {
  return sql::from_micros(r.integer(row, column));
}
std::optional<TimePoint> optional_time_at(const PgResult& r, int row, int column) {
  if (r.is_null(row, column)) return std::nullopt;
  return time_at(r, row, column);
}

// The columns a claim returns, in the order lease_at() reads them.
std::string returning() {
  return " RETURNING l.client_id, l.passenger, l.holder, l.token, " + us("l.expires");
}
Lease lease_at(const PgResult& r, int row, bool drive) {
  return Lease{r.text(row, 0),    r.text(row, 1),     r.text(row, 2),
               r.integer(row, 3), time_at(r, row, 4), drive};
}

// A text[] literal of names.
std::string name_array(const std::vector<std::string>& names) {
  return pg_text_array(std::vector<std::string_view>(names.begin(), names.end()));
}

// A bigint[] literal of `values`.
std::string number_array(const std::vector<std::int64_t>& values) {
  std::string out = "{";
  for (std::int64_t v : values) out += (out.size() > 1 ? "," : "") + std::to_string(v);
  return out + "}";
}

}  // namespace

PgCoordination::PgCoordination(PgDatabase& engine, PgPool& pool) : engine_(engine), pool_(pool) {}

// --- Nodes and orders ----------------------------------------------------------

ClusterOrders PgCoordination::heartbeat(const NodeInfo& self) {
  const PgResult r = pool_.acquire()->run(
      "INSERT INTO cluster_nodes AS n (node_id, host, pid, version, started, heartbeat, "
      "drives_running, reported_paused) VALUES ($1, $2, $3, $4, to_timestamp($5::bigint / "
      "1000000.0), clock_timestamp(), $6, $7) ON CONFLICT (node_id) DO UPDATE SET heartbeat = "
      "clock_timestamp(), drives_running = excluded.drives_running, reported_paused = "
      "excluded.reported_paused RETURNING (n.paused OR (SELECT paused FROM cluster_state))::int, "
      "n.shutdown::int",
      {text(self.id), text(self.host), number(self.pid), text(self.version),
       number(sql::to_micros(self.started)), number(self.drives_running), boolean(self.paused)});
  return ClusterOrders{r.integer(0, 0) == 1, r.integer(0, 1) == 1};
}

void PgCoordination::leave(const std::string& node_id) {
  PgTransaction tx(pool_);
  tx.run("DELETE FROM cluster_nodes WHERE node_id = $1", {text(node_id)});
  tx.run("UPDATE leases SET holder = NULL, expires = NULL WHERE holder = $1", {text(node_id)});
  tx.commit();
}

std::vector<NodeInfo> PgCoordination::nodes(Clock::duration stale) {
  auto lease = pool_.acquire();
  lease->run("DELETE FROM cluster_nodes WHERE heartbeat < clock_timestamp() - " + span(1),
             {micros(stale)});
  const PgResult r =
      lease->run("SELECT node_id, host, pid, version, " + us("started") + ", " + us("heartbeat") +
                 ", drives_running, reported_paused::int FROM cluster_nodes ORDER BY "
                 "node_id");
  std::vector<NodeInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(NodeInfo{r.text(i, 0), r.text(i, 1), r.integer(i, 2), r.text(i, 3),
                           time_at(r, i, 4), time_at(r, i, 5), static_cast<int>(r.integer(i, 6)),
                           r.integer(i, 7) == 1});
  }
  return out;
}

void PgCoordination::set_paused(const std::string& node_id, bool paused) {
  PgTransaction tx(pool_);
  if (node_id.empty()) {
    tx.run("UPDATE cluster_state SET paused = $1", {boolean(paused)});
    // Resuming the cluster resumes every node paused on its own too.
    if (!paused) tx.run("UPDATE cluster_nodes SET paused = false WHERE paused");
  } else {
    const PgResult r = tx.run("UPDATE cluster_nodes SET paused = $2 WHERE node_id = $1",
                              {text(node_id), boolean(paused)});
    if (r.affected() == 0) throw NotFoundError("no cluster node '" + node_id + "'");
  }
  tx.commit();
}

void PgCoordination::order_shutdown(const std::string& node_id) {
  const PgResult r =
      node_id.empty()
          ? pool_.acquire()->run("UPDATE cluster_nodes SET shutdown = true")
          : pool_.acquire()->run("UPDATE cluster_nodes SET shutdown = true WHERE node_id = $1",
                                 {text(node_id)});
  if (!node_id.empty() && r.affected() == 0)
    throw NotFoundError("no cluster node '" + node_id + "'");
}

// --- Schedule --------------------------------------------------------------------

void PgCoordination::configure(
    const std::map<std::string, std::vector<ScheduledPassenger>>& configured,
    const std::set<std::string>& known_clients) {
  // What is stored, read without locking anything; then only the changes
  // are written (most cycles write nothing).
  const PgResult r = pool_.acquire()->run(
      "SELECT client_id, passenger, interval_us, (holder IS NULL)::int FROM leases");
  std::map<std::pair<std::string, std::string>, std::pair<std::int64_t, bool>> stored;
  for (int i = 0; i < r.rows(); ++i) {
    stored[{r.text(i, 0), r.text(i, 1)}] = {r.integer(i, 2), r.integer(i, 3) == 1};
  }
  std::vector<std::string> add_clients, add_passengers;
  std::vector<std::string> set_clients, set_passengers;
  std::vector<std::int64_t> add_intervals, set_intervals;
  std::vector<std::string> drop_clients, drop_passengers;
  for (const auto& [client, passengers] : configured) {
    for (const ScheduledPassenger& p : passengers) {
      const std::int64_t interval =
          std::chrono::duration_cast<std::chrono::microseconds>(p.interval).count();
      const auto it = stored.find({client, p.passenger});
      if (it == stored.end()) {
        add_clients.push_back(client);
        add_passengers.push_back(p.passenger);
        add_intervals.push_back(interval);
      } else if (it->second.first != interval) {
        set_clients.push_back(client);
        set_passengers.push_back(p.passenger);
        set_intervals.push_back(interval);
      }
    }
  }
  for (const auto& [key, value] : stored) {
    const auto& [client, passenger] = key;
    const bool free = value.second;
    if (!free) continue;
    const auto c = configured.find(client);
    bool keep = false;
    if (c == configured.end()) {
      keep = known_clients.count(client) > 0;
    } else {
      for (const ScheduledPassenger& p : c->second) keep = keep || p.passenger == passenger;
    }
    if (!keep) {
      drop_clients.push_back(client);
      drop_passengers.push_back(passenger);
    }
  }
  if (add_clients.empty() && set_clients.empty() && drop_clients.empty()) return;
  const std::string arrays = "unnest($1::text[], $2::text[], $3::bigint[]) AS v(c, p, i)";
  PgTransaction tx(pool_);
  if (!add_clients.empty()) {
    tx.run(
        "INSERT INTO leases (client_id, passenger, interval_us, next_due) SELECT c, p, i, "
        "clock_timestamp() FROM " +
            arrays + " ON CONFLICT DO NOTHING",
        {text(name_array(add_clients)), text(name_array(add_passengers)),
         text(number_array(add_intervals))});
  }
  if (!set_clients.empty()) {
    // The interval counts from the last start, as in a single process.
    tx.run(
        "UPDATE leases l SET interval_us = v.i, next_due = CASE WHEN l.expedited OR l.last_start "
        "IS NULL THEN l.next_due ELSE l.last_start + v.i * interval '1 microsecond' END FROM " +
            arrays + " WHERE l.client_id = v.c AND l.passenger = v.p",
        {text(name_array(set_clients)), text(name_array(set_passengers)),
         text(number_array(set_intervals))});
  }
  if (!drop_clients.empty()) {
    tx.run(
        "DELETE FROM leases l USING unnest($1::text[], $2::text[]) AS v(c, p) WHERE l.client_id "
        "= v.c AND l.passenger = v.p AND l.holder IS NULL",
        {text(name_array(drop_clients)), text(name_array(drop_passengers))});
  }
  tx.commit();
}

void PgCoordination::expedite(const std::string& client_id, const std::string& passenger) {
  pool_.acquire()->run(
      "UPDATE leases SET expedited = true, next_due = least(next_due, clock_timestamp()) WHERE "
      "client_id = $1 AND passenger = $2",
      {text(client_id), text(passenger)});
}

// --- Leases ------------------------------------------------------------------------

std::vector<Lease> PgCoordination::claim_due(const std::string& node_id, std::size_t max,
                                             Clock::duration period) {
  std::vector<Lease> out;
  if (max == 0) return out;
  // Due and free, or held by a lease that expired (its drive was cut short:
  // due at once). SKIP LOCKED: a row another node is claiming, or that a
  // fenced write holds FOR SHARE while it commits, is left for later.
  const PgResult r = pool_.acquire()->run(
      "WITH due AS (SELECT client_id, passenger FROM leases WHERE (holder IS NULL AND next_due "
      "<= clock_timestamp()) OR (holder IS NOT NULL AND expires <= clock_timestamp()) ORDER BY "
      "next_due LIMIT $2 FOR UPDATE SKIP LOCKED) UPDATE leases l SET holder = $1, token = "
      "l.token + 1, expires = clock_timestamp() + " +
          span(3) +
          ", last_start = clock_timestamp(), expedited = false FROM due WHERE l.client_id = "
          "due.client_id AND l.passenger = due.passenger" +
          returning(),
      {text(node_id), number(static_cast<std::int64_t>(max)), micros(period)});
  for (int i = 0; i < r.rows(); ++i) out.push_back(lease_at(r, i, true));
  return out;
}

std::optional<Lease> PgCoordination::claim(const std::string& node_id, const std::string& client_id,
                                           const std::string& passenger, Clock::duration interval,
                                           Clock::duration period, bool drive) {
  auto connection = pool_.acquire();
  connection->run(
      "INSERT INTO leases (client_id, passenger, interval_us, next_due) VALUES ($1, $2, $3, "
      "clock_timestamp()) ON CONFLICT DO NOTHING",
      {text(client_id), text(passenger), micros(interval)});
  // Waits for a claim or a fenced write of another node on this row (not
  // SKIP LOCKED: this is the one row wanted), then takes it if free or
  // expired.
  const std::string drive_columns =
      drive ? ", last_start = clock_timestamp(), expedited = false" : "";
  const PgResult r = connection->run(
      "UPDATE leases l SET holder = $1, token = l.token + 1, expires = clock_timestamp() + " +
          span(4) + drive_columns +
          " WHERE l.client_id = $2 AND l.passenger = $3 AND (l.holder IS NULL OR l.expires <= "
          "clock_timestamp())" +
          returning(),
      {text(node_id), text(client_id), text(passenger), micros(period)});
  if (r.rows() == 0) return std::nullopt;
  return lease_at(r, 0, drive);
}

bool PgCoordination::renew(Lease& lease, Clock::duration period) {
  std::lock_guard lock(renewal_mu_);
  if (renewal_ == nullptr || !renewal_->healthy()) {
    renewal_ = std::make_unique<PgConnection>(pool_.settings());
  }
  const PgResult r = renewal_->run(
      "UPDATE leases SET expires = clock_timestamp() + " + span(5) +
          " WHERE client_id = $1 AND passenger = $2 AND holder = $3 AND token = $4 AND expires > "
          "clock_timestamp() RETURNING " +
          us("expires"),
      {text(lease.client_id), text(lease.passenger), text(lease.holder), number(lease.token),
       micros(period)});
  if (r.rows() == 0) return false;
  lease.expires = time_at(r, 0, 0);
  return true;
}

void PgCoordination::release(const Lease& lease) {
  const std::string schedule =
      lease.drive
          ? ", last_end = clock_timestamp(), next_due = CASE WHEN expedited THEN "
            "clock_timestamp() ELSE coalesce(last_start, clock_timestamp()) + interval_us * "
            "interval '1 microsecond' END, expedited = false"
          : "";
  pool_.acquire()->run(
      "UPDATE leases SET holder = NULL, expires = NULL" + schedule +
          " WHERE client_id = $1 AND passenger = $2 AND holder = $3 AND token = "
          "$4",
      {text(lease.client_id), text(lease.passenger), text(lease.holder), number(lease.token)});
}

std::vector<LeaseInfo> PgCoordination::leases() {
  const PgResult r = pool_.acquire()->run(
      "SELECT client_id, passenger, coalesce(holder, ''), token, " + us("expires") + ", " +
      us("next_due") + ", interval_us, " + us("last_start") + ", " + us("last_end") +
      " FROM leases ORDER BY client_id, passenger");
  std::vector<LeaseInfo> out;
  for (int i = 0; i < r.rows(); ++i) {
    out.push_back(LeaseInfo{r.text(i, 0), r.text(i, 1), r.text(i, 2), r.integer(i, 3),
                            optional_time_at(r, i, 4), time_at(r, i, 5),
                            std::chrono::microseconds(r.integer(i, 6)), optional_time_at(r, i, 7),
                            optional_time_at(r, i, 8)});
  }
  return out;
}

// --- Fencing -------------------------------------------------------------------------

void check_fence(PgTransaction& tx, const Lease& lease) {
  const PgResult r = tx.run(
      "SELECT 1 FROM leases WHERE client_id = $1 AND passenger = $2 AND holder = $3 AND token = "
      "$4 AND expires > clock_timestamp() FOR SHARE",
      {text(lease.client_id), text(lease.passenger), text(lease.holder), number(lease.token)});
  if (r.rows() == 0) {
    throw LeaseLostError("client '" + lease.client_id + "', passenger '" + lease.passenger +
                         "': this node's lease (token " + std::to_string(lease.token) +
                         ") expired or was taken over by another node; the write was not made");
  }
}

namespace {

// A view whose queue writes and client passenger state writes are fenced
// by a lease (coordination.h fenced()).
class PgFencedDatabase : public DatabaseWrapper {
 public:
  PgFencedDatabase(Database& view, PgDatabase& engine, Lease lease)
      : DatabaseWrapper(view), engine_(engine), lease_(std::move(lease)) {}

  void insert_entries(const std::string& client_id, std::span<const QueueEntry> entries) override {
    engine_.insert_entries_fenced(client_id, entries, &lease_);
  }
  std::vector<std::size_t> seat_entries(const std::string& client_id,
                                        std::span<const QueueEntry> entries) override {
    return engine_.seat_entries_fenced(client_id, entries, &lease_);
  }
  void update_entries(const std::string& client_id, std::span<const QueueEntry> entries,
                      SaveScope scope) override {
    engine_.update_entries_fenced(client_id, entries, scope, &lease_);
  }
  std::size_t delete_complete_entries(const std::string& client_id,
                                      const std::string& passenger_module,
                                      TimePoint before) override {
    return engine_.delete_complete_entries_fenced(client_id, passenger_module, before, &lease_);
  }
  void write_passenger_state(const std::string& client_id, const std::string& passenger_module,
                             const std::string& name,
                             const std::optional<std::string>& text) override {
    engine_.write_passenger_state_fenced(client_id, passenger_module, name, text, &lease_);
  }
  void write_passenger_state_unsynced(const std::string& client_id,
                                      const std::string& passenger_module, const std::string& name,
                                      const std::optional<std::string>& text) override {
    engine_.write_passenger_state_fenced(client_id, passenger_module, name, text, &lease_, false);
  }

 private:
  PgDatabase& engine_;
  const Lease lease_;
};

}  // namespace

std::unique_ptr<Database> PgCoordination::fenced(Database& database, const Lease& lease) {
  return std::make_unique<PgFencedDatabase>(database, engine_, lease);
}

}  // namespace databus
