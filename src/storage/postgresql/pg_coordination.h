// The PostgreSQL engine's Coordination (include/databus/coordination.h):
// the tables `cluster_nodes`, `cluster_state` and `leases` of migration 3
// (pg_schema.cc), read and written with the database's clock only.
//
// Claims take rows with FOR UPDATE SKIP LOCKED, so nodes claiming at once
// never wait for each other; renewals run on a connection of their own, so
// that a pool busy with a drive's writes never delays them past the lease.
// A fenced write (PgDatabase's *_fenced methods) first locks its lease row
// FOR SHARE after checking holder, token and expiry, so that a takeover (an
// UPDATE of that row) waits until the write committed or rolled back.
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "databus/coordination.h"
#include "storage/postgresql/pg_connection.h"

namespace databus {

class PgDatabase;

class PgCoordination : public Coordination {
 public:
  // `engine` and `pool` outlive this object.
  PgCoordination(PgDatabase& engine, PgPool& pool);

  ClusterOrders heartbeat(const NodeInfo& self) override;
  void leave(const std::string& node_id) override;
  std::vector<NodeInfo> nodes(Clock::duration stale) override;
  void set_paused(const std::string& node_id, bool paused) override;
  void order_shutdown(const std::string& node_id) override;

  void configure(const std::map<std::string, std::vector<ScheduledPassenger>>& configured,
                 const std::set<std::string>& known_clients) override;
  void expedite(const std::string& client_id, const std::string& passenger) override;

  std::vector<Lease> claim_due(const std::string& node_id, std::size_t max,
                               Clock::duration period) override;
  std::optional<Lease> claim(const std::string& node_id, const std::string& client_id,
                             const std::string& passenger, Clock::duration interval,
                             Clock::duration period, bool drive) override;
  bool renew(Lease& lease, Clock::duration period) override;
  void release(const Lease& lease) override;
  std::vector<LeaseInfo> leases() override;

  std::unique_ptr<Database> fenced(Database& database, const Lease& lease) override;

 private:
  PgDatabase& engine_;
  PgPool& pool_;
  std::mutex renewal_mu_;                  // Guards renewal_.
  std::unique_ptr<PgConnection> renewal_;  // Opened on first renew().
};

// Inside a transaction of a fenced write: checks that `lease` is still held
// (holder, token, not expired by the database's clock) and locks its row FOR
// SHARE until the transaction ends. Throws LeaseLostError otherwise.
void check_fence(PgTransaction& tx, const Lease& lease);

}  // namespace databus
